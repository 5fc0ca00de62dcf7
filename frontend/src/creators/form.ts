// Creator form values ⇄ API bodies: the new-creator body (empty fields left out) and the partial
// change of an edit (only what changed; a cleared optional field becomes null).
import type { Creator, CreatorChange, CreatorStatus, NewAccount, NewCreator } from '../api/types'
import { bpsToPercent, percentToBps } from '../money'

export interface AccountValues {
  platform?: string
  handle?: string
  followers?: number | null
}

export interface CreatorValues {
  display_name: string
  country?: string
  email?: string
  phone?: string
  wechat?: string
  whatsapp?: string
  languages?: string[]
  status?: CreatorStatus
  tags?: string[]
  agency_id?: string | null
  payout_currency?: string | null
  default_rate_percent?: number | null
  notes?: string
  accounts?: AccountValues[]
}

/** Top-level form names, for placing server field errors. */
export const CREATOR_FORM_FIELDS = [
  'display_name',
  'country',
  'email',
  'phone',
  'wechat',
  'whatsapp',
  'languages',
  'status',
  'tags',
  'agency_id',
  'payout_currency',
  'default_rate_percent',
  'notes',
  'accounts',
] as const

export const FIELD_RENAMES = { default_rate_bps: 'default_rate_percent' }

const text = (v: string | null | undefined) => {
  const s = (v ?? '').trim()
  return s === '' ? undefined : s
}

export function newCreatorBody(v: CreatorValues): NewCreator {
  const accounts: NewAccount[] = (v.accounts ?? [])
    .filter((a) => text(a.handle))
    .map((a) => ({
      platform: a.platform ?? '',
      handle: a.handle!.trim(),
      ...(a.followers !== undefined && a.followers !== null ? { followers: a.followers } : {}),
    }))
  const body: NewCreator = {
    display_name: v.display_name.trim(),
    country: v.country ?? '',
    email: text(v.email),
    phone: text(v.phone),
    wechat: text(v.wechat),
    whatsapp: text(v.whatsapp),
    languages: v.languages?.length ? v.languages : undefined,
    status: v.status,
    tags: v.tags?.length ? v.tags : undefined,
    agency_id: v.agency_id || undefined,
    payout_currency: v.payout_currency || undefined,
    default_rate_bps:
      v.default_rate_percent !== undefined && v.default_rate_percent !== null ? percentToBps(v.default_rate_percent) : undefined,
    notes: text(v.notes),
    accounts: accounts.length ? accounts : undefined,
  }
  // Drop undefined keys so the JSON stays minimal.
  return Object.fromEntries(Object.entries(body).filter(([, x]) => x !== undefined)) as unknown as NewCreator
}

export function creatorValues(c: Creator): CreatorValues {
  return {
    display_name: c.display_name,
    country: c.country,
    email: c.email ?? '',
    phone: c.phone ?? '',
    wechat: c.wechat ?? '',
    whatsapp: c.whatsapp ?? '',
    languages: c.languages,
    status: c.status,
    tags: c.tags,
    agency_id: c.agency_id,
    payout_currency: c.payout_currency,
    default_rate_percent: c.default_rate_bps === null ? null : bpsToPercent(c.default_rate_bps),
    notes: c.notes,
  }
}

const sameList = (a: readonly string[], b: readonly string[]) => a.length === b.length && a.every((x, i) => x === b[i])

/** The PATCH body of an edit: only the fields that changed. */
export function creatorChange(c: Creator, v: CreatorValues): CreatorChange {
  const ch: CreatorChange = {}
  const name = v.display_name.trim()
  if (name !== c.display_name) ch.display_name = name
  if (v.country && v.country !== c.country) ch.country = v.country
  for (const k of ['email', 'phone', 'wechat', 'whatsapp'] as const) {
    const nv = text(v[k]) ?? null
    if (nv !== c[k]) ch[k] = nv
  }
  if (v.languages && !sameList(v.languages, c.languages)) ch.languages = v.languages
  if (v.status && v.status !== c.status) ch.status = v.status
  if (v.tags && !sameList(v.tags, c.tags)) ch.tags = v.tags
  const agency = v.agency_id || null
  if (agency !== c.agency_id) ch.agency_id = agency
  const currency = v.payout_currency || null
  if (currency !== c.payout_currency) ch.payout_currency = currency
  const rate = v.default_rate_percent === undefined || v.default_rate_percent === null ? null : percentToBps(v.default_rate_percent)
  if (rate !== c.default_rate_bps) ch.default_rate_bps = rate
  const notes = (v.notes ?? '').trim()
  if (notes !== c.notes) ch.notes = notes
  return ch
}
