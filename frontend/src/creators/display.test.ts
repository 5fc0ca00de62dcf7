import { describe, expect, it } from 'vitest'
import i18n from '../i18n'
import type { TimelineEvent } from '../api/types'
import { describeEvent, growth, profileUrl, tagSelectOptions, capList } from './display'

const ev = (kind: string, data: Record<string, unknown>): TimelineEvent => ({
  id: 'e',
  creator_id: 'c',
  kind,
  actor_id: null,
  actor_name: null,
  data,
  created_at: '2026-01-01T00:00:00Z',
})

describe('creator display helpers', () => {
  it('builds profile addresses, preferring the stored URL', () => {
    expect(profileUrl('tiktok', 'amy.beauty')).toBe('https://www.tiktok.com/@amy.beauty')
    expect(profileUrl('youtube', 'x', 'https://youtube.com/channel/UC1')).toBe('https://youtube.com/channel/UC1')
    expect(profileUrl('other', 'x')).toBeUndefined()
  })

  it('shows growth with arrows', () => {
    expect(growth(1200, 'en-US')).toEqual({ text: '▲ 1,200', tone: 'up' })
    expect(growth(-5, 'en-US')).toEqual({ text: '▼ 5', tone: 'down' })
    expect(growth(0, 'en-US')).toEqual({ text: '0', tone: 'flat' })
    expect(growth(null, 'en-US')).toBeNull()
  })

  it('describes timeline events in the UI language', async () => {
    await i18n.changeLanguage('zh-CN')
    const t = i18n.t.bind(i18n)
    const name = (k: string) => (k === 'tiktok' ? 'TikTok' : k)
    expect(describeEvent(ev('status_changed', { from: 'prospect', to: 'active' }), t, name)).toBe('状态：潜在 → 合作中')
    expect(describeEvent(ev('note', { text: 'hello' }), t, name)).toBe('hello')
    expect(describeEvent(ev('account_added', { platform: 'tiktok', handle: 'amy' }), t, name)).toContain('TikTok @amy')
    expect(describeEvent(ev('created', { display_name: 'Amy' }), t, name)).toBe('添加了达人 Amy')
    const came = { display_name: 'Amy', accounts: [{ platform: 'tiktok', handle: 'amy' }, { platform: 'youtube', handle: 'amy.yt' }] }
    expect(describeEvent(ev('created', came), t, name)).toBe('添加了达人 Amy，账号：TikTok @amy、youtube @amy.yt')
    expect(describeEvent(ev('something_new', {}), t, name)).toBe('something_new')
    const agency = (id: string) => ({ a1: '星光机构', a2: 'Blue Wave' })[id]
    expect(describeEvent(ev('agency_changed', { from: 'a1', to: 'a2' }), t, name, agency)).toBe('机构：星光机构 → Blue Wave')
    expect(describeEvent(ev('agency_changed', { from: null, to: 'a1' }), t, name, agency)).toBe('机构：无 → 星光机构')
    expect(describeEvent(ev('agency_changed', { from: 'gone', to: null }), t, name, agency)).toBe('机构：— → 无')
    await i18n.changeLanguage('en-US')
    expect(describeEvent(ev('agency_changed', { from: 'a1', to: 'a2' }), i18n.t.bind(i18n), name, agency)).toBe('Agency: 星光机构 → Blue Wave')
    expect(describeEvent(ev('created', came), i18n.t.bind(i18n), name)).toBe('Creator Amy added with TikTok @amy, youtube @amy.yt')
  })
})

describe('tag options', () => {
  it('label a chosen chip with the tag alone, without its usage count', () => {
    expect(tagSelectOptions([{ tag: 'Home Decor', creators: 3 }])).toEqual([{ value: 'Home Decor', label: 'Home Decor', creators: 3 }])
  })
})

describe('account chips in the list', () => {
  it('show at most three, then +N', () => {
    expect(capList([1, 2, 3, 4, 5])).toEqual({ shown: [1, 2, 3], more: [4, 5] })
    expect(capList([1, 2])).toEqual({ shown: [1, 2], more: [] })
  })
})
