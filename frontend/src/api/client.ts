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
  /** A stable code per field (password_too_short, required…), to translate field errors. */
  readonly fieldCodes: Record<string, string>
  /** The values the UI needs to say the error in the user's language ({platform, handle}, {current_version}). */
  readonly params: Record<string, unknown>
  /** A list the answer carries (an import's problems by row and column). */
  readonly details?: unknown
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
    fieldCodes?: Record<string, string>
    params?: Record<string, unknown>
    details?: unknown
    requestId?: string
    retryAfter?: number
    body?: unknown
  }) {
    super(init.message)
    this.name = 'ApiError'
    this.status = init.status
    this.code = init.code
    this.fields = init.fields ?? {}
    this.fieldCodes = init.fieldCodes ?? {}
    this.params = init.params ?? {}
    this.details = init.details
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
  const strings = (v: unknown): Record<string, string> => {
    const out: Record<string, string> = {}
    if (v && typeof v === 'object' && !Array.isArray(v)) {
      for (const [k, x] of Object.entries(v as Record<string, unknown>)) if (typeof x === 'string') out[k] = x
    }
    return out
  }
  const params: Record<string, unknown> =
    err?.params && typeof err.params === 'object' && !Array.isArray(err.params) ? { ...(err.params as object) } : {}
  // choose_organization: the list may come in params or (older servers) beside the code.
  if (params.organizations === undefined && Array.isArray(err?.organizations)) params.organizations = err.organizations
  return new ApiError({
    status: res.status,
    code: typeof err?.code === 'string' ? err.code : fallbackCode(res.status),
    message: typeof err?.message === 'string' ? err.message : res.statusText || `HTTP ${res.status}`,
    fields: strings(err?.fields),
    fieldCodes: strings(err?.field_codes),
    params,
    details: err?.details,
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
    case 412:
      return 'version_mismatch'
    case 422:
      return 'validation_failed'
    case 429:
      return 'rate_limited'
    case 503:
      return 'unavailable'
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
  /**
   * The version of the record the user saw: sent as `If-Match: "<version>"`, so a write over
   * someone else's newer change answers 412 version_mismatch instead of overwriting it.
   */
  ifMatch?: number | string
  /**
   * This request creates something: send an Idempotency-Key. true makes a fresh key per
   * submission; the same submission sent again (after a network error or 503) reuses its key, so
   * nothing is created twice. A string is used as the key as is.
   */
  idempotent?: boolean | string
}

export interface ApiClientOptions {
  baseUrl?: string
  fetch?: typeof fetch
  /** How many times a creating request is re-sent, with its key, after a network error or 503 (default 2). */
  retries?: number
  /** Milliseconds before such a retry when there is no Retry-After (default 500); tests use 0. */
  retryDelayMs?: number
  /** Longest wait for a Retry-After before a retry, in ms (default 5000); longer ones are left to the user. */
  maxRetryWaitMs?: number
  /** Makes an idempotency key (default crypto.randomUUID). */
  newKey?: () => string
}

/**
 * Whether a failed answer may be sent again unchanged: the server never saw it (network error),
 * was unavailable (503), or is still working on the same key (409 idempotency_in_progress).
 */
export function isRetryable(err: unknown): boolean {
  return (
    err instanceof ApiError &&
    (err.status === 0 || err.status === 503 || (err.status === 409 && err.code === 'idempotency_in_progress'))
  )
}

function randomKey(): string {
  if (typeof crypto !== 'undefined' && typeof crypto.randomUUID === 'function') return crypto.randomUUID()
  // Old browsers without randomUUID (it needs a secure context): a v4 UUID from getRandomValues.
  const b = crypto.getRandomValues(new Uint8Array(16))
  b[6] = (b[6] & 0x0f) | 0x40
  b[8] = (b[8] & 0x3f) | 0x80
  const h = Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('')
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`
}

/** What makes two submissions "the same": method, URL and body. */
function fingerprint(method: string, url: string, body: unknown): string {
  if (typeof FormData !== 'undefined' && body instanceof FormData) {
    const parts: string[] = []
    body.forEach((v, k) => {
      parts.push(typeof v === 'string' ? `${k}=${v}` : `${k}=file:${v.name}:${v.size}:${(v as File).lastModified ?? ''}`)
    })
    return `${method} ${url} form:${parts.join('&')}`
  }
  return `${method} ${url} ${body === undefined ? '' : JSON.stringify(body)}`
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

type Listener = (token: string | null) => void

export class ApiClient {
  private token: string | null = null
  private refreshing: Promise<boolean> | null = null
  private readonly listeners = new Set<Listener>()
  private readonly baseUrl: string
  private readonly fetchImpl?: typeof fetch
  private readonly retries: number
  private readonly retryDelayMs: number
  private readonly maxRetryWaitMs: number
  private readonly newKey: () => string
  /**
   * Keys of creating submissions that failed in a way that may be retried (network error, 503),
   * by fingerprint: the user pressing Create again sends the same key, and the server answers with
   * what the first attempt created if it did get through. Forgotten on any definite answer.
   */
  private readonly pendingKeys = new Map<string, string>()

  constructor(opts: ApiClientOptions = {}) {
    this.baseUrl = opts.baseUrl ?? ''
    this.fetchImpl = opts.fetch
    this.retries = opts.retries ?? 2
    this.retryDelayMs = opts.retryDelayMs ?? 500
    this.maxRetryWaitMs = opts.maxRetryWaitMs ?? 5000
    this.newKey = opts.newKey ?? randomKey
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
    if (!opts.idempotent) return this.sendOnce(method, path, body, opts, undefined)
    const fp = fingerprint(method, this.url(path, opts.query), body)
    const key = typeof opts.idempotent === 'string' ? opts.idempotent : (this.pendingKeys.get(fp) ?? this.newKey())
    for (let attempt = 0; ; attempt++) {
      try {
        const res = await this.sendOnce(method, path, body, opts, key)
        this.pendingKeys.delete(fp)
        return res
      } catch (e) {
        if (!isRetryable(e)) {
          this.pendingKeys.delete(fp)
          throw e
        }
        this.pendingKeys.set(fp, key)
        const wait = (e as ApiError).retryAfter !== undefined ? (e as ApiError).retryAfter! * 1000 : this.retryDelayMs
        if (attempt >= this.retries || wait > this.maxRetryWaitMs || opts.signal?.aborted) throw e
        await sleep(wait)
      }
    }
  }

  private async sendOnce(
    method: string,
    path: string,
    body: unknown,
    opts: RequestOptions,
    idempotencyKey: string | undefined,
  ): Promise<Response> {
    const isForm = typeof FormData !== 'undefined' && body instanceof FormData
    const send = (token: string | null) => {
      const headers: Record<string, string> = { Accept: opts.accept ?? 'application/json' }
      if (body !== undefined && !isForm) headers['Content-Type'] = 'application/json'
      if (token) headers.Authorization = `Bearer ${token}`
      if (opts.cookie) Object.assign(headers, CSRF_HEADER)
      if (opts.ifMatch !== undefined && opts.ifMatch !== null) headers['If-Match'] = `"${opts.ifMatch}"`
      if (idempotencyKey) headers['Idempotency-Key'] = idempotencyKey
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

  /**
   * A file answer as the successful Response itself (after the token refresh and error handling),
   * for a caller that reads the body as a stream to show progress (download.ts readWithProgress).
   */
  fileResponse(path: string, opts: RequestOptions = {}): Promise<Response> {
    return this.send('GET', path, undefined, { accept: '*/*', ...opts })
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
