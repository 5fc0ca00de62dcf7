// Pure helpers of the orders and commissions screens: exact money typed in major units, the
// explanation of a ledger entry as one sentence, commission totals, times in the organization's
// zone, and the list filters ⇄ URL query.
import type { ConversionStatus, EntryKind, LedgerEntry, Money } from '../api/types'
import { CONVERSION_STATUSES, ENTRY_KINDS } from '../api/types'
import { currencyDecimals, minorToDecimal } from '../money'

type T = (key: string, opts?: Record<string, unknown>) => string

/** Minor units as "80.97 USD": exact, and unambiguous for a finance clerk (¥ is both CNY and JPY). */
export function plainMoney(minor: number, currency: string): string {
  return `${minorToDecimal(minor, currencyDecimals(currency))} ${currency}`
}

/** Basis points with two decimals: 1000 → "10.00%". */
export function percentText(bps: number): string {
  return `${minorToDecimal(bps, 2)}%`
}

/**
 * An amount typed in major units ("80.97", "1,234.5", "  12 ") as exact minor units of currency,
 * parsed as a decimal string (never through a float). null when it is not a non-negative amount or
 * has more decimals than the currency (JPY takes none).
 */
export function parseMajor(text: string, currency: string): number | null {
  const s = text.trim().replace(/[,\s\u00a0]/g, '').replace(/，/g, '')
  const m = /^(\d+)(?:\.(\d*))?$/.exec(s)
  if (!m) return null
  const decimals = currencyDecimals(currency)
  const frac = (m[2] ?? '').replace(/0+$/, '')
  if (frac.length > decimals) return null
  const minor = BigInt(m[1] + frac.padEnd(decimals, '0'))
  if (minor > BigInt(Number.MAX_SAFE_INTEGER)) return null
  return Number(minor)
}

/** Sums integer minor units per currency, in first-seen order (exact: integers, no floats). */
export function sumByCurrency(list: readonly { amount_minor: number; currency: string }[]): Money[] {
  const out = new Map<string, bigint>()
  for (const m of list) out.set(m.currency, (out.get(m.currency) ?? 0n) + BigInt(m.amount_minor))
  return [...out].map(([currency, v]) => ({ currency, amount_minor: Number(v) }))
}

/** The commission of an order: the sum of its entries (commissions, reversals, adjustments). */
export function commissionOf(entries: readonly LedgerEntry[]): Money[] {
  return sumByCurrency(entries)
}

/**
 * A ledger entry's explanation as one sentence a finance user can recompute by hand:
 * "10.00% × 80.97 USD (net) = 8.10 USD; plan v2; FX 7.1 → 57.51 CNY". orderCurrency is the order's
 * currency (the base and refunds are in it); it defaults to the entry's.
 */
export function explainEntry(e: LedgerEntry, t: T, orderCurrency?: string): string {
  const x = e.explanation ?? { source: '' }
  const cur = e.currency
  const oc = orderCurrency ?? cur
  const amount = plainMoney(e.amount_minor, cur)
  const parts: string[] = []
  if (e.kind === 'commission') {
    if (x.flat_amount_minor != null) {
      parts.push(t('explain.flat', { amount }))
    } else if (x.items && x.items.length > 0 && x.source === 'items') {
      const lines = x.items
        .map((it) => t('explain.line', { sku: it.sku, amount: plainMoney(it.amount_minor, oc), rate: percentText(it.rate_bps) }))
        .join(' + ')
      parts.push(t('explain.items', { lines, amount }))
      if (x.base_minor != null) parts.push(t('explain.onBase', { base: plainMoney(x.base_minor, oc), baseKind: t(`explain.base_${x.base ?? 'net'}`) }))
    } else if (x.rate_bps != null && x.base_minor != null) {
      parts.push(
        t('explain.rate', {
          rate: percentText(x.rate_bps),
          base: plainMoney(x.base_minor, oc),
          baseKind: t(`explain.base_${x.base ?? 'net'}`),
          amount,
        }),
      )
    } else {
      parts.push(amount)
    }
    if (x.plan_version != null) parts.push(t('explain.plan', { version: x.plan_version }))
    if (x.source && x.source !== 'plan' && x.source !== 'items') parts.push(t(`explain.source_${x.source}`, { defaultValue: x.source }))
    if (x.tier != null) {
      const tier = t('explain.tier', { tier: x.tier + 1, from: plainMoney(x.tier_from_gmv_minor ?? 0, oc) })
      parts.push(x.prior_gmv_minor != null ? `${tier}, ${t('explain.prior', { prior: plainMoney(x.prior_gmv_minor, oc) })}` : tier)
    }
  } else if (e.kind === 'reversal') {
    if (x.source === 'refund' && x.remainder) {
      parts.push(t('explain.remainder', { commission: plainMoney(x.commission_minor ?? 0, cur), amount }))
    } else if (x.source === 'refund') {
      parts.push(
        t('explain.refund', {
          commission: plainMoney(x.commission_minor ?? 0, cur),
          refunded: plainMoney(x.refunded_minor ?? 0, oc),
          order: plainMoney(x.order_amount_minor ?? 0, oc),
          amount,
        }),
      )
    } else {
      parts.push(t('explain.rejection', { amount }))
    }
  } else {
    parts.push(t('explain.adjustment', { amount }))
  }
  if (e.base_currency && e.base_currency !== cur) {
    if (e.fx_missing || x.fx_missing || e.base_amount_minor == null) {
      parts.push(t('explain.fxMissing', { currency: cur, base: e.base_currency }))
    } else {
      const rate = e.fx_rate ?? x.fx_rate ?? ''
      const base = plainMoney(e.base_amount_minor, e.base_currency)
      parts.push(x.fx_day ? t('explain.fxDay', { rate, day: x.fx_day, amount: base }) : t('explain.fx', { rate, amount: base }))
    }
  }
  if (x.event_period) parts.push(t('explain.moved', { event: x.event_period, period: e.period }))
  const note = x.note || e.reason
  if (note) parts.push(t('explain.note', { note }))
  return parts.join(t('explain.sep'))
}

