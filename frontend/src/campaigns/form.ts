// The campaign form's values and what they send: a new campaign's body, or the change of an edit
// (only the fields that differ from the campaign the form was filled from).
import type { Campaign, CampaignChange, CampaignStatus, NewCampaign } from '../api/types'
import { decimalToMinor, minorToNumber, planToValues, valuesToPlan, type PlanValues } from './plan'

export interface CampaignValues {
  name: string
  status: CampaignStatus
  starts_on: string
  ends_on?: string
  product_ids?: string[]
  platforms?: string[]
  attribution_window_days?: number
  hold_days?: number
  budget?: number | null
  currency?: string
  plan: PlanValues
  /** A new plan's start, as a datetime-local value; empty: now. */
  plan_effective_from?: string
}

export const CAMPAIGN_FIELDS = [
  'name',
  'status',
  'starts_on',
  'ends_on',
  'product_ids',
  'platforms',
  'attribution_window_days',
  'hold_days',
  'budget',
  'currency',
  'plan',
  'plan_effective_from',
] as const
export const CAMPAIGN_RENAMES = { budget_minor: 'budget' }

export function newCampaignValues(baseCurrency: string, today: string): CampaignValues {
  return {
    name: '',
    status: 'draft',
    starts_on: today,
    attribution_window_days: 30,
    hold_days: 30,
    currency: baseCurrency,
    plan: { type: 'percent', base: 'net', currency: baseCurrency, tiers: [{ from: 0 }] },
  }
}

export function campaignValues(c: Campaign, baseCurrency: string): CampaignValues {
  const currency = c.currency ?? baseCurrency
  return {
    name: c.name,
    status: c.status,
    starts_on: c.starts_on,
    ends_on: c.ends_on ?? '',
    product_ids: c.product_ids,
    platforms: c.platforms,
    attribution_window_days: c.attribution_window_days,
    hold_days: c.hold_days,
    budget: c.budget_minor === null ? null : minorToNumber(c.budget_minor, currency),
    currency,
    plan: planToValues(c.plan, baseCurrency),
    plan_effective_from: '',
  }
}

function budgetMinor(v: CampaignValues): number | null {
  return v.budget == null ? null : decimalToMinor(v.budget, v.currency ?? 'USD')
}

export function newCampaignBody(v: CampaignValues): NewCampaign {
  const budget = budgetMinor(v)
  return {
    name: v.name.trim(),
    status: v.status,
    starts_on: v.starts_on,
    ends_on: v.ends_on || undefined,
    product_ids: v.product_ids ?? [],
    platforms: v.platforms ?? [],
    attribution_window_days: v.attribution_window_days,
    hold_days: v.hold_days,
    ...(budget !== null ? { budget_minor: budget, currency: v.currency } : {}),
    plan: valuesToPlan(v.plan),
  }
}

const sameList = (a: readonly string[] = [], b: readonly string[] = []) => a.length === b.length && [...a].sort().join('\n') === [...b].sort().join('\n')

/** The fields of the form that differ from the campaign; the plan only when it changed (a new version). */
export function campaignChange(base: Campaign, v: CampaignValues): CampaignChange {
  const ch: CampaignChange = {}
  if (v.name.trim() !== base.name) ch.name = v.name.trim()
  if (v.status !== base.status) ch.status = v.status
  if (v.starts_on !== base.starts_on) ch.starts_on = v.starts_on
  if ((v.ends_on || null) !== base.ends_on) ch.ends_on = v.ends_on || null
  if (!sameList(v.product_ids, base.product_ids)) ch.product_ids = v.product_ids ?? []
  if (!sameList(v.platforms, base.platforms)) ch.platforms = v.platforms ?? []
  if (v.attribution_window_days !== undefined && v.attribution_window_days !== base.attribution_window_days)
    ch.attribution_window_days = v.attribution_window_days
  if (v.hold_days !== undefined && v.hold_days !== base.hold_days) ch.hold_days = v.hold_days
  const budget = budgetMinor(v)
  if (budget !== base.budget_minor) ch.budget_minor = budget
  const currency = budget === null ? base.currency : (v.currency ?? null)
  if (currency !== base.currency) ch.currency = currency
  const plan = valuesToPlan(v.plan)
  if (JSON.stringify(plan) !== JSON.stringify(valuesToPlan(planToValues(base.plan, v.plan.currency ?? 'USD')))) {
    ch.plan = plan
    if (v.plan_effective_from) ch.plan_effective_from = new Date(v.plan_effective_from).toISOString()
  }
  return ch
}
