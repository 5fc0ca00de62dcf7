// The creator list's filters, kept in the URL query string so a view is shareable and survives a
// reload. The URL uses the API's own parameter names, so the same filters feed the list and the
// export.
import { CREATOR_SORTS, CREATOR_STATUSES, TIERS, type CreatorSort, type CreatorStatus, type Tier } from '../api/types'

export interface CreatorFilters {
  q: string
  status: CreatorStatus[]
  country: string[]
  platform: string[]
  tier: Tier[]
  agency_id: string
  tag: string[]
  min_followers?: number
  max_followers?: number
  /** Only creators with an active account on a platform at risk or banned in their country. */
  exposed: boolean
  sort: CreatorSort
}

export const DEFAULT_SORT: CreatorSort = '-created_at'

export const EMPTY_FILTERS: CreatorFilters = {
  q: '',
  status: [],
  country: [],
  platform: [],
  tier: [],
  agency_id: '',
  tag: [],
  exposed: false,
  sort: DEFAULT_SORT,
}

/** Comma lists (status=active,paused) and repeated parameters are both read; unknown values dropped. */
function list(params: URLSearchParams, name: string): string[] {
  const out: string[] = []
  for (const v of params.getAll(name)) {
    for (const part of v.split(',')) {
      const p = part.trim()
      if (p && !out.includes(p)) out.push(p)
    }
  }
  return out
}

function count(params: URLSearchParams, name: string): number | undefined {
  const v = params.get(name)?.trim()
  if (!v || !/^\d+$/.test(v)) return undefined
  const n = Number(v)
  return Number.isSafeInteger(n) ? n : undefined
}

const oneOf =
  <T extends string>(allowed: readonly T[]) =>
  (v: string): v is T =>
    (allowed as readonly string[]).includes(v)

export function filtersFromSearch(params: URLSearchParams): CreatorFilters {
  const sort = params.get('sort') ?? ''
  return {
    q: params.get('q')?.trim() ?? '',
    status: list(params, 'status').filter(oneOf(CREATOR_STATUSES)),
    country: list(params, 'country')
      .map((c) => c.toUpperCase())
      .filter((c) => /^[A-Z]{2}$/.test(c)),
    platform: list(params, 'platform').map((p) => p.toLowerCase()),
    tier: list(params, 'tier').filter(oneOf(TIERS)),
    agency_id: params.get('agency_id')?.trim() ?? '',
    // Tags may contain commas in principle, so they are only ever repeated, never split.
    tag: params
      .getAll('tag')
      .map((t) => t.trim())
      .filter((t, i, all) => t !== '' && all.indexOf(t) === i),
    min_followers: count(params, 'min_followers'),
    max_followers: count(params, 'max_followers'),
    exposed: params.get('exposed') === 'true',
    sort: oneOf(CREATOR_SORTS)(sort) ? sort : DEFAULT_SORT,
  }
}

/** The filters as a query string; empty values and the default sort are left out. */
export function filtersToSearch(f: CreatorFilters): URLSearchParams {
  const p = new URLSearchParams()
  if (f.q.trim()) p.set('q', f.q.trim())
  if (f.status.length) p.set('status', f.status.join(','))
  if (f.country.length) p.set('country', f.country.join(','))
  if (f.platform.length) p.set('platform', f.platform.join(','))
  if (f.tier.length) p.set('tier', f.tier.join(','))
  if (f.agency_id) p.set('agency_id', f.agency_id)
  for (const t of f.tag) p.append('tag', t)
  if (f.min_followers !== undefined) p.set('min_followers', String(f.min_followers))
  if (f.max_followers !== undefined) p.set('max_followers', String(f.max_followers))
  if (f.exposed) p.set('exposed', 'true')
  if (f.sort !== DEFAULT_SORT) p.set('sort', f.sort)
  return p
}

/** The API query of the list and the export (the same parameters). */
export function filtersToQuery(f: CreatorFilters): Record<string, string | number | undefined | readonly string[]> {
  return {
    q: f.q.trim() || undefined,
    status: f.status.join(',') || undefined,
    country: f.country.join(',') || undefined,
    platform: f.platform.join(',') || undefined,
    tier: f.tier.join(',') || undefined,
    agency_id: f.agency_id || undefined,
    tag: f.tag,
    min_followers: f.min_followers,
    max_followers: f.max_followers,
    exposed: f.exposed ? 'true' : undefined,
    sort: f.sort,
  }
}

/** How many filters (not the search nor the sort) are set: shown on the filter button. */
export function activeFilterCount(f: CreatorFilters): number {
  return (
    [f.status, f.country, f.platform, f.tier, f.tag].filter((l) => l.length > 0).length +
    (f.agency_id ? 1 : 0) +
    (f.min_followers !== undefined ? 1 : 0) +
    (f.max_followers !== undefined ? 1 : 0) +
    (f.exposed ? 1 : 0)
  )
}
