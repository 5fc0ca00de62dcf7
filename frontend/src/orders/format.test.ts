import i18next from 'i18next'
import { describe, expect, it } from 'vitest'
import type { LedgerEntry } from '../api/types'
import en from '../i18n/locales/en-US.json'
import zh from '../i18n/locales/zh-CN.json'
import {
  bulkFilterFor,
  commissionOf,
  dayInZone,
  EMPTY_ORDER_FILTERS,
  entryFiltersFromSearch,
  entryFiltersToSearch,
  explainEntry,
  localInputValue,
  normalizeRate,
  orderFiltersFromSearch,
  orderFiltersToQuery,
  orderFiltersToSearch,
  parseMajor,
  percentText,
  plainMoney,
  refundInstant,
  zonedToUtc,
} from './format'
import { orderTemplateCsv } from './template'

const i18n = i18next.createInstance()
await i18n.init({
  resources: { 'en-US': { translation: en }, 'zh-CN': { translation: zh } },
  lng: 'en-US',
  interpolation: { escapeValue: false },
})
const tEn = i18n.getFixedT('en-US') as unknown as (k: string, o?: Record<string, unknown>) => string
const tZh = i18n.getFixedT('zh-CN') as unknown as (k: string, o?: Record<string, unknown>) => string

function entry(patch: Partial<LedgerEntry>): LedgerEntry {
  return {
    id: 'e1',
    conversion_id: 'c1',
    reverses_id: null,
    refund_id: null,
    creator_id: 'cr1',
    account_id: null,
    platform: 'tiktok',
    campaign_id: 'cm1',
    kind: 'commission',
    amount_minor: 810,
    currency: 'USD',
    base_amount_minor: 5751,
    base_currency: 'CNY',
    fx_rate: '7.1',
    fx_missing: false,
    rate_bps: 1000,
    gmv_minor: 8097,
    base_gmv_minor: null,
    agency_id: null,
    agency_share_bps: 0,
    agency_share_minor: 0,
    base_agency_share_minor: null,
    period: '2026-11',
    occurred_at: '2026-11-03T01:15:22Z',
    explanation: { source: 'plan', rule: 'promo_code', plan_version: 2, plan_type: 'percent', rate_bps: 1000, base: 'net', base_minor: 8097, fx_rate: '7.1' },
    reason: null,
    created_by: null,
    created_at: '2026-11-03T01:15:23Z',
    ...patch,
  }
}

describe('exact money typed and shown', () => {
  it('parses major units as exact minor units', () => {
    expect(parseMajor('80.97', 'USD')).toBe(8097)
    expect(parseMajor(' 1,234.5 ', 'USD')).toBe(123450)
    expect(parseMajor('0.1', 'USD')).toBe(10)
    expect(parseMajor('20', 'USD')).toBe(2000)
    expect(parseMajor('1200', 'JPY')).toBe(1200)
    expect(parseMajor('12.50', 'JPY')).toBeNull() // yen has no decimals
    expect(parseMajor('12.500', 'USD')).toBe(1250) // trailing zeros are not decimals
    expect(parseMajor('12.345', 'USD')).toBeNull()
    expect(parseMajor('1.234', 'KWD')).toBe(1234)
    expect(parseMajor('-5', 'USD')).toBeNull()
    expect(parseMajor('abc', 'USD')).toBeNull()
    expect(parseMajor('', 'USD')).toBeNull()
    // 0.1 + 0.2 in floats is 0.30000000000000004; typed text never goes through a float.
    expect(parseMajor('0.3', 'USD')).toBe(30)
    expect(parseMajor('99999999999999999999', 'USD')).toBeNull()
  })

  it('shows amounts plainly with their code, and rates with two decimals', () => {
    expect(plainMoney(8097, 'USD')).toBe('80.97 USD')
    expect(plainMoney(-200, 'USD')).toBe('-2.00 USD')
    expect(plainMoney(1200, 'JPY')).toBe('1200 JPY')
    expect(percentText(1000)).toBe('10.00%')
    expect(percentText(1250)).toBe('12.50%')
  })

  it('sums an order’s entries per currency', () => {
    const sum = commissionOf([
      entry({ amount_minor: 810 }),
      entry({ kind: 'reversal', amount_minor: -200 }),
      entry({ amount_minor: 500, currency: 'EUR' }),
    ])
    expect(sum).toEqual([
      { currency: 'USD', amount_minor: 610 },
      { currency: 'EUR', amount_minor: 500 },
    ])
    expect(commissionOf([])).toEqual([])
  })

  it('reads a typed FX rate as a decimal string', () => {
    expect(normalizeRate('7.1234')).toBe('7.1234')
    expect(normalizeRate(' 7,1 ')).toBe('7.1')
    expect(normalizeRate('0')).toBeNull()
    expect(normalizeRate('-1')).toBeNull()
    expect(normalizeRate('1e3')).toBeNull()
  })
})

