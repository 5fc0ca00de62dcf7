// Shapes of the API answers the UI uses (see shared/API.md). The main ones are derived from the
// generated OpenAPI types (schema.gen.ts, `npm run gen:api`), so a contract change breaks the type
// check: Refine narrows what the document cannot say (enums, nullable fields) and refuses a
// refinement that no longer fits the document's type.
import type { components } from './schema.gen'

/** The OpenAPI document's schemas. */
export type Schemas = components['schemas']

/** Like NonNullable, all the way down (arrays and objects), for comparing shapes. */
type Strip<T> = T extends readonly (infer U)[]
  ? Strip<U>[]
  : T extends object
    ? { [K in keyof T]-?: Strip<NonNullable<T[K]>> }
    : NonNullable<T>

/**
 * T (a schema) with some fields replaced by R: an enum for a string, `| null` for a field the
 * server may send as null. Each field of R must exist in T and, nulls aside, fit T's type.
 */
export type Refine<
  T,
  R extends { [P in keyof R]: P extends keyof T ? (Strip<R[P]> extends Strip<T[P]> ? unknown : never) : never },
> = Omit<T, keyof R> & R

export const ROLES = ['owner', 'admin', 'manager', 'finance', 'viewer'] as const
export type Role = (typeof ROLES)[number]

export type UserStatus = 'active' | 'disabled'

export type User = Refine<Schemas['User'], { role: Role; status: UserStatus; last_login_at: string | null }>

export type Org = Schemas['Org']

/** What a role may do, as "object:verb"; GET /me sends the caller's (see auth/session `can`). */
export type Capability =
  | 'data:read'
  | 'creators:write'
  | 'users:manage'
  | 'owners:manage'
  | 'api_keys:manage'
  | 'finance:approve'
  | 'periods:close'
  | 'payouts:manage'
  | 'reports:read'
  | 'audit:read'
  | 'settings:manage'

/** GET /me; `capabilities` is what the caller may do: the UI gates on these, never on role names. */
export type Me = Refine<Schemas['MeResponse'], { user: User; org: Org; role: Role }>

export type PasswordChange = Schemas['PasswordRequest']

export type LoginRequest = Schemas['LoginRequest']

/** One organization offered by a 409 choose_organization answer. */
export interface OrgChoice {
  org_id: string
  org_name: string
}

/** The contract's error body. */
export type ErrorBody = Schemas['ErrorBody']

export interface Page<T> {
  items: T[]
  next_cursor: string | null
  total: number
  /** total is an estimate (a search over a large catalogue matching many creators), not a count. */
  total_estimated?: boolean
}

export interface SetupStatus {
  setup_required: boolean
}

export interface SetupRequest {
  org_name: string
  base_currency: string
  timezone: string
  name: string
  email: string
  password: string
}

export interface SetupResponse {
  org: Org
  user: User
  access_token: string
}

export interface LoginResponse {
  access_token: string
  token_type: 'Bearer'
  expires_in: number
  user: User
}

export interface ApiKey {
  id: string
  name: string
  prefix: string
  role: Role
  created_at: string
  last_used_at: string | null
}

export interface CreatedApiKey extends Omit<ApiKey, 'last_used_at'> {
  key: string
}

export type CreateUserRequest = Refine<Schemas['CreateUserRequest'], { role: Role }>

export interface UpdateUserRequest {
  role?: Role
  status?: UserStatus
  name?: string
}

// --- creators ---

export const CREATOR_STATUSES = ['prospect', 'contacted', 'negotiating', 'active', 'paused', 'churned', 'blocked'] as const
export type CreatorStatus = (typeof CREATOR_STATUSES)[number]

export const ACCOUNT_STATUSES = ['active', 'dormant', 'banned', 'migrated'] as const
export type AccountStatus = (typeof ACCOUNT_STATUSES)[number]

/** How a creator is paid (internal/creator PayoutMethods). */
export const PAYOUT_METHODS = ['paypal', 'wise', 'bank'] as const
export type PayoutMethod = (typeof PAYOUT_METHODS)[number]

