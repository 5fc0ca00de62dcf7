import { describe, expect, it } from 'vitest'
import type { StatementLine } from './api'
import {
  addMonths,
  basePayableTotal,
  currenciesOf,
  detailRows,
  hasEnded,
  isMonth,
  minimumsBody,
  monthDays,
  needsCurrency,
  rangeFromSearch,
  rangeLabel,
  rangeToSearch,
  signedMinor,
  statementTotals,
} from './format'
import { fxTemplateCsv } from './template'

const line = (over: Partial<StatementLine>): StatementLine => ({
  creator_id: 'c1',
  creator_name: 'Luna',
  currency: 'USD',
  conversions: 1,
  gmv_minor: 0,
  commission_minor: 0,
  reversal_minor: 0,
  adjustment_minor: 0,
  agency_share_minor: 0,
  payable_minor: 0,
  pending_minor: 0,
  base_currency: 'CNY',
  base_payable_minor: 0,
  ...over,
})

describe('months', () => {
  it('steps across years both ways', () => {
    expect(addMonths('2026-12', 1)).toBe('2027-01')
    expect(addMonths('2026-01', -1)).toBe('2025-12')
    expect(addMonths('2026-10', -13)).toBe('2025-09')
    expect(addMonths('2026-10', 0)).toBe('2026-10')
    expect(() => addMonths('2026-13', 1)).toThrow()
  })

  it('knows a month and whether it has ended', () => {
    expect(isMonth('2026-10')).toBe(true)
    expect(isMonth('2026-1')).toBe(false)
    expect(isMonth('2026-00')).toBe(false)
    expect(isMonth(null)).toBe(false)
    expect(hasEnded('2026-10', '2026-11')).toBe(true)
    expect(hasEnded('2026-11', '2026-11')).toBe(false)
    expect(hasEnded('2025-12', '2026-01')).toBe(true)
  })

  it('gives the first and last day of a month, leap years included', () => {
    expect(monthDays('2026-02')).toEqual(['2026-02-01', '2026-02-28'])
    expect(monthDays('2028-02')).toEqual(['2028-02-01', '2028-02-29'])
    expect(monthDays('2026-12')).toEqual(['2026-12-01', '2026-12-31'])
  })
})

describe('statement totals', () => {
  it('sums each column per currency as integers, exactly', () => {
    const items = [
      line({ creator_id: 'a', currency: 'USD', conversions: 2, commission_minor: 1001, reversal_minor: -333, payable_minor: 668, base_payable_minor: 4743 }),
      line({ creator_id: 'b', currency: 'JPY', conversions: 1, commission_minor: 1200, payable_minor: 1200, base_payable_minor: 5712 }),
      line({ creator_id: 'b', currency: 'USD', conversions: 3, commission_minor: 2, adjustment_minor: -1, agency_share_minor: 1, payable_minor: 0, pending_minor: 7, base_payable_minor: 0 }),
    ]
    const totals = statementTotals(items)
    expect(totals.map((t) => t.currency)).toEqual(['USD', 'JPY'])
    const usd = totals[0]
    expect(usd.creators).toBe(2)
    expect(usd.conversions).toBe(5)
    expect(usd.sums.commission_minor).toBe(1003)
    expect(usd.sums.reversal_minor).toBe(-333)
    expect(usd.sums.adjustment_minor).toBe(-1)
    expect(usd.sums.agency_share_minor).toBe(1)
    expect(usd.sums.payable_minor).toBe(668)
    expect(usd.sums.pending_minor).toBe(7)
    expect(totals[1].sums.payable_minor).toBe(1200)
    expect(basePayableTotal(items)).toEqual([{ currency: 'CNY', amount_minor: 10455 }])
  })

  it('adds 0.1 + 0.2 without float drift (minor units)', () => {
    const t = statementTotals([line({ payable_minor: 10 }), line({ payable_minor: 20 })])
    expect(t[0].sums.payable_minor).toBe(30)
  })

  it('has nothing to total for no lines', () => {
    expect(statementTotals([])).toEqual([])
    expect(basePayableTotal([])).toEqual([])
  })
})

describe('statement range ⇄ URL', () => {
  it('reads a period, or a complete range of days', () => {
    expect(rangeFromSearch(new URLSearchParams('period=2026-10'))).toEqual({ period: '2026-10' })
    expect(rangeFromSearch(new URLSearchParams('from=2026-10-01&to=2026-10-15'))).toEqual({ from: '2026-10-01', to: '2026-10-15' })
    expect(rangeFromSearch(new URLSearchParams('from=2026-10-15&to=2026-10-01'))).toBeNull()
    expect(rangeFromSearch(new URLSearchParams('from=2026-10-01'))).toBeNull()
    expect(rangeFromSearch(new URLSearchParams('period=oct'))).toBeNull()
  })

  it('writes what it reads', () => {
    for (const r of [{ period: '2026-10' }, { from: '2026-10-01', to: '2026-10-15' }]) {
      expect(rangeFromSearch(rangeToSearch(r))).toEqual(r)
    }
    expect(rangeToSearch(null).toString()).toBe('')
    expect(rangeLabel({ from: '2026-10-01', to: '2026-10-15' })).toBe('2026-10-01 – 2026-10-15')
  })
})

