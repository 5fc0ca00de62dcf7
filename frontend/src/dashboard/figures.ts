// Pure logic of the dashboard: the range of days (presets, custom, the URL), the chart's series
// and the shares of GMV. Amounts stay integer minor units; they become major-unit numbers only to
// be drawn, and every sum or share is computed on integers (BigInt), never on floats.
import type { DayFigure, MarkExposure, NamedFigure } from '../api/types'
import { currencyDecimals, minorToDecimal } from '../money'

export const RANGE_PRESETS = [7, 30, 90] as const
export type RangePreset = (typeof RANGE_PRESETS)[number]
export const DEFAULT_PRESET: RangePreset = 30
/** The server refuses ranges longer than this (internal/insight maxDashboardDays). */
export const MAX_RANGE_DAYS = 366

export interface DayRange {
  /** A preset (the last n days, today included) or a custom pair of days. */
  preset: RangePreset | 'custom'
  from: string
  to: string
}

const DAY = /^(\d{4})-(\d{2})-(\d{2})$/

/** Whether s is a real calendar day YYYY-MM-DD. */
export function isDay(s: string | null | undefined): s is string {
  const m = DAY.exec(s ?? '')
  if (!m) return false
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])))
  return d.getUTCFullYear() === Number(m[1]) && d.getUTCMonth() === Number(m[2]) - 1 && d.getUTCDate() === Number(m[3])
}

/** The day (YYYY-MM-DD) it is at `now` in a time zone (the organization's); UTC for an unknown zone. */
export function todayIn(timeZone: string | undefined, now: Date = new Date()): string {
  const fmt = (tz: string) => {
    const parts = new Intl.DateTimeFormat('en-US', { timeZone: tz, year: 'numeric', month: '2-digit', day: '2-digit' }).formatToParts(now)
    const part = (type: string) => parts.find((p) => p.type === type)?.value ?? ''
    return `${part('year')}-${part('month')}-${part('day')}`
  }
  try {
    return fmt(timeZone || 'UTC')
  } catch {
    return fmt('UTC')
  }
}

/** A day plus n days (n may be negative): ('2026-03-01', -1) → '2026-02-28'. */
export function addDays(day: string, n: number): string {
  const m = DAY.exec(day)
  if (!m) throw new RangeError(`not a day: ${day}`)
  return new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]) + n)).toISOString().slice(0, 10)
}

/** The number of days from `from` to `to`, both included (0 when to is before from). */
export function daysBetween(from: string, to: string): number {
  const ms = Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)
  return ms < 0 ? 0 : Math.round(ms / 86_400_000) + 1
}

/** The last `days` days up to today, today included. */
export function presetRange(days: RangePreset, today: string): DayRange {
  return { preset: days, from: addDays(today, -(days - 1)), to: today }
}

/**
 * The range a URL asks for: ?days=7|30|90, or ?from=…&to=… (a custom range, at most 366 days,
 * from not after to); anything else is the default, the last 30 days.
 */
export function rangeFromParams(sp: URLSearchParams, today: string): DayRange {
  const from = sp.get('from')
  const to = sp.get('to')
  if (isDay(from) && isDay(to) && from <= to && daysBetween(from, to) <= MAX_RANGE_DAYS) return { preset: 'custom', from, to }
  const days = Number(sp.get('days'))
  const preset = (RANGE_PRESETS as readonly number[]).includes(days) ? (days as RangePreset) : DEFAULT_PRESET
  return presetRange(preset, today)
}

/** The query string of a range: the default is no parameter at all. */
export function rangeParams(r: DayRange): Record<string, string> {
  if (r.preset === 'custom') return { from: r.from, to: r.to }
  return r.preset === DEFAULT_PRESET ? {} : { days: String(r.preset) }
}

/** Why a custom range cannot be asked for, as a locale key under dashboard.range; null when it can. */
export function customRangeProblem(from: string, to: string): 'incomplete' | 'order' | 'tooLong' | null {
  if (!isDay(from) || !isDay(to)) return 'incomplete'
  if (from > to) return 'order'
  if (daysBetween(from, to) > MAX_RANGE_DAYS) return 'tooLong'
  return null
}