// --- times in the organization's zone ---

function zoneParts(ms: number, timeZone: string): Record<string, number> {
  const f = new Intl.DateTimeFormat('en-US', {
    timeZone,
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  })
  const out: Record<string, number> = {}
  for (const p of f.formatToParts(new Date(ms))) if (p.type !== 'literal') out[p.type] = Number(p.value)
  return out
}

/** Milliseconds the zone is ahead of UTC at the instant ms. */
function zoneOffset(ms: number, timeZone: string): number {
  const p = zoneParts(ms, timeZone)
  const asUTC = Date.UTC(p.year, p.month - 1, p.day, p.hour % 24, p.minute, p.second)
  return asUTC - Math.floor(ms / 1000) * 1000
}

/**
 * A wall-clock time typed in a zone ("2026-11-03T09:15" or "2026-11-03", as an <input> gives it) as
 * an RFC 3339 instant in UTC; null when it is not such a time.
 */
export function zonedToUtc(local: string, timeZone: string): string | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2}))?)?$/.exec(local.trim())
  if (!m) return null
  const [y, mo, d, h, mi, s] = [m[1], m[2], m[3], m[4] ?? '0', m[5] ?? '0', m[6] ?? '0'].map(Number)
  const guess = Date.UTC(y, mo - 1, d, h, mi, s)
  if (Number.isNaN(guess)) return null
  try {
    let at = guess - zoneOffset(guess, timeZone)
    // Across a DST change the offset at the result may differ from the guess's: take it again.
    const again = guess - zoneOffset(at, timeZone)
    if (again !== at) at = again
    return new Date(at).toISOString().replace('.000Z', 'Z')
  } catch {
    return null
  }
}

/** The calendar day (YYYY-MM-DD) of an instant in a zone. */
export function dayInZone(ms: number, timeZone: string): string {
  try {
    const p = zoneParts(ms, timeZone)
    return `${String(p.year).padStart(4, '0')}-${String(p.month).padStart(2, '0')}-${String(p.day).padStart(2, '0')}`
  } catch {
    return new Date(ms).toISOString().slice(0, 10)
  }
}

/** "2026-11-03T09:15" for a datetime-local input: the instant's wall clock in the zone. */
export function localInputValue(ms: number, timeZone: string): string {
  try {
    const p = zoneParts(ms, timeZone)
    const two = (n: number) => String(n).padStart(2, '0')
    return `${dayInZone(ms, timeZone)}T${two(p.hour % 24)}:${two(p.minute)}`
  } catch {
    return new Date(ms).toISOString().slice(0, 16)
  }
}

/** An instant for the UI language in the organization's zone: "Nov 3, 2026, 5:15 PM". */
export function formatInZone(iso: string | null | undefined, lang: string, timeZone: string | undefined): string {
  if (!iso) return ''
  const d = new Date(iso)
  if (Number.isNaN(d.getTime())) return iso
  try {
    return new Intl.DateTimeFormat(lang, { dateStyle: 'medium', timeStyle: 'short', timeZone }).format(d)
  } catch {
    return new Intl.DateTimeFormat(lang, { dateStyle: 'medium', timeStyle: 'short' }).format(d)
  }
}

// --- the orders list's filters ⇄ URL ---

export interface OrderFilters {
  q: string
  status: ConversionStatus | ''
  attributed: 'true' | 'false' | ''
  creator_id: string
  campaign_id: string
  platform: string
  from: string
  to: string
}

export const EMPTY_ORDER_FILTERS: OrderFilters = { q: '', status: '', attributed: '', creator_id: '', campaign_id: '', platform: '', from: '', to: '' }

const DAY = /^\d{4}-\d{2}-\d{2}$/