describe('amounts typed by people', () => {
  it('turns major units into signed minor units, by direction or sign', () => {
    expect(signedMinor('12.50', 'USD', 'add')).toBe(1250)
    expect(signedMinor('12.5', 'USD', 'deduct')).toBe(-1250)
    expect(signedMinor('-3', 'USD', 'add')).toBe(-300)
    expect(signedMinor('−3', 'USD', 'add')).toBe(-300)
    expect(signedMinor('+3', 'USD', 'deduct')).toBe(-300)
    expect(signedMinor('1,200', 'JPY', 'add')).toBe(1200)
    expect(signedMinor('0.07', 'USD', 'add')).toBe(7)
  })

  it('refuses zero, too many decimals and text', () => {
    expect(signedMinor('0', 'USD', 'add')).toBeNull()
    expect(signedMinor('0.00', 'USD', 'add')).toBeNull()
    expect(signedMinor('1.5', 'JPY', 'add')).toBeNull()
    expect(signedMinor('1.234', 'USD', 'add')).toBeNull()
    expect(signedMinor('abc', 'USD', 'add')).toBeNull()
    expect(signedMinor('', 'USD', 'add')).toBeNull()
  })

  it('builds the minimums per currency and says which rows are wrong', () => {
    expect(minimumsBody([{ currency: 'USD', amount: '50' }, { currency: 'jpy', amount: '5000' }, {}])).toEqual({
      minimums: { USD: 5000, JPY: 5000 },
      errors: [],
    })
    const bad = minimumsBody([{ currency: 'USD', amount: '1.234' }, { amount: '5' }, { currency: 'EUR', amount: '1' }, { currency: 'EUR', amount: '2' }])
    expect(bad.minimums).toEqual({ EUR: 100 })
    expect(bad.errors).toEqual([
      { index: 0, problem: 'amount' },
      { index: 1, problem: 'currency' },
      { index: 3, problem: 'duplicate' },
    ])
  })
})

describe('payout files', () => {
  it('asks PayPal for a currency when there are several', () => {
    expect(needsCurrency('paypal', ['USD', 'EUR'], undefined)).toBe(true)
    expect(needsCurrency('paypal', ['USD', 'EUR'], 'USD')).toBe(false)
    expect(needsCurrency('paypal', ['USD', 'USD'], undefined)).toBe(false)
    expect(needsCurrency('wise', ['USD', 'EUR'], undefined)).toBe(false)
    expect(currenciesOf([{ currency: 'USD' }, { currency: 'EUR' }, { currency: 'USD' }])).toEqual(['EUR', 'USD'])
  })

  it('offers an FX template the import reads, with a BOM for Excel', () => {
    const csv = fxTemplateCsv('CNY', true)
    expect(csv.startsWith('\ufeff日期,币种,本位币,汇率\r\n')).toBe(true)
    expect(csv).toContain('2026-01-01,USD,CNY,7.1012')
    expect(fxTemplateCsv('USD', false)).toContain('Date,Currency,Base Currency,Rate\r\n2026-01-01,CNY,USD,')
  })
})

describe('audit details', () => {
  it('shows a scalar before/after as one change and the rest as facts', () => {
    expect(detailRows({ before: 'pending', after: 'paid', reference: 'WISE-1', amount_minor: 1000 })).toEqual([
      { field: '', before: 'pending', after: 'paid' },
      { field: 'reference', value: 'WISE-1' },
      { field: 'amount_minor', value: '1000' },
    ])
  })

  it('lists only the changed fields of before/after objects', () => {
    expect(detailRows({ before: { role: 'viewer', name: 'Fang' }, after: { role: 'finance', name: 'Fang', status: 'active' } })).toEqual([
      { field: 'role', before: 'viewer', after: 'finance' },
      { field: 'status', before: '—', after: 'active' },
    ])
  })

  it('copes with empty and odd details', () => {
    expect(detailRows(null)).toEqual([])
    expect(detailRows({})).toEqual([])
    expect(detailRows('text')).toEqual([{ field: '', value: 'text' }])
    expect(detailRows({ closed_by: null, tags: ['a'] })).toEqual([
      { field: 'closed_by', value: '—' },
      { field: 'tags', value: '["a"]' },
    ])
  })
})
