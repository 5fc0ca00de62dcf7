import { describe, expect, it } from 'vitest'
import type { Campaign } from '../api/types'
import { campaignChange, campaignValues, newCampaignBody, newCampaignValues } from './form'

const campaign: Campaign = {
  id: 'c1',
  name: 'Summer',
  status: 'draft',
  starts_on: '2026-06-01',
  ends_on: null,
  attribution_window_days: 30,
  hold_days: 30,
  budget_minor: null,
  currency: null,
  version: 3,
  created_at: '',
  updated_at: '',
  platforms: ['tiktok'],
  product_ids: ['p1', 'p2'],
  plan: { type: 'tiered', base: 'net', currency: 'USD', tiers: [{ from_gmv_minor: 0, rate_bps: 500 }, { from_gmv_minor: 100000, rate_bps: 800 }] },
  plan_version: 1,
  next_plan: null,
  enrolled: 0,
}

describe('campaign form', () => {
  it('builds a new campaign body with the plan in minor units and bps', () => {
    const v = newCampaignValues('USD', '2026-06-01')
    v.name = ' Launch '
    v.plan = { type: 'tiered', base: 'gross', currency: 'USD', tiers: [{ from: 0, rate_percent: 5 }, { from: 500, rate_percent: 10 }] }
    expect(newCampaignBody(v)).toMatchObject({
      name: 'Launch',
      starts_on: '2026-06-01',
      plan: { type: 'tiered', base: 'gross', currency: 'USD', tiers: [{ from_gmv_minor: 0, rate_bps: 500 }, { from_gmv_minor: 50000, rate_bps: 1000 }] },
    })
    expect(newCampaignBody(v)).not.toHaveProperty('budget_minor')
  })

  it('sends nothing for an untouched form, and only what changed', () => {
    const v = campaignValues(campaign, 'USD')
    expect(campaignChange(campaign, v)).toEqual({})
    expect(campaignChange(campaign, { ...v, product_ids: ['p2', 'p1'] })).toEqual({})
    expect(campaignChange(campaign, { ...v, name: 'Summer 2', ends_on: '2026-08-31' })).toEqual({ name: 'Summer 2', ends_on: '2026-08-31' })
  })

  it('sends a changed plan with its effective date', () => {
    const v = campaignValues(campaign, 'USD')
    const ch = campaignChange(campaign, {
      ...v,
      plan: { ...v.plan, tiers: [{ from: 0, rate_percent: 6 }, { from: 1000, rate_percent: 8 }] },
      plan_effective_from: '2026-07-01T00:00',
    })
    expect(ch.plan?.tiers?.[0]).toEqual({ from_gmv_minor: 0, rate_bps: 600 })
    expect(ch.plan_effective_from).toBe(new Date('2026-07-01T00:00').toISOString())
  })
})
