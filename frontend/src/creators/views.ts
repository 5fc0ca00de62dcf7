// The creators table's columns and saved views, kept in this browser per user (localStorage): which
// columns show, and named views — a filter query string with its columns — one click away. Nothing
// here goes to the server; another browser starts from the defaults.

export const CREATOR_COLUMNS = ['display_name', 'country', 'status', 'accounts', 'followers', 'tags', 'owner', 'created_at'] as const
export type CreatorColumn = (typeof CREATOR_COLUMNS)[number]

/** The name column links to the profile: it cannot be hidden. */
export const REQUIRED_COLUMNS: readonly CreatorColumn[] = ['display_name']

export const MAX_VIEWS = 20
export const MAX_VIEW_NAME = 60

export interface SavedView {
  name: string
  /** The list's query string (filtersToSearch), without a leading "?". */
  search: string
  columns: CreatorColumn[]
}

export interface CreatorTablePrefs {
  columns: CreatorColumn[]
  views: SavedView[]
}

export const DEFAULT_PREFS: CreatorTablePrefs = { columns: [...CREATOR_COLUMNS], views: [] }

export const prefsKey = (userId: string) => `caravan.creators.table.${userId}`

/** Known columns only, in the table's order, the required ones always in. */
export function cleanColumns(columns: readonly unknown[]): CreatorColumn[] {
  const wanted = new Set(columns)
  return CREATOR_COLUMNS.filter((c) => wanted.has(c) || REQUIRED_COLUMNS.includes(c))
}

/** The stored preferences, or the defaults when there are none or they cannot be read. */
export function loadPrefs(storage: Pick<Storage, 'getItem'> | undefined, userId: string): CreatorTablePrefs {
  let raw: unknown
  try {
    const text = storage?.getItem(prefsKey(userId))
    raw = text ? JSON.parse(text) : undefined
  } catch {
    raw = undefined
  }
  if (!raw || typeof raw !== 'object') return DEFAULT_PREFS
  const r = raw as { columns?: unknown; views?: unknown }
  const columns = Array.isArray(r.columns) ? cleanColumns(r.columns) : DEFAULT_PREFS.columns
  const views: SavedView[] = []
  if (Array.isArray(r.views)) {
    for (const v of r.views as { name?: unknown; search?: unknown; columns?: unknown }[]) {
      if (!v || typeof v.name !== 'string' || !v.name.trim() || typeof v.search !== 'string') continue
      views.push({ name: v.name, search: v.search, columns: Array.isArray(v.columns) ? cleanColumns(v.columns) : [...CREATOR_COLUMNS] })
    }
  }
  return { columns, views: views.slice(0, MAX_VIEWS) }
}

/** Stores the preferences; a full or forbidden storage only loses them, it never breaks the page. */
export function savePrefs(storage: Pick<Storage, 'setItem'> | undefined, userId: string, prefs: CreatorTablePrefs): void {
  try {
    storage?.setItem(prefsKey(userId), JSON.stringify(prefs))
  } catch {
    // Private mode or quota: the choice lasts until the page is left.
  }
}

/** Adds a view, replacing one of the same name (names compare without case); the newest first. */
export function addView(prefs: CreatorTablePrefs, name: string, search: string, columns: readonly CreatorColumn[]): CreatorTablePrefs {
  const n = name.trim().slice(0, MAX_VIEW_NAME)
  if (!n) return prefs
  const others = prefs.views.filter((v) => v.name.toLocaleLowerCase() !== n.toLocaleLowerCase())
  const view: SavedView = { name: n, search: search.replace(/^\?/, ''), columns: cleanColumns(columns) }
  return { ...prefs, views: [view, ...others].slice(0, MAX_VIEWS) }
}

export function removeView(prefs: CreatorTablePrefs, name: string): CreatorTablePrefs {
  return { ...prefs, views: prefs.views.filter((v) => v.name !== name) }
}

/** The saved view the list shows now (same filters, same columns), if any. */
export function currentView(prefs: CreatorTablePrefs, search: string, columns: readonly CreatorColumn[]): SavedView | undefined {
  const s = normalizeSearch(search)
  const cols = cleanColumns(columns).join(',')
  return prefs.views.find((v) => normalizeSearch(v.search) === s && v.columns.join(',') === cols)
}

/** A query string with its parameters sorted: the same filters compare equal whatever their order. */
function normalizeSearch(search: string): string {
  const p = new URLSearchParams(search.replace(/^\?/, ''))
  p.sort()
  return p.toString()
}