describe('the explanation of an entry', () => {
  it('says a percent commission with plan version and FX, as finance recomputes it', () => {
    expect(explainEntry(entry({}), tEn)).toBe('10.00% × 80.97 USD (net) = 8.10 USD; plan v2; FX 7.1 → 57.51 CNY')
    expect(explainEntry(entry({}), tZh)).toBe('10.00% × 80.97 USD（净额）= 8.10 USD；方案 v2；汇率 7.1 → 57.51 CNY')
  })

  it('gives the FX day, the rate’s source and a tier', () => {
    const e = entry({
      explanation: {
        source: 'override',
        plan_version: 1,
        plan_type: 'tiered',
        rate_bps: 800,
        base: 'gross',
        base_minor: 10000,
        tier: 1,
        tier_from_gmv_minor: 100000,
        prior_gmv_minor: 150000,
        fx_rate: '7.1',
        fx_day: '2026-11-02',
      },
      amount_minor: 800,
      base_amount_minor: 5680,
    })
    expect(explainEntry(e, tEn)).toBe(
      "8.00% × 100.00 USD (gross) = 8.00 USD; plan v1; the creator's override rate; tier 2 (from 1000.00 USD), GMV before this order 1500.00 USD; FX 7.1 (2026-11-02) → 56.80 CNY",
    )
  })

  it('flags a missing FX rate instead of a base amount', () => {
    const e = entry({ base_amount_minor: null, fx_rate: null, fx_missing: true, explanation: { source: 'plan', rate_bps: 1000, base: 'net', base_minor: 8097, fx_missing: true } })
    expect(explainEntry(e, tEn)).toBe('10.00% × 80.97 USD (net) = 8.10 USD; no USD → CNY rate for that day: base amount missing')
  })

  it('leaves FX out when the entry is in the base currency', () => {
    const e = entry({ base_currency: 'USD', base_amount_minor: 810, fx_rate: '1' })
    expect(explainEntry(e, tEn)).toBe('10.00% × 80.97 USD (net) = 8.10 USD; plan v2')
  })

  it('says a flat commission and per-item rates', () => {
    const flat = entry({ rate_bps: null, amount_minor: 500, explanation: { source: 'plan', plan_version: 3, plan_type: 'flat', flat_amount_minor: 500, base: 'net', base_minor: 8097 } })
    expect(explainEntry(flat, tEn)).toBe('flat 5.00 USD per order; plan v3; FX 7.1 → 57.51 CNY')
    const items = entry({
      amount_minor: 1100,
      base_currency: 'USD',
      explanation: {
        source: 'items',
        plan_version: 1,
        base: 'net',
        base_minor: 8000,
        items: [
          { sku: 'CUP-1', amount_minor: 5000, rate_bps: 1500, source: 'product' },
          { sku: 'CUP-2', amount_minor: 3000, rate_bps: 1167, source: 'plan' },
        ],
      },
    })
    expect(explainEntry(items, tEn)).toBe('CUP-1 50.00 USD × 15.00% + CUP-2 30.00 USD × 11.67% = 11.00 USD; on 80.00 USD (net); plan v1')
  })

  it('says a refund’s proportional reversal, a full refund’s remainder and a rejection', () => {
    const refund = entry({
      kind: 'reversal',
      amount_minor: -200,
      base_amount_minor: -1420,
      explanation: { source: 'refund', commission_minor: 810, refunded_minor: 2000, order_amount_minor: 8097, fx_rate: '7.1' },
    })
    expect(explainEntry(refund, tEn)).toBe('−(8.10 USD × 20.00 USD refunded ÷ 80.97 USD) = -2.00 USD; FX 7.1 → -14.20 CNY')
    const rest = entry({ kind: 'reversal', amount_minor: -610, base_amount_minor: -4331, explanation: { source: 'refund', commission_minor: 810, remainder: true } })
    expect(explainEntry(rest, tEn)).toBe('full refund: the rest of 8.10 USD reversed = -6.10 USD; FX 7.1 → -43.31 CNY')
    const rejected = entry({ kind: 'reversal', amount_minor: -810, base_currency: 'USD', explanation: { source: 'rejection', note: 'fake order' } })
    expect(explainEntry(rejected, tEn)).toBe('rejected: the remaining commission reversed = -8.10 USD; note: fake order')
    expect(explainEntry(rejected, tZh)).toBe('驳回：冲销剩余佣金 = -8.10 USD；备注：fake order')
  })

  it('says when a closed month sent the entry to a later period', () => {
    const e = entry({ period: '2026-12', base_currency: 'USD', explanation: { source: 'plan', rate_bps: 1000, base: 'net', base_minor: 8097, event_period: '2026-11' } })
    expect(explainEntry(e, tEn)).toBe('10.00% × 80.97 USD (net) = 8.10 USD; 2026-11 was closed: booked in 2026-12')
  })
})