export const TIERS = ['nano', 'micro', 'mid', 'macro', 'mega'] as const
export type Tier = (typeof TIERS)[number]

export const CREATOR_SORTS = ['-created_at', 'name', '-followers', '-gmv_90d'] as const
export type CreatorSort = (typeof CREATOR_SORTS)[number]

/** A creator's account on a platform; `version` goes back as If-Match when changing it. */
export type Account = Refine<
  Schemas['Account'],
  {
    status: AccountStatus
    url: string | null
    avg_views: number | null
    engagement_bps: number | null
    /** Followers now minus about 30 days ago; null without a snapshot then. */
    growth_30d: number | null
  }
>

/** A creator with accounts; `version` goes back as If-Match when changing it. */
export type Creator = Refine<
  Schemas['Creator'],
  {
    email: string | null
    phone: string | null
    wechat: string | null
    whatsapp: string | null
    status: CreatorStatus
    agency_id: string | null
    agency_name: string | null
    owner_id: string | null
    owner_name: string | null
    payout_currency: string | null
    /** How the creator is paid (paypal, wise, bank), the account there and its holder; null when unknown. */
    payout_method: PayoutMethod | null
    payout_account: string | null
    payout_holder: string | null
    default_rate_bps: number | null
    deleted_at: string | null
    tier: Tier
    accounts: Account[]
  }
>

export interface NewAccount {
  platform: string
  handle: string
  url?: string
  followers?: number
  status?: AccountStatus
}

export interface NewCreator {
  display_name: string
  country: string
  email?: string
  phone?: string
  wechat?: string
  whatsapp?: string
  languages?: string[]
  status?: CreatorStatus
  agency_id?: string
  owner_id?: string
  tags?: string[]
  payout_currency?: string
  payout_method?: PayoutMethod
  payout_account?: string
  payout_holder?: string
  default_rate_bps?: number
  notes?: string
  accounts?: NewAccount[]
}

/** A partial update: absent fields stay, null clears the nullable ones. */
export type CreatorChange = Partial<{
  display_name: string
  country: string
  email: string | null
  phone: string | null
  wechat: string | null
  whatsapp: string | null
  languages: string[]
  status: CreatorStatus
  agency_id: string | null
  owner_id: string | null
  tags: string[]
  payout_currency: string | null
  payout_method: PayoutMethod | null
  payout_account: string | null
  payout_holder: string | null
  default_rate_bps: number | null
  notes: string
}>

export type AccountChange = Partial<{
  platform: string
  handle: string
  url: string | null
  followers: number
  status: AccountStatus
}>

export interface Snapshot {
  account_id: string
  captured_on: string
  followers: number
  avg_views: number | null
  engagement_bps: number | null
  created_at: string
}

export interface AccountHistory {
  account: Account
  snapshots: Snapshot[]
}

export interface TimelineEvent {
  id: string
  creator_id: string
  kind: string
  actor_id: string | null
  actor_name: string | null
  data: Record<string, unknown> | null
  created_at: string
}

/** An MCN agency; `version` goes back as If-Match when changing it. */
export type Agency = Refine<Schemas['Agency'], { contact_email: string | null }>

export interface AgencyInput {
  name: string
  country: string
  contact_email?: string | null
  share_bps?: number
}

export interface ImportCellError {
  row: number
  column: string
  message: string
}

export interface ImportResult {
  dry_run: boolean
  rows: number
  created: number
  updated: number
  skipped: number
  errors: ImportCellError[]
}

// --- platforms ---

export const RISK_LEVELS = ['ok', 'at_risk', 'banned'] as const
export type RiskLevel = (typeof RISK_LEVELS)[number]

export interface PlatformInfo {
  platform: string
  name: string
  name_zh: string
}

export interface RiskMark {
  platform: string
  country: string
  level: RiskLevel
  note: string
  updated_by: string | null
  updated_at: string
}

export interface PlatformEntry extends PlatformInfo {
  marks: RiskMark[]
}

