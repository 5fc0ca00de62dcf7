// The finance screens' API: periods, statements, adjustments, payouts and payout files, the FX-rate
// import, report workbooks and the audit log. Types come from the OpenAPI document (schema.gen.ts)
// where it describes them; the rest are written by hand with a note why.
import { api, type RequestOptions } from '../api/client'
import type { ImportCellError, LedgerEntry, Page, Refine, Schemas } from '../api/types'

const enc = encodeURIComponent

// --- periods ---

export type PeriodStatus = 'open' | 'closed'

/** A commission month (YYYY-MM in the organization's zone); closed means locked. */
export type Period = Refine<Schemas['Period'], { status: PeriodStatus; closed_by: string | null; closed_at: string | null }>

/** GET /periods: the months with entries or ever closed (latest first) and the current month. */
export type PeriodList = Omit<Schemas['PeriodList'], 'items'> & { items: Period[] }

export const listPeriods = () => api.get<PeriodList>('/api/v1/periods')
export const closePeriod = (period: string) => api.post<Period>(`/api/v1/periods/${enc(period)}/close`)
export const reopenPeriod = (period: string, reason: string) =>
  api.post<Period>(`/api/v1/periods/${enc(period)}/reopen`, { reason } satisfies Schemas['Reopen'])

// --- statements ---

export type StatementLine = Schemas['StatementLine']

/** One line per creator and currency; `status` is closed when every month of the range is. */
export type StatementList = Refine<Schemas['StatementList'], { status: PeriodStatus; items: StatementLine[] }>

/** A period (YYYY-MM) or a range of days (from/to, YYYY-MM-DD). */
export type StatementRange = { period: string } | { from: string; to: string }

export const getStatements = (range: StatementRange) => api.get<StatementList>('/api/v1/statements', { query: range })

// --- adjustments ---

export type NewAdjustment = Schemas['NewAdjustment']

/** POST /adjustments answers the ledger entry it wrote (LedgerEntry: types.ts narrows the generated one). */
export const createAdjustment = (req: NewAdjustment) => api.post<LedgerEntry>('/api/v1/adjustments', req, { idempotent: true })

// --- payouts ---

export type PayoutStatus = 'pending' | 'paid'

export type Payout = Refine<
  Schemas['Payout'],
  { status: PayoutStatus; reference: string | null; paid_on: string | null; paid_by: string | null; paid_at: string | null }
>

/** A new batch: the period and, per currency, the smallest amount (minor units) worth paying now. */
export type NewBatch = Schemas['NewBatch']
export type Carry = Schemas['Carry']
export type Batch = Omit<Schemas['Batch'], 'items'> & { items: Payout[] }
export type MarkPaid = Schemas['MarkPaid']

export const createBatch = (req: NewBatch) => api.post<Batch>('/api/v1/payouts', req, { idempotent: true })
export const listPayouts = (query: RequestOptions['query']) => api.get<Page<Payout>>('/api/v1/payouts', { query })
export const markPaid = (id: string, req: MarkPaid) => api.post<Payout>(`/api/v1/payouts/${enc(id)}/paid`, req)

export const PAYOUT_FORMATS = ['xlsx', 'csv', 'paypal', 'wise'] as const
export type PayoutFormat = (typeof PAYOUT_FORMATS)[number]
export const PAYOUT_FILE_STATUSES = ['pending', 'paid', 'all'] as const
export type PayoutFileStatus = (typeof PAYOUT_FILE_STATUSES)[number]

/** Path and query of a payout file (fetched with progress by useFileDownload). */
export function payoutFile(q: { period: string; format: PayoutFormat; currency?: string; status?: PayoutFileStatus }) {
  return { path: '/api/v1/payouts/file', query: { period: q.period, format: q.format, currency: q.currency, status: q.status } }
}

// --- report workbooks ---

/** The workbook languages the server writes. */
export const REPORT_LANGS = ['zh-CN', 'en'] as const
export type ReportLang = (typeof REPORT_LANGS)[number]

/** The commission workbook of a period or a range of days. */
export function commissionWorkbook(range: StatementRange, lang: ReportLang) {
  return { path: '/api/v1/reports/commissions.xlsx', query: { ...range, lang } }
}

/** One creator's statement workbook, to send them. */
export function statementWorkbook(creatorId: string, range: StatementRange, lang: ReportLang) {
  return { path: `/api/v1/statements/${enc(creatorId)}.xlsx`, query: { ...range, lang } }
}

// --- FX rates import ---

export type FxImportResult = Omit<Schemas['FXImportResult'], 'errors'> & { errors: ImportCellError[] }

export function importFxRates(file: File, dryRun: boolean) {
  const form = new FormData()
  form.append('file', file)
  return api.post<FxImportResult>('/api/v1/fx-rates/import', form, { query: { dry_run: String(dryRun) }, idempotent: !dryRun })
}

// --- audit log ---

/** One line of the audit log: who (actor), what (action on a target), when, and the details (before/after). */
export type AuditEntry = Refine<Schemas['AuditEntry'], { actor_id: string | null; actor_kind: 'user' | 'api_key' | 'system' }>

export const listAuditLog = (query: RequestOptions['query']) => api.get<Page<AuditEntry>>('/api/v1/audit-log', { query })

// --- query keys ---

export const financeKeys = {
  periods: ['periods'] as const,
  statements: ['statements'] as const,
  payouts: ['payouts'] as const,
  audit: ['audit-log'] as const,
  adjustments: ['commissions', 'adjustments'] as const,
}