describe('times in the organization’s zone', () => {
  it('turns a wall-clock time in a zone into UTC', () => {
    expect(zonedToUtc('2026-11-03T09:15', 'Asia/Shanghai')).toBe('2026-11-03T01:15:00Z')
    expect(zonedToUtc('2026-11-03', 'Asia/Shanghai')).toBe('2026-11-02T16:00:00Z')
    expect(zonedToUtc('2026-07-01T12:00', 'America/New_York')).toBe('2026-07-01T16:00:00Z') // EDT
    expect(zonedToUtc('2026-12-01T12:00', 'America/New_York')).toBe('2026-12-01T17:00:00Z') // EST
    expect(zonedToUtc('2026-11-03T09:15', 'UTC')).toBe('2026-11-03T09:15:00Z')
    expect(zonedToUtc('yesterday', 'UTC')).toBeNull()
  })

  it('gives the day and the input value of an instant in a zone', () => {
    const at = Date.parse('2026-11-02T17:30:00Z')
    expect(dayInZone(at, 'Asia/Shanghai')).toBe('2026-11-03')
    expect(dayInZone(at, 'UTC')).toBe('2026-11-02')
    expect(localInputValue(at, 'Asia/Shanghai')).toBe('2026-11-03T01:30')
  })

  it('dates a refund: now for today, the day’s start otherwise, never before the order', () => {
    const now = Date.parse('2026-11-10T04:00:00Z') // 12:00 in Shanghai
    const order = '2026-11-03T01:15:22Z'
    expect(refundInstant('', 'Asia/Shanghai', order, now)).toBeUndefined()
    expect(refundInstant('2026-11-10', 'Asia/Shanghai', order, now)).toBeUndefined()
    expect(refundInstant('2026-11-05', 'Asia/Shanghai', order, now)).toBe('2026-11-04T16:00:00Z')
    expect(refundInstant('2026-11-03', 'Asia/Shanghai', order, now)).toBe(order)
  })
})

describe('list filters in the URL', () => {
  it('round-trips the orders filters and drops unknown values', () => {
    const f = orderFiltersFromSearch(new URLSearchParams('status=pending&attributed=true&creator_id=c1&from=2026-11-01&to=bad&q=SO-1&platform=tiktok'))
    expect(f).toEqual({ ...EMPTY_ORDER_FILTERS, status: 'pending', attributed: 'true', creator_id: 'c1', from: '2026-11-01', q: 'SO-1', platform: 'tiktok' })
    expect(orderFiltersFromSearch(orderFiltersToSearch(f))).toEqual(f)
    expect(orderFiltersFromSearch(new URLSearchParams('status=nope&attributed=maybe'))).toEqual(EMPTY_ORDER_FILTERS)
    expect(orderFiltersToQuery(f)).toMatchObject({ status: 'pending', attributed: 'true', campaign_id: undefined })
  })

  it('says the bulk filter only when the decisions route can say the same set', () => {
    const f = { ...EMPTY_ORDER_FILTERS, status: 'pending' as const, campaign_id: 'cm1' }
    expect(bulkFilterFor(f, 'approve')).toEqual({ status: 'pending', campaign_id: 'cm1' })
    expect(bulkFilterFor({ ...f, q: 'SO-1' }, 'approve')).toBeNull()
    expect(bulkFilterFor({ ...f, attributed: 'true' }, 'approve')).toEqual({ status: 'pending', campaign_id: 'cm1' })
    expect(bulkFilterFor({ ...f, attributed: 'true' }, 'reject')).toBeNull()
    expect(bulkFilterFor({ ...f, attributed: 'false' }, 'approve')).toBeNull()
  })

  it('round-trips the commissions filters', () => {
    const f = entryFiltersFromSearch(new URLSearchParams('kind=reversal&period=2026-11&fx_missing=true&creator_id=c1'))
    expect(f).toEqual({ creator_id: 'c1', campaign_id: '', conversion_id: '', kind: 'reversal', period: '2026-11', fx_missing: true })
    expect(entryFiltersFromSearch(entryFiltersToSearch(f))).toEqual(f)
    expect(entryFiltersFromSearch(new URLSearchParams('kind=bonus&period=2026-13x')).kind).toBe('')
  })
})

describe('the order file template', () => {
  it('has the headers the server reads, in the UI language', () => {
    expect(orderTemplateCsv('zh-CN').split('\r\n')[0]).toBe('\uFEFF订单号,下单时间,币种,金额,折扣,平台,达人账号,优惠码,SKU,数量,退款金额')
    expect(orderTemplateCsv('en-US').split('\r\n')[0]).toBe('\uFEFFOrder ID,Order Date,Currency,Amount,Discount,Platform,Handle,Promo Code,SKU,Quantity,Refunded')
  })
})
