// One function per API call the UI makes, so pages never spell URLs.
import { api, type RequestOptions } from './client'
import type {
  Account,
  AccountChange,
  AccountHistory,
  Agency,
  AgencyInput,
  ApiKey,
  Creator,
  CreatorChange,
  Dashboard,
  Exposure,
  ImportResult,
  NewAccount,
  NewCreator,
  PlatformEntry,
  RiskLevel,
  RiskMark,
  TimelineEvent,
  CreateUserRequest,
  CreatedApiKey,
  LoginRequest,
  LoginResponse,
  Me,
  PasswordChange,
  Page,
  SetupRequest,
  SetupResponse,
  SetupStatus,
  UpdateUserRequest,
  User,
  Campaign,
  CampaignChange,
  CampaignReport,
  Deliverable,
  DeliverableChange,
  Enrolment,
  EnrolmentChange,
  NewCampaign,
  NewDeliverable,
  NewEnrolment,
  NewLink,
  NewProduct,
  NewPromoCode,
  NewSample,
  PlanVersion,
  Product,
  ProductChange,
  ProductImportResult,
  PromoCode,
  Sample,
  SampleChange,
  TrackingLink,
  BulkDecision,
  BulkResult,
  Conversion,
  FXRate,
  LedgerEntry,
  ManualAttribution,
  NewConversion,
  NewFXRate,
  NewStore,
  OrderImportResult,
  RefundInput,
  RefundResult,
  Store,
} from './types'

export const getSetupStatus = () => api.get<SetupStatus>('/api/v1/setup', { retryOn401: false })

export async function runSetup(req: SetupRequest): Promise<SetupResponse> {
  const res = await api.post<SetupResponse>('/api/v1/setup', req, { cookie: true, retryOn401: false, idempotent: true })
  api.setToken(res.access_token)
  return res
}

/**
 * Signs in. When the e-mail and password open users of several organizations the server answers
 * 409 choose_organization (params.organizations); sign in again with the chosen orgId.
 */
export async function login(email: string, password: string, orgId?: string): Promise<LoginResponse> {
  const body: LoginRequest = { email, password, ...(orgId ? { org_id: orgId } : {}) }
  const res = await api.post<LoginResponse>('/api/v1/auth/login', body, { cookie: true, retryOn401: false })
  api.setToken(res.access_token)
  return res
}

export async function logout(): Promise<void> {
  try {
    await api.post<void>('/api/v1/auth/logout', undefined, { cookie: true, retryOn401: false })
  } finally {
    // Whatever the server said, this tab forgets the session.
    api.setToken(null)
  }
}

export const getMe = () => api.get<Me>('/api/v1/me')

/** Changes the caller's password; the answer carries a new access token (other sessions end). */
export async function changePassword(req: PasswordChange): Promise<LoginResponse> {
  const res = await api.post<LoginResponse>('/api/v1/me/password', req)
  if (res?.access_token) api.setToken(res.access_token)
  return res
}

export const listUsers = (cursor?: string) =>
  api.get<Page<User>>('/api/v1/users', { query: { limit: 100, cursor } })
export const createUser = (req: CreateUserRequest) => api.post<User>('/api/v1/users', req, { idempotent: true })
export const updateUser = (id: string, req: UpdateUserRequest) =>
  api.patch<User>(`/api/v1/users/${encodeURIComponent(id)}`, req)

export const listApiKeys = (cursor?: string) =>
  api.get<Page<ApiKey>>('/api/v1/api-keys', { query: { limit: 100, cursor } })
export const createApiKey = (name: string) =>
  api.post<CreatedApiKey>('/api/v1/api-keys', { name }, { idempotent: true })
export const revokeApiKey = (id: string) => api.delete(`/api/v1/api-keys/${encodeURIComponent(id)}`)

// --- creators ---

const enc = encodeURIComponent

export const listCreators = (query: RequestOptions['query']) => api.get<Page<Creator>>('/api/v1/creators', { query })
export const listCreatorTags = () => api.get<{ items: { tag: string; creators: number }[] }>('/api/v1/creators/tags')
export const getCreator = (id: string) => api.get<Creator>(`/api/v1/creators/${enc(id)}`)
export const createCreator = (req: NewCreator) => api.post<Creator>('/api/v1/creators', req, { idempotent: true })
/** `version` is the creator's version the user saw (If-Match); 412 version_mismatch when it is stale. */
export const updateCreator = (id: string, version: number, req: CreatorChange) =>
  api.patch<Creator>(`/api/v1/creators/${enc(id)}`, req, { ifMatch: version })
export const deleteCreator = (id: string) => api.delete(`/api/v1/creators/${enc(id)}`)
export const restoreCreator = (id: string) => api.post<Creator>(`/api/v1/creators/${enc(id)}/restore`)