export interface AccountRef {
  account_id: string
  platform: string
  handle: string
  followers: number
  at_risk?: boolean
}

export interface Dependent {
  creator_id: string
  display_name: string
  country: string
  status: CreatorStatus
  followers: number
  accounts: AccountRef[]
  alternatives: AccountRef[]
}

export interface PlatformExposure extends PlatformInfo {
  creators: number
  accounts: number
  gmv_minor: number
  commission_minor: number
  creator_share_bps: number
  gmv_share_bps: number
  commission_share_bps: number
}

export interface MarkExposure extends RiskMark {
  creators: number
  with_alternative_count: number
  without_alternative_count: number
  with_alternative: Dependent[]
  without_alternative: Dependent[]
  truncated: boolean
}

export interface Exposure {
  days: number
  from: string
  to: string
  currency: string
  totals: { creators: number; accounts: number; gmv_minor: number; commission_minor: number }
  platforms: PlatformExposure[]
  marks: MarkExposure[]
}

// --- campaigns, products, links, codes ---

export const CAMPAIGN_STATUSES = ['draft', 'active', 'paused', 'ended'] as const
export type CampaignStatus = (typeof CAMPAIGN_STATUSES)[number]
export const ENROLMENT_STATUSES = ['invited', 'accepted', 'declined', 'removed'] as const
export type EnrolmentStatus = (typeof ENROLMENT_STATUSES)[number]
export const DELIVERABLE_STATUSES = ['planned', 'drafted', 'posted', 'late', 'cancelled'] as const
export type DeliverableStatus = (typeof DELIVERABLE_STATUSES)[number]
export const PLAN_TYPES = ['percent', 'flat', 'tiered'] as const
export type PlanType = (typeof PLAN_TYPES)[number]

export type Product = Refine<Schemas['Product'], { name_zh: string | null; rate_bps: number | null; url: string | null }>
export type NewProduct = Schemas['NewProduct']
export type ProductChange = Partial<{ [K in keyof Schemas['NewProduct']]: Schemas['NewProduct'][K] | null }>
export type ProductImportResult = Schemas['ProductImportResult']

export type Plan = Refine<Schemas['Plan'], { type: PlanType; base?: 'net' | 'gross' }>
export type PlanVersion = Refine<Schemas['PlanVersion'], { plan: Plan; created_by: string | null }>
export type Campaign = Refine<
  Schemas['Campaign'],
  {
    status: CampaignStatus
    ends_on: string | null
    budget_minor: number | null
    currency: string | null
    plan: Plan
    next_plan: PlanVersion | null
  }
>
export type NewCampaign = Omit<Schemas['NewCampaign'], 'plan'> & { plan: Plan }
export interface CampaignChange {
  name?: string
  status?: CampaignStatus
  starts_on?: string
  ends_on?: string | null
  product_ids?: string[]
  platforms?: string[]
  attribution_window_days?: number
  hold_days?: number
  budget_minor?: number | null
  currency?: string | null
  plan?: Plan
  plan_effective_from?: string
}

export type Enrolment = Refine<
  Schemas['Enrolment'],
  { status: EnrolmentStatus; rate_bps: number | null; fee_minor: number | null; fee_currency: string | null }
>
export type NewEnrolment = Schemas['NewEnrolment']
export interface EnrolmentChange {
  status?: EnrolmentStatus
  rate_bps?: number | null
}

export type Deliverable = Refine<
  Schemas['Deliverable'],
  {
    status: DeliverableStatus
    account_id: string | null
    url: string | null
    due_on: string | null
    views: number | null
    likes: number | null
    comments: number | null
    shares: number | null
    posted_at: string | null
  }
>
export type NewDeliverable = Schemas['NewDeliverable']
export type DeliverableChange = Partial<{ [K in keyof Schemas['NewDeliverable']]: Schemas['NewDeliverable'][K] | null }>

export type Sample = Refine<
  Schemas['Sample'],
  { carrier: string | null; tracking_number: string | null; shipped_on: string | null; delivered_on: string | null }
