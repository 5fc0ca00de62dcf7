import { describe, expect, it } from 'vitest'
import type { Creator } from '../api/types'
import { creatorChange, creatorValues, guessPlatform, newCreatorBody, payoutAccountProblem, uniqueTags, validIban } from './form'
import { csvField, templateCsv } from './importTemplate'

const base: Creator = {
  id: 'c1',
  display_name: 'Amy',
  version: 1,
  country: 'US',
  email: 'amy@example.com',
  phone: null,
  wechat: null,
  whatsapp: null,
  status: 'prospect',
  agency_id: null,
  agency_name: null,
  owner_id: null,
  owner_name: null,
  payout_currency: 'USD',
  payout_method: null,
  payout_account: null,
  payout_holder: null,
  default_rate_bps: 1250,
  notes: '',
  followers: 0,
  gmv_90d_minor: 0,
  campaigns: 0,
  clicks_30d: 0,
  created_at: '',
  updated_at: '',
  deleted_at: null,
  languages: ['en'],
  tier: 'nano',
  tags: ['beauty'],
  accounts: [],
}

describe('creator form bodies', () => {
  it('builds a minimal new-creator body with accounts and the rate in bps', () => {
    expect(
      newCreatorBody({
        display_name: '  Amy ',
        country: 'US',
        email: ' ',
        tags: ['beauty'],
        default_rate_percent: 12.5,
        accounts: [{ platform: 'tiktok', handle: ' @amy ', followers: 1000 }, { platform: 'youtube', handle: '' }],
      }),
    ).toEqual({
      display_name: 'Amy',
      country: 'US',
      tags: ['beauty'],
      default_rate_bps: 1250,
      accounts: [{ platform: 'tiktok', handle: '@amy', followers: 1000 }],
    })
  })

  it('sends only what changed, null for cleared optional fields', () => {
    const v = creatorValues(base)
    expect(creatorChange(base, v)).toEqual({})
    expect(creatorChange(base, { ...v, email: '', status: 'active', default_rate_percent: null, tags: ['beauty', 'skin'] })).toEqual({
      email: null,
      status: 'active',
      default_rate_bps: null,
      tags: ['beauty', 'skin'],
    })
  })
})

describe('the owner (负责人)', () => {
  it('is sent when picked, cleared with null, and left alone when the field is not shown', () => {
    const v = creatorValues({ ...base, owner_id: 'u1' })
    expect(v.owner_id).toBe('u1')
    expect(creatorChange({ ...base, owner_id: 'u1' }, v)).toEqual({})
    expect(creatorChange({ ...base, owner_id: 'u1' }, { ...v, owner_id: 'u2' })).toEqual({ owner_id: 'u2' })
    expect(creatorChange({ ...base, owner_id: 'u1' }, { ...v, owner_id: undefined })).toEqual({})
    expect(creatorChange({ ...base, owner_id: 'u1' }, { ...v, owner_id: null })).toEqual({ owner_id: null })
    expect(newCreatorBody({ display_name: 'A', country: 'US', owner_id: 'u1' })).toMatchObject({ owner_id: 'u1' })
    expect(newCreatorBody({ display_name: 'A', country: 'US' })).not.toHaveProperty('owner_id')
  })
})

