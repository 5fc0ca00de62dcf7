// A small fetch wrapper for the Caravan API.
//
// The access token lives in memory only (never in localStorage), so an XSS cannot lift a
// long-lived credential; the refresh token is an HttpOnly cookie scoped to /api/v1/auth.
// On 401 the client refreshes once — concurrent 401s share that one refresh — and retries.

export const REFRESH_PATH = '/api/v1/auth/refresh'

/** How long to wait before retrying a refresh that lost a race with another tab. */
export const RACE_RETRY_MS = 300

async function errorCode(res: Response): Promise<string | undefined> {
  try {
    const body = (await res.clone().json()) as { error?: { code?: string } }
    return body.error?.code
  } catch {
    return undefined
  }
}

/** Header the server requires on cookie-authenticated writes (CSRF defence). */
export const CSRF_HEADER = { 'X-Requested-With': 'caravan' } as const

/** An error answered by the server in the contract's shape, or a network failure (status 0). */
export class ApiError extends Error {
  readonly status: number
  readonly code: string
  readonly fields: Record<string, string>
  readonly requestId?: string
  /** Seconds from the Retry-After header, when present. */
  readonly retryAfter?: number
  /** The whole parsed body, for answers that carry more than the error (an import's row errors). */
  readonly body?: unknown

  constructor(init: {
    status: number
    code: string
    message: string
    fields?: Record<string, string>
    requestId?: string
    retryAfter?: number
    body?: unknown
  }) {
    super(init.message)
    this.name = 'ApiError'
    this.status = init.status
    this.code = init.code
    this.fields = init.fields ?? {}
    this.requestId = init.requestId
    this.retryAfter = init.retryAfter
    this.body = init.body
  }
}

function parseRetryAfter(value: string | null): number | undefined {
  if (!value) return undefined
  const secs = Number(value)
  if (Number.isFinite(secs) && secs >= 0) return Math.ceil(secs)
  const date = Date.parse(value)
  if (!Number.isNaN(date)) return Math.max(0, Math.ceil((date - Date.now()) / 1000))
  return undefined
}

/** Turns a non-2xx response into an ApiError, tolerating bodies that are not in the contract's shape. */
export async function parseError(res: Response): Promise<ApiError> {
  let body: unknown = undefined
  try {
    const text = await res.text()
    body = text ? JSON.parse(text) : undefined
  } catch {
    body = undefined
  }
  const err =
    body && typeof body === 'object' && 'error' in body && body.error && typeof body.error === 'object'
      ? (body.error as Record<string, unknown>)
      : undefined
  const fields: Record<string, string> = {}
  if (err?.fields && typeof err.fields === 'object') {
    for (const [k, v] of Object.entries(err.fields as Record<string, unknown>)) {
      if (typeof v === 'string') fields[k] = v
    }
  }
  return new ApiError({
    status: res.status,
    code: typeof err?.code === 'string' ? err.code : fallbackCode(res.status),
    message: typeof err?.message === 'string' ? err.message : res.statusText || `HTTP ${res.status}`,
    fields,
    requestId:
      (typeof err?.request_id === 'string' ? err.request_id : undefined) ??
      res.headers.get('X-Request-Id') ??
      undefined,
    retryAfter: parseRetryAfter(res.headers.get('Retry-After')),
    body,
  })
}

function fallbackCode(status: number): string {
  switch (status) {
    case 401:
      return 'unauthenticated'
    case 403:
      return 'forbidden'
    case 404:
      return 'not_found'
    case 409:
      return 'conflict'
    case 422:
      return 'validation_failed'
    case 429:
      return 'rate_limited'
    default:
      return status >= 500 ? 'internal' : 'bad_request'
  }
}

export interface RequestOptions {
  /** Query string parameters; undefined values are skipped; an array repeats the parameter. */
  query?: Record<string, string | number | undefined | null | readonly string[]>
  /** Send the refresh cookie and the CSRF header (auth endpoints). */
  cookie?: boolean
  /** Retry once after refreshing on 401 (default true). */
  retryOn401?: boolean
  signal?: AbortSignal
  /** Accept header (default application/json). */
  accept?: string
}

export interface ApiClientOptions {
  baseUrl?: string
  fetch?: typeof fetch
}

type Listener = (token: string | null) => void

export class ApiClient {
  private token: string | null = null
  private refreshing: Promise<boolean> | null = null
  private readonly listeners = new Set<Listener>()
  private readonly baseUrl: string
  private readonly fetchImpl?: typeof fetch

  constructor(opts: ApiClientOptions = {}) {
    this.baseUrl = opts.baseUrl ?? ''
    this.fetchImpl = opts.fetch
  }

  getToken(): string | null {
    return this.token
  }

  setToken(token: string | null): void {
    if (token === this.token) return
    this.token = token
    for (const l of this.listeners) l(token)
  }

  /** Subscribes to token changes (login, refresh, logout, expired session). */
  subscribe(listener: Listener): () => void {
    this.listeners.add(listener)
    return () => {
      this.listeners.delete(listener)
    }
  }

  private doFetch(input: string, init: RequestInit): Promise<Response> {
    const f = this.fetchImpl ?? globalThis.fetch
    return f(input, init)
  }