>
export type NewSample = Schemas['NewSample']
export type SampleChange = Partial<{ [K in keyof Schemas['NewSample']]: Schemas['NewSample'][K] | null }>

export type TrackingLink = Refine<Schemas['Link'], { account_id: string | null; status: 'active' | 'disabled' }>
export type NewLink = Schemas['NewLink']
export type PromoCode = Refine<Schemas['PromoCode'], { account_id: string | null; status: 'active' | 'disabled' }>
export type NewPromoCode = Schemas['NewPromoCode']

export type Money = Schemas['Money']

// --- the dashboard (GET /api/v1/insights/dashboard) ---

/** GMV and commission (base currency, minor units), orders, clicks and orders per click (bps). */
export type Figure = Schemas['Figure']
export type DayFigure = Schemas['DayFigure']
/** A platform's, campaign's, account's (with its creator and platform) or creator's line. */
export type NamedFigure = Schemas['NamedFigure']
export type Dashboard = Schemas['Dashboard']
export type CampaignReport = Schemas['Report']

// --- conversions (orders), the ledger, FX rates, shops ---

export const CONVERSION_STATUSES = ['pending', 'approved', 'paid', 'rejected', 'reversed'] as const
export type ConversionStatus = (typeof CONVERSION_STATUSES)[number]
export const ATTRIBUTION_RULES = ['creator', 'account', 'promo_code', 'click', 'link', 'manual'] as const
export type AttributionRule = (typeof ATTRIBUTION_RULES)[number]
export const ENTRY_KINDS = ['commission', 'reversal', 'adjustment'] as const
export type EntryKind = (typeof ENTRY_KINDS)[number]

/** Why an entry has its amount (see internal/conversion/model.go Explanation). */
export type Explanation = Schemas['Explanation']

/** A ledger entry (GET /api/v1/commissions, a conversion's entries). */
export type LedgerEntry = Refine<
  Schemas['LedgerEntry'],
  {
    kind: EntryKind
    conversion_id: string | null
    reverses_id: string | null
    refund_id: string | null
    account_id: string | null
    platform: string | null
    campaign_id: string | null
    base_amount_minor: number | null
    base_agency_share_minor: number | null
    fx_rate: string | null
    rate_bps: number | null
    base_gmv_minor: number | null
    agency_id: string | null
    reason: string | null
    created_by: string | null
  }
>

export type Refund = Refine<Schemas['Refund'], { conversion_id: string | null; currency: string | null }>

/** An order: its items, refunds and ledger entries; `version` goes back as If-Match on approve/reject. */
export type Conversion = Omit<
  Refine<
    Schemas['Conversion'],
    {
      status: ConversionStatus
      rule: AttributionRule | null
      creator_id: string | null
      creator_name: string | null
      account_id: string | null
      platform: string | null
      campaign_id: string | null
      status_reason: string | null
      hold_until: string | null
      attributed_at: string | null
      decided_by: string | null
      decided_at: string | null
      refunds: Refund[]
    }
  >,
  'entries'
> & { entries: LedgerEntry[] }

export type NewConversion = Schemas['Input']
export type RefundInput = Schemas['RefundInput']
export interface RefundResult {
  refund: Refund
  entries: LedgerEntry[]
  conversion: Conversion
}
export type ManualAttribution = Schemas['ManualAttribution']
export type BulkDecision = Refine<Schemas['BulkDecision'], { action: 'approve' | 'reject' }>
export type BulkResult = Schemas['BulkResult']

/** An order file's import answer (dry run or not). */
export type OrderImportResult = Schemas['OrderImportResult']

/** One day's rate: 1 unit of currency = rate (a decimal string) units of base_currency. */
export type FXRate = Schemas['FXRate']
export type NewFXRate = Schemas['NewFXRate']

/** A connected shop; the webhook secret is never answered. */
export type Store = Refine<Schemas['Store'], { last_delivery_at: string | null }>
export type NewStore = Schemas['NewStore']