describe('payout details', () => {
  it('go in a new creator trimmed, and are left out when empty', () => {
    expect(
      newCreatorBody({ display_name: 'Amy', country: 'US', payout_method: 'paypal', payout_account: ' amy@example.com ', payout_holder: ' Amy Lee ' }),
    ).toEqual({ display_name: 'Amy', country: 'US', payout_method: 'paypal', payout_account: 'amy@example.com', payout_holder: 'Amy Lee' })
    expect(newCreatorBody({ display_name: 'Amy', country: 'US', payout_method: null, payout_account: ' ', payout_holder: '' })).toEqual({
      display_name: 'Amy',
      country: 'US',
    })
  })

  it('are changed, cleared with null, and left alone when unchanged', () => {
    const set = creatorChange(base, { ...creatorValues(base), payout_method: 'bank', payout_account: 'DE89 3704 0044 0532 0130 00', payout_holder: 'Amy Lee' })
    expect(set).toEqual({ payout_method: 'bank', payout_account: 'DE89 3704 0044 0532 0130 00', payout_holder: 'Amy Lee' })
    const paid = { ...base, payout_method: 'wise' as const, payout_account: 'amy@example.com', payout_holder: 'Amy Lee' }
    expect(creatorChange(paid, creatorValues(paid))).toEqual({})
    expect(creatorChange(paid, { ...creatorValues(paid), payout_method: null, payout_account: '', payout_holder: ' ' })).toEqual({
      payout_method: null,
      payout_account: null,
      payout_holder: null,
    })
    // A new method goes with the account, so the server checks them together.
    expect(creatorChange(paid, { ...creatorValues(paid), payout_method: 'paypal' })).toEqual({ payout_method: 'paypal', payout_account: 'amy@example.com' })
  })

  it('check the account against the method', () => {
    expect(payoutAccountProblem(undefined, '')).toBe(null)
    expect(payoutAccountProblem('paypal', undefined)).toBe(null)
    expect(payoutAccountProblem(null, 'amy@example.com')).toBe('payoutMethodFirst')
    expect(payoutAccountProblem('paypal', 'amy@example.com')).toBe(null)
    expect(payoutAccountProblem('paypal', 'DE89370400440532013000')).toBe('payoutPaypalEmail')
    expect(payoutAccountProblem('bank', 'DE89 3704 0044 0532 0130 00')).toBe(null)
    expect(payoutAccountProblem('bank', 'DE89 3704 0044 0532 0130 01')).toBe('payoutIbanInvalid')
    expect(payoutAccountProblem('wise', 'amy@example.com')).toBe(null)
    // An account number that is no IBAN is not checked.
    expect(payoutAccountProblem('bank', '6222 0012 3456 7890')).toBe(null)
    expect(payoutAccountProblem('bank', 'x'.repeat(101))).toBe('payoutAccountTooLong')
  })

  it('know a valid IBAN', () => {
    expect(validIban('GB82 WEST 1234 5698 7654 32')).toBe(true)
    expect(validIban('gb82west12345698765432')).toBe(true)
    expect(validIban('GB82 WEST 1234 5698 7654 33')).toBe(false)
    expect(validIban('FR14 2004 1010 0505 0001 3M02 606')).toBe(true)
    expect(validIban('12345')).toBe(false)
  })
})

describe('the handle field', () => {
  it('guesses the platform from a pasted profile address, whatever the site', () => {
    expect(guessPlatform('https://www.youtube.com/@amy')).toBe('youtube')
    expect(guessPlatform('youtube.com/@amy')).toBe('youtube')
    expect(guessPlatform(' https://m.tiktok.com/@amy?lang=en ')).toBe('tiktok')
    expect(guessPlatform('https://www.xiaohongshu.com/user/profile/5f1a')).toBe('rednote')
    expect(guessPlatform('https://space.bilibili.com/123')).toBe('bilibili')
    expect(guessPlatform('https://twitter.com/amy')).toBe('x')
  })

  it('guesses nothing for a plain handle or an unknown site', () => {
    expect(guessPlatform('@amy')).toBeUndefined()
    expect(guessPlatform('amy_beauty')).toBeUndefined()
    expect(guessPlatform('https://example.com/amy')).toBeUndefined()
    expect(guessPlatform(undefined)).toBeUndefined()
  })
})

describe('tags', () => {
  it('keep their case and come once whatever the case', () => {
    expect(uniqueTags(['Home Decor', 'home  decor', ' DIY ', 'diy'])).toEqual(['Home Decor', 'DIY'])
    const v = creatorValues({ ...base, tags: ['Home Decor'] })
    expect(creatorChange({ ...base, tags: ['Home Decor'] }, { ...v, tags: ['Home Decor', 'home decor'] })).toEqual({})
  })
})

describe('import template', () => {
  it('has the Chinese headers the server accepts, with a BOM for Excel', () => {
    const csv = templateCsv('zh-CN')
    expect(csv.startsWith('\uFEFF显示名称,国家,平台,账号,粉丝数')).toBe(true)
    expect(templateCsv('en-US')).toContain('Display Name,Country,Platform,Handle,Followers')
  })

  it('quotes fields that need it', () => {
    expect(csvField('a,b')).toBe('"a,b"')
    expect(csvField('say "hi"')).toBe('"say ""hi"""')
    expect(csvField('plain')).toBe('plain')
  })
})