const ZERO = { gmv_minor: 0, commission_minor: 0, conversions: 0, clicks: 0, conversion_rate_bps: 0 }

/** Every day of [from, to] in order, zeros for the days the answer lacks (the server sends all of them). */
export function fillDays(days: readonly DayFigure[], from: string, to: string): DayFigure[] {
  const byDay = new Map(days.map((d) => [d.day, d]))
  const out: DayFigure[] = []
  const n = daysBetween(from, to)
  for (let i = 0; i < n; i++) {
    const day = addDays(from, i)
    out.push(byDay.get(day) ?? { day, ...ZERO })
  }
  return out
}

/** Minor units as a number of major units, for drawing only (12345, 'CNY') → 123.45. */
export function toMajor(minor: number, currency: string): number {
  return Number(minorToDecimal(minor, currencyDecimals(currency)))
}

export interface DailySeries {
  days: string[]
  /** GMV per day in major units (for the axis); the exact amounts stay in `gmvMinor`. */
  gmv: number[]
  gmvMinor: number[]
  clicks: number[]
  conversions: number[]
}

/** The chart's series: one point per day of the range, in order. */
export function dailySeries(days: readonly DayFigure[], from: string, to: string, currency: string): DailySeries {
  const filled = fillDays(days, from, to)
  return {
    days: filled.map((d) => d.day),
    gmv: filled.map((d) => toMajor(d.gmv_minor, currency)),
    gmvMinor: filled.map((d) => d.gmv_minor),
    clicks: filled.map((d) => d.clicks),
    conversions: filled.map((d) => d.conversions),
  }
}

/** Whether a series has anything to draw. */
export function hasActivity(s: DailySeries): boolean {
  return s.gmvMinor.some((v) => v !== 0) || s.clicks.some((v) => v !== 0) || s.conversions.some((v) => v !== 0)
}

/** An exact sum of integer minor units (BigInt underneath); throws past the safe integer range. */
export function sumMinor(values: readonly number[]): number {
  let sum = 0n
  for (const v of values) {
    if (!Number.isSafeInteger(v)) throw new RangeError(`not an integer amount: ${v}`)
    sum += BigInt(v)
  }
  const n = Number(sum)
  if (!Number.isSafeInteger(n)) throw new RangeError(`sum out of range: ${sum}`)
  return n
}

/** part / total in basis points, rounded down; 0 when there is no (positive) total. */
export function shareBps(part: number, total: number): number {
  if (total <= 0 || part <= 0) return 0
  return Number((BigInt(part) * 10_000n) / BigInt(total))
}

export interface Slice {
  /** The platform key; '' for the GMV of orders whose creator account (and so platform) is unknown. */
  key: string
  gmvMinor: number
  shareBps: number
}

/**
 * GMV by platform as slices of the total: each platform with GMV, and the rest (orders attributed
 * to a creator without an account) as key ''. Platforms with clicks but no GMV are left out.
 */
export function platformSlices(platforms: readonly NamedFigure[], totalGmvMinor: number): Slice[] {
  const slices: Slice[] = platforms
    .filter((p) => p.gmv_minor > 0)
    .map((p) => ({ key: p.key, gmvMinor: p.gmv_minor, shareBps: shareBps(p.gmv_minor, totalGmvMinor) }))
  const rest = sumMinor([totalGmvMinor, -sumMinor(slices.map((s) => s.gmvMinor))])
  if (rest > 0) slices.push({ key: '', gmvMinor: rest, shareBps: shareBps(rest, totalGmvMinor) })
  return slices
}

/** The highest value of a column, for the bars drawn in tables (at least 1, so shares never divide by 0). */
export function maxOf(values: readonly number[]): number {
  return values.reduce((m, v) => (v > m ? v : m), 1)
}

/** Risk marks worst first: banned before at risk, then by the creators depending on them, then by platform. */
export function sortMarks<T extends Pick<MarkExposure, 'level' | 'creators' | 'platform' | 'country'>>(marks: readonly T[]): T[] {
  const weight = (m: T) => (m.level === 'banned' ? 0 : 1)
  return [...marks].sort(
    (a, b) => weight(a) - weight(b) || b.creators - a.creators || a.platform.localeCompare(b.platform) || a.country.localeCompare(b.country),
  )
}