export function orderFiltersFromSearch(sp: URLSearchParams): OrderFilters {
  const status = sp.get('status') ?? ''
  const attributed = sp.get('attributed') ?? ''
  const day = (k: string) => (DAY.test(sp.get(k) ?? '') ? (sp.get(k) as string) : '')
  return {
    q: (sp.get('q') ?? '').trim(),
    status: (CONVERSION_STATUSES as readonly string[]).includes(status) ? (status as ConversionStatus) : '',
    attributed: attributed === 'true' || attributed === 'false' ? attributed : '',
    creator_id: sp.get('creator_id') ?? '',
    campaign_id: sp.get('campaign_id') ?? '',
    platform: sp.get('platform') ?? '',
    from: day('from'),
    to: day('to'),
  }
}

export function orderFiltersToSearch(f: OrderFilters): URLSearchParams {
  const sp = new URLSearchParams()
  for (const k of Object.keys(EMPTY_ORDER_FILTERS) as (keyof OrderFilters)[]) if (f[k]) sp.set(k, f[k])
  return sp
}

/** The list's query: the filters that are set. */
export function orderFiltersToQuery(f: OrderFilters): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = {}
  for (const k of Object.keys(EMPTY_ORDER_FILTERS) as (keyof OrderFilters)[]) out[k] = f[k] || undefined
  return out
}

export function activeOrderFilters(f: OrderFilters): number {
  return (Object.keys(EMPTY_ORDER_FILTERS) as (keyof OrderFilters)[]).filter((k) => k !== 'q' && f[k]).length
}

/**
 * The filter of a bulk decision on "everything matching", or null when the decisions route cannot
 * say the same set: it takes no order-number search and no attributed flag. Approving an
 * "attributed" filter is still exact (unattributed orders are skipped by an approval anyway).
 */
export function bulkFilterFor(f: OrderFilters, action: 'approve' | 'reject'): Record<string, string> | null {
  if (f.q) return null
  if (f.attributed === 'false') return null
  if (f.attributed === 'true' && action === 'reject') return null
  const out: Record<string, string> = {}
  for (const k of ['status', 'creator_id', 'campaign_id', 'platform', 'from', 'to'] as const) if (f[k]) out[k] = f[k]
  return out
}

// --- the commissions list's filters ⇄ URL ---

export interface EntryFilters {
  creator_id: string
  campaign_id: string
  conversion_id: string
  kind: EntryKind | ''
  period: string
  fx_missing: boolean
}

export const EMPTY_ENTRY_FILTERS: EntryFilters = { creator_id: '', campaign_id: '', conversion_id: '', kind: '', period: '', fx_missing: false }

export function entryFiltersFromSearch(sp: URLSearchParams): EntryFilters {
  const kind = sp.get('kind') ?? ''
  const period = sp.get('period') ?? ''
  return {
    creator_id: sp.get('creator_id') ?? '',
    campaign_id: sp.get('campaign_id') ?? '',
    conversion_id: sp.get('conversion_id') ?? '',
    kind: (ENTRY_KINDS as readonly string[]).includes(kind) ? (kind as EntryKind) : '',
    period: /^\d{4}-\d{2}$/.test(period) ? period : '',
    fx_missing: sp.get('fx_missing') === 'true',
  }
}

export function entryFiltersToSearch(f: EntryFilters): URLSearchParams {
  const sp = new URLSearchParams()
  for (const k of ['creator_id', 'campaign_id', 'conversion_id', 'kind', 'period'] as const) if (f[k]) sp.set(k, f[k])
  if (f.fx_missing) sp.set('fx_missing', 'true')
  return sp
}

export function entryFiltersToQuery(f: EntryFilters): Record<string, string | undefined> {
  return {
    creator_id: f.creator_id || undefined,
    campaign_id: f.campaign_id || undefined,
    conversion_id: f.conversion_id || undefined,
    kind: f.kind || undefined,
    period: f.period || undefined,
    fx_missing: f.fx_missing ? 'true' : undefined,
  }
}

/** A rate typed by a person ("7.1234", " 7,1 ") as the decimal string the API takes; null if not a positive decimal. */
export function normalizeRate(text: string): string | null {
  const s = text.trim().replace(',', '.')
  if (!/^\d+(\.\d+)?$/.test(s) || s.length > 40) return null
  if (!/[1-9]/.test(s)) return null
  return s
}

/**
 * When a refund recorded for a day happened: now for today (or an empty day); otherwise the start of
 * that day in the zone, but never before the order itself (the server refuses a refund before it).
 */
export function refundInstant(day: string, timeZone: string, orderOccurredAt: string, nowMs: number): string | undefined {
  if (!day || day === dayInZone(nowMs, timeZone)) return undefined
  const start = zonedToUtc(day, timeZone)
  if (!start) return undefined
  return Date.parse(start) < Date.parse(orderOccurredAt) ? orderOccurredAt : start
}
