// Creator form values ⇄ API bodies: the new-creator body (empty fields left out) and the partial
// change of an edit (only what changed; a cleared optional field becomes null).
import type { Creator, CreatorChange, CreatorStatus, NewAccount, NewCreator, PayoutMethod } from '../api/types'
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
  /** The seller in charge (负责人); only shown to those who may list users (users:manage). */
  owner_id?: string | null
  payout_currency?: string | null
  /** How the creator is paid, the account there (PayPal e-mail, IBAN or account number) and its holder. */
  payout_method?: PayoutMethod | null
  payout_account?: string
  payout_holder?: string
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
  'owner_id',
  'payout_currency',
  'payout_method',
  'payout_account',
  'payout_holder',
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
    tags: v.tags?.length ? uniqueTags(v.tags) : undefined,
    agency_id: v.agency_id || undefined,
    owner_id: v.owner_id || undefined,
    payout_currency: v.payout_currency || undefined,
    payout_method: v.payout_method || undefined,
    payout_account: text(v.payout_account),
    payout_holder: text(v.payout_holder),
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
    owner_id: c.owner_id,
    payout_currency: c.payout_currency,
    payout_method: c.payout_method,
    payout_account: c.payout_account ?? '',
    payout_holder: c.payout_holder ?? '',
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
  const tags = v.tags && uniqueTags(v.tags)
  if (tags && !sameList(tags, c.tags)) ch.tags = tags
  const agency = v.agency_id || null
  if (agency !== c.agency_id) ch.agency_id = agency
  // The owner field is absent (undefined) for those who may not pick one: no change then.
  if (v.owner_id !== undefined) {
    const owner = v.owner_id || null
    if (owner !== c.owner_id) ch.owner_id = owner
  }
  const currency = v.payout_currency || null
  if (currency !== c.payout_currency) ch.payout_currency = currency
  const method = v.payout_method || null
  if (method !== c.payout_method) ch.payout_method = method
  for (const k of ['payout_account', 'payout_holder'] as const) {
    const nv = text(v[k]) ?? null
    if (nv !== c[k]) ch[k] = nv
  }
  // The server checks a PayPal account against the method it is sent with: send both.
  if (ch.payout_method !== undefined && method !== null && ch.payout_account === undefined && c.payout_account !== null) {
    ch.payout_account = c.payout_account
  }
  const rate = v.default_rate_percent === undefined || v.default_rate_percent === null ? null : percentToBps(v.default_rate_percent)
  if (rate !== c.default_rate_bps) ch.default_rate_bps = rate
  const notes = (v.notes ?? '').trim()
  if (notes !== c.notes) ch.notes = notes
  return ch
}

/** Hosts of profile addresses (without www., m. or mobile.), as the server reads them. */
const PLATFORM_HOSTS: Record<string, string> = {
  'tiktok.com': 'tiktok',
  'youtube.com': 'youtube',
  'youtu.be': 'youtube',
  'instagram.com': 'instagram',
  'xiaohongshu.com': 'rednote',
  'xhslink.com': 'rednote',
  'x.com': 'x',
  'twitter.com': 'x',
  'facebook.com': 'facebook',
  'fb.com': 'facebook',
  'pinterest.com': 'pinterest',
  'snapchat.com': 'snapchat',
  'twitch.tv': 'twitch',
  'kwai.com': 'kwai',
  'douyin.com': 'douyin',
  'bilibili.com': 'bilibili',
  'space.bilibili.com': 'bilibili',
}

/**
 * The platform a pasted profile address names ("https://www.youtube.com/@amy" → "youtube"), or
 * undefined for a plain handle: the handle field sets the platform, so nobody has to pick it first.
 */
export function guessPlatform(handle: string | undefined): string | undefined {
  const s = (handle ?? '').trim().toLowerCase()
  if (!s.includes('/') && !s.includes('.')) return undefined
  let host: string
  try {
    host = new URL(/^https?:\/\//.test(s) ? s : `https://${s}`).hostname
  } catch {
    return undefined
  }
  for (const prefix of ['www.', 'm.', 'mobile.']) if (host.startsWith(prefix)) host = host.slice(prefix.length)
  return PLATFORM_HOSTS[host]
}

/** Tags once each whatever their case, keeping the first spelling: the server matches them so too. */
export function uniqueTags(tags: readonly string[]): string[] {
  const seen = new Set<string>()
  const out: string[] = []
  for (const raw of tags) {
    const t = raw.trim().replace(/\s+/g, ' ')
    if (t && !seen.has(t.toLowerCase())) {
      seen.add(t.toLowerCase())
      out.push(t)
    }
  }
  return out
}

export const PAYOUT_ACCOUNT_MAX = 100
export const PAYOUT_HOLDER_MAX = 200

/**
 * Whether s is written like an IBAN (two letters, two check digits, then 11 to 30 letters or
 * digits; spaces ignored). Bank account numbers that are not IBANs are left alone.
 */
export function looksLikeIban(s: string): boolean {
  return /^[A-Z]{2}\d{2}[A-Z0-9]{11,30}$/.test(s.replace(/\s+/g, '').toUpperCase())
}

/** The ISO 13616 check of an IBAN (mod 97 of the rearranged digits equals 1). */
export function validIban(s: string): boolean {
  const iban = s.replace(/\s+/g, '').toUpperCase()
  if (!looksLikeIban(iban)) return false
  const rearranged = iban.slice(4) + iban.slice(0, 4)
  let rest = 0
  for (const ch of rearranged) {
    const digits = ch >= 'A' && ch <= 'Z' ? String(ch.charCodeAt(0) - 55) : ch
    for (const d of digits) rest = (rest * 10 + Number(d)) % 97
  }
  return rest === 1
}

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/

/**
 * What is wrong with a payout account for a method, as a locale key under creators; null when
 * nothing is. The server checks the length and the PayPal e-mail too; the IBAN check is the UI's.
 */
export function payoutAccountProblem(
  method: PayoutMethod | null | undefined,
  account: string | undefined,
): 'payoutMethodFirst' | 'payoutPaypalEmail' | 'payoutIbanInvalid' | 'payoutAccountTooLong' | null {
  const a = (account ?? '').trim()
  if (a === '') return null
  if (a.length > PAYOUT_ACCOUNT_MAX) return 'payoutAccountTooLong'
  if (!method) return 'payoutMethodFirst'
  if (method === 'paypal') return EMAIL.test(a) ? null : 'payoutPaypalEmail'
  if (looksLikeIban(a) && !validIban(a)) return 'payoutIbanInvalid'
  return null
}