export const addAccount = (creatorId: string, req: NewAccount) =>
  api.post<Account>(`/api/v1/creators/${enc(creatorId)}/accounts`, req, { idempotent: true })
export const updateAccount = (id: string, version: number, req: AccountChange) =>
  api.patch<Account>(`/api/v1/accounts/${enc(id)}`, req, { ifMatch: version })
export const deleteAccount = (id: string) => api.delete(`/api/v1/accounts/${enc(id)}`)
export const accountHistory = (id: string, days?: number) =>
  api.get<AccountHistory>(`/api/v1/accounts/${enc(id)}/snapshots`, { query: { days } })
export const recordFollowers = (id: string, req: { captured_on: string; followers: number }) =>
  api.post<AccountHistory>(`/api/v1/accounts/${enc(id)}/snapshots`, req, { idempotent: true })

export const creatorTimeline = (id: string, cursor?: string) =>
  api.get<Page<TimelineEvent>>(`/api/v1/creators/${enc(id)}/timeline`, { query: { limit: 50, cursor } })
export const addNote = (id: string, text: string) =>
  api.post<TimelineEvent>(`/api/v1/creators/${enc(id)}/notes`, { text }, { idempotent: true })

export function importCreators(file: File, dryRun: boolean) {
  const form = new FormData()
  form.append('file', file)
  return api.post<ImportResult>('/api/v1/creators/import', form, { query: { dry_run: String(dryRun) }, idempotent: !dryRun })
}

export const exportCreators = (query: RequestOptions['query']) =>
  api.download('/api/v1/creators/export.xlsx', { query })

export const listAgencies = (cursor?: string) =>
  api.get<Page<Agency>>('/api/v1/agencies', { query: { limit: 500, cursor } })
export const getAgency = (id: string) => api.get<Agency>(`/api/v1/agencies/${enc(id)}`)
export const createAgency = (req: AgencyInput) => api.post<Agency>('/api/v1/agencies', req, { idempotent: true })
export const updateAgency = (id: string, version: number, req: Partial<AgencyInput>) =>
  api.patch<Agency>(`/api/v1/agencies/${enc(id)}`, req, { ifMatch: version })
export const deleteAgency = (id: string) => api.delete(`/api/v1/agencies/${enc(id)}`)

// --- platforms ---

export const listPlatforms = () => api.get<{ items: PlatformEntry[] }>('/api/v1/platforms')
export const setPlatformRisk = (platform: string, req: { country: string; level: RiskLevel; note?: string }) =>
  api.put<RiskMark>(`/api/v1/platforms/${enc(platform)}/risk`, req)
export const platformExposure = (days: number) =>
  api.get<Exposure>('/api/v1/insights/platform-exposure', { query: { days } })
/** The dashboard over [from, to] (days YYYY-MM-DD in the organization's time zone, inclusive). */
export const getDashboard = (from: string, to: string) =>
  api.get<Dashboard>('/api/v1/insights/dashboard', { query: { from, to } })

// --- products ---

export const listProducts = (query: RequestOptions['query']) => api.get<Page<Product>>('/api/v1/products', { query })
export const getProduct = (id: string) => api.get<Product>(`/api/v1/products/${enc(id)}`)
export const createProduct = (req: NewProduct) => api.post<Product>('/api/v1/products', req, { idempotent: true })
export const updateProduct = (id: string, version: number, req: ProductChange) =>
  api.patch<Product>(`/api/v1/products/${enc(id)}`, req, { ifMatch: version })
export const deleteProduct = (id: string) => api.delete(`/api/v1/products/${enc(id)}`)
export function importProducts(file: File, dryRun: boolean) {
  const form = new FormData()
  form.append('file', file)
  return api.post<ProductImportResult>('/api/v1/products/import', form, { query: { dry_run: String(dryRun) }, idempotent: !dryRun })
}

// --- campaigns ---

export const listCampaigns = (query: RequestOptions['query']) => api.get<Page<Campaign>>('/api/v1/campaigns', { query })
export const getCampaign = (id: string) => api.get<Campaign>(`/api/v1/campaigns/${enc(id)}`)
export const createCampaign = (req: NewCampaign) => api.post<Campaign>('/api/v1/campaigns', req, { idempotent: true })
export const updateCampaign = (id: string, version: number, req: CampaignChange) =>
  api.patch<Campaign>(`/api/v1/campaigns/${enc(id)}`, req, { ifMatch: version })
export const deleteCampaign = (id: string) => api.delete(`/api/v1/campaigns/${enc(id)}`)
export const campaignPlans = (id: string) => api.get<{ items: PlanVersion[] }>(`/api/v1/campaigns/${enc(id)}/plans`)
export const campaignReport = (id: string) => api.get<CampaignReport>(`/api/v1/campaigns/${enc(id)}/report`)

export const listEnrolments = (campaignId: string) =>
  api.get<Page<Enrolment>>(`/api/v1/campaigns/${enc(campaignId)}/creators`, { query: { limit: 200 } })