  /**
   * Exchanges the refresh cookie for a new access token. Concurrent callers share one request,
   * because the server rotates the refresh token and treats a reused one as theft.
   * Resolves to true when a new token was obtained; on failure the in-memory token is cleared.
   */
  refresh(): Promise<boolean> {
    if (!this.refreshing) {
      this.refreshing = (async () => {
        try {
          const post = () =>
            this.doFetch(this.baseUrl + REFRESH_PATH, {
              method: 'POST',
              credentials: 'same-origin',
              headers: { Accept: 'application/json', ...CSRF_HEADER },
            })
          let res = await post()
          if (res.status === 401 && (await errorCode(res)) === 'refresh_in_progress') {
            // Another tab rotated the cookie a moment ago; the browser now holds the new one.
            await new Promise((r) => setTimeout(r, RACE_RETRY_MS))
            res = await post()
          }
          if (!res.ok) {
            this.setToken(null)
            return false
          }
          const body = (await res.json()) as { access_token?: string }
          if (!body.access_token) {
            this.setToken(null)
            return false
          }
          this.setToken(body.access_token)
          return true
        } catch {
          // Network failure: keep whatever token we had, the caller sees the original error.
          return false
        } finally {
          this.refreshing = null
        }
      })()
    }
    return this.refreshing
  }

  private url(path: string, query?: RequestOptions['query']): string {
    let url = this.baseUrl + path
    if (query) {
      const qs = new URLSearchParams()
      for (const [k, v] of Object.entries(query)) {
        if (Array.isArray(v)) for (const item of v) qs.append(k, item)
        else if (v !== undefined && v !== null && v !== '') qs.set(k, String(v))
      }
      const s = qs.toString()
      if (s) url += (url.includes('?') ? '&' : '?') + s
    }
    return url
  }

  async request<T>(method: string, path: string, body?: unknown, opts: RequestOptions = {}): Promise<T> {
    const res = await this.send(method, path, body, opts)
    if (res.status === 204) return undefined as T
    const text = await res.text()
    return (text ? JSON.parse(text) : undefined) as T
  }

  /**
   * Sends a request with the token (refreshing once on 401) and returns the successful response;
   * a FormData body goes as multipart, anything else as JSON.
   */
  private async send(method: string, path: string, body: unknown, opts: RequestOptions): Promise<Response> {
    const isForm = typeof FormData !== 'undefined' && body instanceof FormData
    const send = (token: string | null) => {
      const headers: Record<string, string> = { Accept: opts.accept ?? 'application/json' }
      if (body !== undefined && !isForm) headers['Content-Type'] = 'application/json'
      if (token) headers.Authorization = `Bearer ${token}`
      if (opts.cookie) Object.assign(headers, CSRF_HEADER)
      return this.doFetch(this.url(path, opts.query), {
        method,
        headers,
        body: body === undefined ? undefined : isForm ? (body as FormData) : JSON.stringify(body),
        credentials: 'same-origin',
        signal: opts.signal,
      })
    }

    const sentWith = this.token
    let res: Response
    try {
      res = await send(sentWith)
    } catch (e) {
      if (e instanceof DOMException && e.name === 'AbortError') throw e
      throw new ApiError({ status: 0, code: 'network', message: e instanceof Error ? e.message : String(e) })
    }

    if (res.status === 401 && opts.retryOn401 !== false) {
      // Another request may already have refreshed while this one was in flight.
      const ok = this.token && this.token !== sentWith ? true : await this.refresh()
      if (ok) {
        try {
          res = await send(this.token)
        } catch (e) {
          throw new ApiError({ status: 0, code: 'network', message: e instanceof Error ? e.message : String(e) })
        }
      }
      if (res.status === 401) this.setToken(null)
    }

    if (!res.ok) throw await parseError(res)
    return res
  }

  /** A file answer (an export) as a Blob, with the file name the server suggests. */
  async download(path: string, opts: RequestOptions = {}): Promise<{ blob: Blob; filename?: string }> {
    const res = await this.send('GET', path, undefined, { accept: '*/*', ...opts })
    const disposition = res.headers.get('Content-Disposition') ?? ''
    const m = /filename\*?=(?:UTF-8'')?"?([^";]+)"?/i.exec(disposition)
    return { blob: await res.blob(), filename: m ? decodeURIComponent(m[1]) : undefined }
  }

  get<T>(path: string, opts?: RequestOptions) {
    return this.request<T>('GET', path, undefined, opts)
  }
  post<T>(path: string, body?: unknown, opts?: RequestOptions) {
    return this.request<T>('POST', path, body, opts)
  }
  patch<T>(path: string, body?: unknown, opts?: RequestOptions) {
    return this.request<T>('PATCH', path, body, opts)
  }
  put<T>(path: string, body?: unknown, opts?: RequestOptions) {
    return this.request<T>('PUT', path, body, opts)
  }
  delete<T = void>(path: string, opts?: RequestOptions) {
    return this.request<T>('DELETE', path, undefined, opts)
  }
}

/** The application's one client. */
export const api = new ApiClient()
