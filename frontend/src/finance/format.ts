// Pure helpers of the finance screens: months, statement totals per currency (integer sums, never
// floats), amounts typed in major units with a sign, payout minimums, the statement range ⇄ URL, and
// the audit log's before/after details as rows.
import type { Money } from '../api/types'
import { parseMajor } from '../orders/format'
import type { StatementLine, StatementRange } from './api'

// --- months (YYYY-MM) ---

const MONTH = /^(\d{4})-(0[1-9]|1[0-2])$/

export function isMonth(s: string | null | undefined): s is string {
  return !!s && MONTH.test(s)
}

/** The month n months after (or before, n < 0) a YYYY-MM month. */
export function addMonths(period: string, n: number): string {
  const m = MONTH.exec(period)
  if (!m) throw new RangeError(`not a month: ${period}`)
  const index = Number(m[1]) * 12 + (Number(m[2]) - 1) + n
  const year = Math.floor(index / 12)
  const month = index - year * 12 + 1
  return `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}`
}

/** Whether a month has ended, given the current month (only those can be closed). */
export function hasEnded(period: string, current: string): boolean {
  return period < current
}

/** The first and last day of a month: ("2026-02") → ["2026-02-01", "2026-02-28"]. */
export function monthDays(period: string): [string, string] {
  const next = addMonths(period, 1)
  const last = new Date(Date.UTC(Number(next.slice(0, 4)), Number(next.slice(5, 7)) - 1, 0)).getUTCDate()
  return [`${period}-01`, `${period}-${String(last).padStart(2, '0')}`]
}

// --- statements ---

/** The money columns of a statement line, in table order. */
export const STATEMENT_MONEY = [
  'gmv_minor',
  'commission_minor',
  'reversal_minor',
  'adjustment_minor',
  'agency_share_minor',
  'payable_minor',
  'pending_minor',
] as const satisfies readonly (keyof StatementLine)[]
export type StatementMoneyField = (typeof STATEMENT_MONEY)[number]

/** A currency's totals over the statement lines in it. */
export interface StatementTotal {
  currency: string
  creators: number
  conversions: number
  sums: Record<StatementMoneyField, number>
}

function toSafe(v: bigint): number {
  if (v > BigInt(Number.MAX_SAFE_INTEGER) || v < -BigInt(Number.MAX_SAFE_INTEGER)) throw new RangeError('total out of range')
  return Number(v)
}

/**
 * Totals per currency (in first-seen order): each money column summed as integers (BigInt), the
 * way the server sums rounded entries, so a total is exact to the minor unit.
 */
export function statementTotals(items: readonly StatementLine[]): StatementTotal[] {
  const by = new Map<string, { creators: Set<string>; conversions: number; sums: Record<StatementMoneyField, bigint> }>()
  for (const line of items) {
    let acc = by.get(line.currency)
    if (!acc) {
      acc = { creators: new Set(), conversions: 0, sums: Object.fromEntries(STATEMENT_MONEY.map((k) => [k, 0n])) as Record<StatementMoneyField, bigint> }
      by.set(line.currency, acc)
    }
    acc.creators.add(line.creator_id)
    acc.conversions += line.conversions
    for (const k of STATEMENT_MONEY) acc.sums[k] += BigInt(line[k])
  }
  return [...by].map(([currency, acc]) => ({
    currency,
    creators: acc.creators.size,
    conversions: acc.conversions,
    sums: Object.fromEntries(STATEMENT_MONEY.map((k) => [k, toSafe(acc.sums[k])])) as Record<StatementMoneyField, number>,
  }))
}

/** The base-currency payable of all lines, per base currency (one, unless the base changed). */
export function basePayableTotal(items: readonly StatementLine[]): Money[] {
  const by = new Map<string, bigint>()
  for (const line of items) by.set(line.base_currency, (by.get(line.base_currency) ?? 0n) + BigInt(line.base_payable_minor))
  return [...by].map(([currency, v]) => ({ currency, amount_minor: toSafe(v) }))
}

/** The statement range of a URL query: ?period=YYYY-MM, or ?from=&to=; null when neither is complete. */
export function rangeFromSearch(sp: URLSearchParams): StatementRange | null {
  const period = sp.get('period')
  if (isMonth(period)) return { period }
  const from = sp.get('from') ?? ''
  const to = sp.get('to') ?? ''
  const day = /^\d{4}-\d{2}-\d{2}$/
  if (day.test(from) && day.test(to) && from <= to) return { from, to }
  return null
}

export function rangeToSearch(r: StatementRange | null): URLSearchParams {
  const sp = new URLSearchParams()
  if (!r) return sp
  if ('period' in r) sp.set('period', r.period)
  else {
    sp.set('from', r.from)
    sp.set('to', r.to)
  }
  return sp
}

/** "2026-10" or "2026-10-01 – 2026-10-15", for titles and file names. */
export function rangeLabel(r: StatementRange): string {
  return 'period' in r ? r.period : `${r.from} – ${r.to}`
}

// --- amounts typed by people ---