export const enrolCreator = (campaignId: string, req: NewEnrolment) =>
  api.post<Enrolment>(`/api/v1/campaigns/${enc(campaignId)}/creators`, req, { idempotent: true })
export const updateEnrolment = (id: string, version: number, req: EnrolmentChange) =>
  api.patch<Enrolment>(`/api/v1/enrolments/${enc(id)}`, req, { ifMatch: version })

export const listDeliverables = (campaignId: string) =>
  api.get<Page<Deliverable>>(`/api/v1/campaigns/${enc(campaignId)}/deliverables`, { query: { limit: 200 } })
export const createDeliverable = (campaignId: string, req: NewDeliverable) =>
  api.post<Deliverable>(`/api/v1/campaigns/${enc(campaignId)}/deliverables`, req, { idempotent: true })
export const updateDeliverable = (id: string, version: number, req: DeliverableChange) =>
  api.patch<Deliverable>(`/api/v1/deliverables/${enc(id)}`, req, { ifMatch: version })

export const listSamples = (campaignId: string) =>
  api.get<Page<Sample>>(`/api/v1/campaigns/${enc(campaignId)}/samples`, { query: { limit: 200 } })
export const createSample = (campaignId: string, req: NewSample) =>
  api.post<Sample>(`/api/v1/campaigns/${enc(campaignId)}/samples`, req, { idempotent: true })
export const updateSample = (id: string, version: number, req: SampleChange) =>
  api.patch<Sample>(`/api/v1/samples/${enc(id)}`, req, { ifMatch: version })

// --- links and promo codes ---

export const listLinks = (query: RequestOptions['query']) => api.get<Page<TrackingLink>>('/api/v1/links', { query })
export const createLink = (req: NewLink) => api.post<TrackingLink>('/api/v1/links', req, { idempotent: true })
export const updateLink = (id: string, version: number, req: { status?: 'active' | 'disabled'; destination_url?: string }) =>
  api.patch<TrackingLink>(`/api/v1/links/${enc(id)}`, req, { ifMatch: version })
export const listPromoCodes = (query: RequestOptions['query']) => api.get<Page<PromoCode>>('/api/v1/promo-codes', { query })
export const createPromoCode = (req: NewPromoCode) => api.post<PromoCode>('/api/v1/promo-codes', req, { idempotent: true })

// --- conversions (orders) ---

export const listConversions = (query: RequestOptions['query']) => api.get<Page<Conversion>>('/api/v1/conversions', { query })
export const getConversion = (id: string) => api.get<Conversion>(`/api/v1/conversions/${enc(id)}`)
/** A manual order; the same external_id again answers the stored one (200) and adds nothing. */
export const createConversion = (req: NewConversion) => api.post<Conversion>('/api/v1/conversions', req, { idempotent: true })
export const decideConversions = (req: BulkDecision) => api.post<BulkResult>('/api/v1/conversions/decisions', req)
/** `version` is the conversion's version the user saw (If-Match). */
export const approveConversion = (id: string, version: number) =>
  api.post<Conversion>(`/api/v1/conversions/${enc(id)}/approve`, undefined, { ifMatch: version })
export const rejectConversion = (id: string, version: number, reason: string) =>
  api.post<Conversion>(`/api/v1/conversions/${enc(id)}/reject`, { reason }, { ifMatch: version })
export const addRefund = (id: string, req: RefundInput) =>
  api.post<RefundResult>(`/api/v1/conversions/${enc(id)}/refunds`, req, { idempotent: true })
export const attributeConversion = (id: string, req: ManualAttribution) =>
  api.post<Conversion>(`/api/v1/conversions/${enc(id)}/attribute`, req)
export function importConversions(file: File, dryRun: boolean, opts: { timezone?: string; currency?: string } = {}) {
  const form = new FormData()
  form.append('file', file)
  if (opts.timezone) form.append('timezone', opts.timezone)
  if (opts.currency) form.append('currency', opts.currency)
  return api.post<OrderImportResult>('/api/v1/conversions/import', form, { query: { dry_run: String(dryRun) }, idempotent: !dryRun })
}

// --- ledger ---

export const listCommissions = (query: RequestOptions['query']) => api.get<Page<LedgerEntry>>('/api/v1/commissions', { query })
export const listFxRates = (query?: RequestOptions['query']) => api.get<{ items: FXRate[] }>('/api/v1/fx-rates', { query })
export const putFxRate = (req: NewFXRate) => api.put<FXRate>('/api/v1/fx-rates', req)

// --- shops ---

export const listStores = () => api.get<{ items: Store[] }>('/api/v1/stores')
export const createStore = (req: NewStore) => api.post<Store>('/api/v1/stores', req, { idempotent: true })
export const deleteStore = (id: string) => api.delete(`/api/v1/stores/${enc(id)}`)
