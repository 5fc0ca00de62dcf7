// Pure helpers of the campaign screens: the plan editor's values and the API's plan, money typed in
// major units and stored in minor units, and the posts board's columns.
import type { Deliverable, DeliverableStatus, Money, Plan, PlanType } from '../api/types'
import { DELIVERABLE_STATUSES } from '../api/types'
import { bpsToPercent, currencyDecimals, formatMoney, percentToBps } from '../money'

/** An amount typed in major units (12.5 USD) as exact minor units (1250), without float noise. */
export function decimalToMinor(value: number, currency: string): number {
  const decimals = currencyDecimals(currency)
  const fixed = value.toFixed(decimals) // "12.50"
  return Number(fixed.replace('.', ''))
}

/** Minor units as the number an amount input shows: (1250, USD) → 12.5. */
export function minorToNumber(minor: number, currency: string): number {
  return minor / 10 ** currencyDecimals(currency)
}

/** The plan editor's values: percentages and major units, one row per tier. */
export interface PlanValues {
  type: PlanType
  base: 'net' | 'gross'
  currency?: string
  rate_percent?: number
  amount?: number
  tiers?: { from?: number; rate_percent?: number }[]
}

export function planToValues(plan: Plan, fallbackCurrency: string): PlanValues {
  const currency = plan.currency ?? fallbackCurrency
  return {
    type: plan.type,
    base: plan.base ?? 'net',
    currency,
    rate_percent: plan.rate_bps != null ? bpsToPercent(plan.rate_bps) : undefined,
    amount: plan.amount_minor != null ? minorToNumber(plan.amount_minor, currency) : undefined,
    tiers: plan.tiers?.map((t) => ({ from: minorToNumber(t.from_gmv_minor, currency), rate_percent: bpsToPercent(t.rate_bps) })) ?? [
      { from: 0 },
    ],
  }
}

/** The plan to send: only the fields its type takes (the server refuses the others). */
export function valuesToPlan(v: PlanValues): Plan {
  const base = v.base ?? 'net'
  switch (v.type) {
    case 'percent':
      return { type: 'percent', base, rate_bps: percentToBps(v.rate_percent ?? 0) }
    case 'flat': {
      const currency = v.currency ?? 'USD'
      return { type: 'flat', base, currency, amount_minor: decimalToMinor(v.amount ?? 0, currency) }
    }
    case 'tiered': {
      const currency = v.currency ?? 'USD'
      const tiers = (v.tiers ?? [])
        .filter((t) => t.from !== undefined || t.rate_percent !== undefined)
        .map((t) => ({ from_gmv_minor: decimalToMinor(t.from ?? 0, currency), rate_bps: percentToBps(t.rate_percent ?? 0) }))
      return { type: 'tiered', base, currency, tiers }
    }
  }
}

/** The plan in one line for the UI language: "10%", "$5.00 per order", "from $0: 5% · from $1,000: 8%". */
export function describePlan(plan: Plan, lang: string, t: (key: string, opts?: Record<string, unknown>) => string): string {
  const pct = (bps: number) => `${bpsToPercent(bps)}%`
  let text: string
  switch (plan.type) {
    case 'percent':
      text = pct(plan.rate_bps ?? 0)
      break
    case 'flat':
      text = t('campaigns.plan.flatDesc', { amount: formatMoney(plan.amount_minor ?? 0, plan.currency ?? 'USD', lang) })
      break
    case 'tiered':
      text = (plan.tiers ?? [])
        .map((x) => t('campaigns.plan.tierDesc', { from: formatMoney(x.from_gmv_minor, plan.currency ?? 'USD', lang), rate: pct(x.rate_bps) }))
        .join(' · ')
      break
    default:
      text = ''
  }
  return `${text} (${t(`campaigns.plan.base_${plan.base ?? 'net'}`)})`
}

/** The board column of a post: a past-due post shows as late whatever its stored status. */
export function boardStatus(d: Pick<Deliverable, 'status' | 'late'>): DeliverableStatus {
  return d.late ? 'late' : d.status
}

/** Posts grouped in the board's columns, in the statuses' order. */
export function groupDeliverables<T extends Pick<Deliverable, 'status' | 'late'>>(items: readonly T[]): Record<DeliverableStatus, T[]> {
  const out = Object.fromEntries(DELIVERABLE_STATUSES.map((s) => [s, [] as T[]])) as Record<DeliverableStatus, T[]>
  for (const d of items) out[boardStatus(d)].push(d)
  return out
}

/** A list of amounts in several currencies, each formatted: "$12.00 + ¥300"; "—" when empty. */
export function formatMoneyList(list: readonly Money[] | undefined, lang: string): string {
  if (!list || list.length === 0) return '—'
  return list.map((m) => formatMoney(m.amount_minor, m.currency, lang)).join(' + ')
}
