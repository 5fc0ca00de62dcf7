import { describe, expect, it } from 'vitest'
import type { PlatformEntry, RiskLevel } from '../api/types'
import { creatorThreat, riskOf } from './risk'

const entry = (platform: string, marks: [string, RiskLevel][]): PlatformEntry => ({
  platform,
  name: platform,
  name_zh: platform,
  marks: marks.map(([country, level]) => ({ platform, country, level, note: '', updated_by: null, updated_at: '' })),
})
const entries = [entry('tiktok', [['US', 'at_risk'], ['IN', 'banned']]), entry('instagram', [['GB', 'banned'], ['US', 'ok']]), entry('youtube', [])]

describe('riskOf', () => {
  it('answers the mark of the platform in the country, ignoring ok', () => {
    expect(riskOf(entries, 'tiktok', 'US')).toBe('at_risk')
    expect(riskOf(entries, 'tiktok', 'IN')).toBe('banned')
    expect(riskOf(entries, 'tiktok', 'GB')).toBeUndefined()
    expect(riskOf(entries, 'instagram', 'US')).toBeUndefined()
    expect(riskOf(entries, 'nope', 'US')).toBeUndefined()
    expect(riskOf(undefined, 'tiktok', 'US')).toBeUndefined()
  })
})

describe('creatorThreat', () => {
  const acct = (platform: string, status = 'active') => ({ platform, status })
  it('takes the worst threat over active accounts in the creator country', () => {
    expect(creatorThreat(entries, { country: 'US', accounts: [acct('youtube'), acct('tiktok')] })).toBe('at_risk')
    expect(creatorThreat(entries, { country: 'GB', accounts: [acct('tiktok'), acct('instagram')] })).toBe('banned')
    expect(creatorThreat(entries, { country: 'IN', accounts: [acct('instagram'), acct('tiktok')] })).toBe('banned')
  })
  it('ignores accounts that are not active, and other countries', () => {
    expect(creatorThreat(entries, { country: 'US', accounts: [acct('tiktok', 'dormant'), acct('youtube')] })).toBeUndefined()
    expect(creatorThreat(entries, { country: 'FR', accounts: [acct('tiktok'), acct('instagram')] })).toBeUndefined()
    expect(creatorThreat(entries, { country: 'US', accounts: [] })).toBeUndefined()
  })
})