/**
 * An adjustment typed in major units with its direction: ("12.50", "USD", "deduct") → -1250. A
 * leading sign in the text is accepted too ("-12.50" deducts whatever the direction says). null when
 * the amount is not valid for the currency or is zero.
 */
export function signedMinor(text: string, currency: string, direction: 'add' | 'deduct'): number | null {
  const s = text.trim().replace(/^[−–]/, '-')
  const negative = s.startsWith('-')
  const minor = parseMajor(s.replace(/^[+-]/, ''), currency)
  if (minor === null || minor === 0) return null
  return negative || direction === 'deduct' ? -minor : minor
}

/** A minimum typed per currency, as the batch's `minimums` (minor units); the problems by row. */
export function minimumsBody(rows: readonly { currency?: string; amount?: string }[]): {
  minimums: Record<string, number>
  errors: { index: number; problem: 'currency' | 'amount' | 'duplicate' }[]
} {
  const minimums: Record<string, number> = {}
  const errors: { index: number; problem: 'currency' | 'amount' | 'duplicate' }[] = []
  rows.forEach((row, index) => {
    const currency = (row.currency ?? '').trim().toUpperCase()
    const amount = (row.amount ?? '').trim()
    if (!currency && !amount) return
    if (!/^[A-Z]{3}$/.test(currency)) return errors.push({ index, problem: 'currency' })
    const minor = parseMajor(amount, currency)
    if (minor === null) return errors.push({ index, problem: 'amount' })
    if (currency in minimums) return errors.push({ index, problem: 'duplicate' })
    minimums[currency] = minor
  })
  return { minimums, errors }
}

/** PayPal takes one currency per file: a currency must be chosen when the payouts have several. */
export function needsCurrency(format: string, currencies: readonly string[], chosen: string | undefined): boolean {
  return format === 'paypal' && !chosen && new Set(currencies).size > 1
}

/** The distinct currencies of a list, sorted. */
export function currenciesOf(list: readonly { currency: string }[]): string[] {
  return [...new Set(list.map((x) => x.currency))].sort()
}

// --- audit log details ---

/** One row of an audit entry's details: a field and its value before and after (or just its value). */
export interface DetailRow {
  field: string
  before?: string
  after?: string
  value?: string
}

function show(v: unknown): string {
  if (v === null || v === undefined) return '—'
  if (typeof v === 'string') return v
  return JSON.stringify(v)
}

/**
 * An audit entry's details as rows a person can read. `before`/`after` objects become one row per
 * changed field (unchanged ones are left out); scalar `before`/`after` one row; every other key a row
 * with its value.
 */
export function detailRows(details: unknown): DetailRow[] {
  if (details === null || details === undefined) return []
  if (typeof details !== 'object' || Array.isArray(details)) return [{ field: '', value: show(details) }]
  const d = details as Record<string, unknown>
  const rows: DetailRow[] = []
  const hasChange = 'before' in d || 'after' in d
  if (hasChange) {
    const b = d.before
    const a = d.after
    const isObj = (v: unknown): v is Record<string, unknown> => !!v && typeof v === 'object' && !Array.isArray(v)
    if (isObj(b) || isObj(a)) {
      const bo = isObj(b) ? b : {}
      const ao = isObj(a) ? a : {}
      const keys = [...new Set([...Object.keys(bo), ...Object.keys(ao)])]
      for (const k of keys) {
        const before = show(bo[k])
        const after = show(ao[k])
        if (before !== after) rows.push({ field: k, before, after })
      }
    } else {
      rows.push({ field: '', before: show(b), after: show(a) })
    }
  }
  for (const [k, v] of Object.entries(d)) {
    if (hasChange && (k === 'before' || k === 'after')) continue
    rows.push({ field: k, value: show(v) })
  }
  return rows
}

/**
 * The actions the server records, finance's first: the audit log filter offers these (its label is
 * translated where the locale has one, the code otherwise).
 */
export const AUDIT_ACTIONS = [
  'period.close',
  'period.reopen',
  'adjustment.create',
  'payout.batch',
  'payout.paid',
  'fx_rate.put',
  'fx_rate.import',
  'conversion.approve',
  'conversion.reject',
  'conversion.attribute',
  'conversion.import',
  'creator.erase',
  'store.create',
  'store.delete',
  'user.create',
  'user.update',
  'user.login',
  'user.login_failed',
  'user.logout',
  'user.password_changed',
  'session.refresh_reused',
  'api_key.create',
  'api_key.revoke',
  'org.setup',
  'creator.create',
  'creator.update',
  'creator.delete',
  'creator.restore',
  'creator.import',
  'creator.note',
  'account.create',
  'account.update',
  'account.delete',
  'agency.create',
  'agency.update',
  'agency.delete',
  'platform.risk',
  'campaign.create',
  'campaign.update',
  'campaign.plan',
  'campaign.delete',
  'enrolment.create',
  'enrolment.update',
  'deliverable.create',
  'deliverable.update',
  'sample.create',
  'sample.update',
  'link.create',
  'link.update',
  'promo_code.create',
  'promo_code.update',
  'product.create',
  'product.update',
  'product.delete',
  'product.import',
] as const
