import { describe, expect, it } from 'vitest'
import { boardStatus, decimalToMinor, describePlan, formatMoneyList, groupDeliverables, minorToNumber, planToValues, valuesToPlan } from './plan'

describe('money typed in major units', () => {
  it('becomes exact minor units for the currency', () => {
    expect(decimalToMinor(19.99, 'USD')).toBe(1999)
    expect(decimalToMinor(0.1 + 0.2, 'USD')).toBe(30)
    expect(decimalToMinor(1500, 'JPY')).toBe(1500)
    expect(decimalToMinor(1.234, 'KWD')).toBe(1234)
    expect(minorToNumber(1999, 'USD')).toBe(19.99)
    expect(minorToNumber(1500, 'JPY')).toBe(1500)
  })
})

describe('plan editor values', () => {
  it('sends only the fields of the chosen type', () => {
    expect(valuesToPlan({ type: 'percent', base: 'net', rate_percent: 12.5, amount: 3, currency: 'USD' })).toEqual({
      type: 'percent',
      base: 'net',
      rate_bps: 1250,
    })
    expect(valuesToPlan({ type: 'flat', base: 'gross', amount: 5, currency: 'EUR', rate_percent: 3 })).toEqual({
      type: 'flat',
      base: 'gross',
      currency: 'EUR',
      amount_minor: 500,
    })
  })

  it('turns tier rows into from_gmv_minor and bps, skipping empty rows', () => {
    const plan = valuesToPlan({
      type: 'tiered',
      base: 'net',
      currency: 'USD',
      tiers: [{ from: 0, rate_percent: 5 }, { from: 1000, rate_percent: 8.25 }, {}],
    })
    expect(plan).toEqual({
      type: 'tiered',
      base: 'net',
      currency: 'USD',
      tiers: [
        { from_gmv_minor: 0, rate_bps: 500 },
        { from_gmv_minor: 100000, rate_bps: 825 },
      ],
    })
    expect(valuesToPlan(planToValues(plan, 'CNY'))).toEqual(plan)
  })

  it('describes a plan in words', () => {
    const t = (k: string, o?: Record<string, unknown>) => `${k}${o ? JSON.stringify(o) : ''}`
    expect(describePlan({ type: 'percent', rate_bps: 1000 }, 'en-US', t)).toBe('10% (campaigns.plan.base_net)')
    expect(describePlan({ type: 'tiered', currency: 'USD', base: 'gross', tiers: [{ from_gmv_minor: 0, rate_bps: 500 }] }, 'en-US', t)).toBe(
      'campaigns.plan.tierDesc{"from":"$0.00","rate":"5%"} (campaigns.plan.base_gross)',
    )
  })
})

describe('posts board', () => {
  it('shows past-due posts as late and groups by status', () => {
    expect(boardStatus({ status: 'planned', late: true })).toBe('late')
    const g = groupDeliverables([
      { status: 'planned', late: false },
      { status: 'posted', late: false },
      { status: 'drafted', late: true },
    ])
    expect(g.planned).toHaveLength(1)
    expect(g.posted).toHaveLength(1)
    expect(g.late).toHaveLength(1)
    expect(g.drafted).toHaveLength(0)
    expect(g.cancelled).toHaveLength(0)
  })

  it('formats amounts in several currencies', () => {
    expect(formatMoneyList([], 'en-US')).toBe('—')
    expect(formatMoneyList([{ amount_minor: 1200, currency: 'USD' }, { amount_minor: 300, currency: 'JPY' }], 'en-US')).toBe('$12.00 + ¥300')
  })
})
