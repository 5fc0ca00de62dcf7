import { afterEach, describe, expect, it, vi } from 'vitest'
import { ApiClient, ApiError, REFRESH_PATH, parseError } from './client'

function json(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  return new Response(body === undefined ? null : JSON.stringify(body), {
    status,
    headers: { 'Content-Type': 'application/json', ...headers },
  })
}

const unauthorized = () => json(401, { error: { code: 'unauthenticated', message: 'token expired', request_id: 'r1' } })

type Call = { url: string; init: RequestInit; headers: Record<string, string> }

/** A fetch stub that answers through `handler` and records every call. */
function stubFetch(handler: (url: string, init: RequestInit, calls: Call[]) => Response | Promise<Response>) {
  const calls: Call[] = []
  const fn = vi.fn(async (input: RequestInfo | URL, init: RequestInit = {}) => {
    const url = String(input)
    const call = { url, init, headers: (init.headers ?? {}) as Record<string, string> }
    calls.push(call)
    return handler(url, init, calls)
  })
  return { fn: fn as unknown as typeof fetch, calls }
}

afterEach(() => vi.restoreAllMocks())

describe('ApiClient', () => {
  it('sends the bearer token kept in memory', async () => {
    const { fn, calls } = stubFetch(() => json(200, { ok: true }))
    const client = new ApiClient({ fetch: fn })
    client.setToken('tok-1')
    await expect(client.get('/api/v1/me')).resolves.toEqual({ ok: true })
    expect(calls).toHaveLength(1)
    expect(calls[0].headers.Authorization).toBe('Bearer tok-1')
    expect(calls[0].init.credentials).toBe('same-origin')
  })

  it('never writes the access token to localStorage', async () => {
    const { fn } = stubFetch(() => json(200, {}))
    const client = new ApiClient({ fetch: fn })
    const setItem = vi.spyOn(Storage.prototype, 'setItem')
    client.setToken('secret-token')
    await client.get('/api/v1/me')
    expect(setItem).not.toHaveBeenCalled()
    expect(JSON.stringify({ ...localStorage })).not.toContain('secret-token')
  })

  it('on 401 refreshes once with the cookie and CSRF header, then retries with the new token', async () => {
    const { fn, calls } = stubFetch((url, _init, all) => {
      if (url === REFRESH_PATH) return json(200, { access_token: 'new', token_type: 'Bearer', expires_in: 900 })
      const auth = all[all.length - 1].headers.Authorization
      return auth === 'Bearer new' ? json(200, { user: { id: 'u1' } }) : unauthorized()
    })
    const client = new ApiClient({ fetch: fn })
    client.setToken('old')
    await expect(client.get('/api/v1/me')).resolves.toEqual({ user: { id: 'u1' } })

    expect(calls.map((c) => c.url)).toEqual(['/api/v1/me', REFRESH_PATH, '/api/v1/me'])
    const refresh = calls[1]
    expect(refresh.init.method).toBe('POST')
    expect(refresh.init.credentials).toBe('same-origin')
    expect(refresh.headers['X-Requested-With']).toBe('caravan')
    expect(refresh.headers.Authorization).toBeUndefined()
    expect(calls[2].headers.Authorization).toBe('Bearer new')
    expect(client.getToken()).toBe('new')
  })

  it('shares one refresh between concurrent 401s', async () => {
    let release!: () => void
    const gate = new Promise<void>((r) => (release = r))
    const { fn, calls } = stubFetch(async (url, init) => {
      if (url === REFRESH_PATH) {
        await gate // hold the refresh open until every request has seen its 401
        return json(200, { access_token: 'fresh' })
      }
      const auth = (init.headers as Record<string, string>).Authorization
      return auth === 'Bearer fresh' ? json(200, { url }) : unauthorized()
    })
    const client = new ApiClient({ fetch: fn })
    client.setToken('stale')
    const pending = ['/a', '/b', '/c'].map((p) => client.get<{ url: string }>(p))
    await vi.waitFor(() => expect(calls.filter((c) => c.url === REFRESH_PATH)).toHaveLength(1))
    await new Promise((r) => setTimeout(r, 10))
    release()
    const results = await Promise.all(pending)

    expect(results.map((r) => r.url)).toEqual(['/a', '/b', '/c'])
    expect(calls.filter((c) => c.url === REFRESH_PATH)).toHaveLength(1)
    expect(calls.filter((c) => c.url !== REFRESH_PATH)).toHaveLength(6)
  })

  it('does not refresh again when the token changed while the request was in flight', async () => {
    const { fn, calls } = stubFetch((url, init) => {
      if (url === REFRESH_PATH) return json(200, { access_token: 'unexpected' })
      const auth = (init.headers as Record<string, string>).Authorization
      return auth === 'Bearer newer' ? json(200, {}) : unauthorized()
    })
    const client = new ApiClient({ fetch: fn })
    client.setToken('old')
    const p = client.get('/x')
    client.setToken('newer') // e.g. another request's refresh finished first
    await p
    expect(calls.map((c) => c.url)).toEqual(['/x', '/x'])
  })

  it('retries a refresh that lost a race with another tab, once', async () => {
    let refreshes = 0
    const { fn, calls } = stubFetch((url, _init, all) => {
      if (url === REFRESH_PATH) {
        refreshes++
        return refreshes === 1
          ? json(401, { error: { code: 'refresh_in_progress', message: 'retry', request_id: 'r2' } })
          : json(200, { access_token: 'fresh' })
      }
      const last = all[all.length - 1]
      return last.headers.Authorization === 'Bearer fresh' ? json(200, { ok: true }) : unauthorized()
    })
    const client = new ApiClient({ fetch: fn })
    client.setToken('old')
    expect(await client.get('/api/v1/me')).toEqual({ ok: true })
    expect(calls.map((c) => c.url)).toEqual(['/api/v1/me', REFRESH_PATH, REFRESH_PATH, '/api/v1/me'])
  })

  it('clears the token and raises the 401 when the refresh fails', async () => {
    const { fn, calls } = stubFetch(() => unauthorized())
    const client = new ApiClient({ fetch: fn })
    client.setToken('old')
    const seen: (string | null)[] = []
    client.subscribe((t) => seen.push(t))
    const err = await client.get('/api/v1/me').catch((e: unknown) => e)
    expect(err).toBeInstanceOf(ApiError)
    expect((err as ApiError).status).toBe(401)
    expect(calls.map((c) => c.url)).toEqual(['/api/v1/me', REFRESH_PATH])
    expect(client.getToken()).toBeNull()
    expect(seen).toEqual([null])
  })

  it('does not refresh when asked not to (login: 401 means bad credentials)', async () => {
    const { fn, calls } = stubFetch(() =>
      json(401, { error: { code: 'invalid_credentials', message: 'invalid email or password', request_id: 'r' } }),
    )
    const client = new ApiClient({ fetch: fn })
    const err = (await client
      .post('/api/v1/auth/login', { email: 'a@b.c', password: 'x' }, { retryOn401: false, cookie: true })
      .catch((e: unknown) => e)) as ApiError
    expect(err.code).toBe('invalid_credentials')
    expect(calls).toHaveLength(1)
    expect(calls[0].headers['X-Requested-With']).toBe('caravan')
    expect(calls[0].headers['Content-Type']).toBe('application/json')
    expect(calls[0].init.body).toBe(JSON.stringify({ email: 'a@b.c', password: 'x' }))
  })

  it('returns undefined for 204 and builds query strings', async () => {
    const { fn, calls } = stubFetch(() => new Response(null, { status: 204 }))
    const client = new ApiClient({ fetch: fn })
    await expect(client.delete('/api/v1/api-keys/k1')).resolves.toBeUndefined()
    await client.get('/api/v1/users', { query: { limit: 100, cursor: undefined, q: 'a b' } })
    expect(calls[1].url).toBe('/api/v1/users?limit=100&q=a+b')
  })

  it('turns a network failure into an ApiError with code network', async () => {
    const client = new ApiClient({
      fetch: (async () => {
        throw new TypeError('Failed to fetch')
      }) as unknown as typeof fetch,
    })
    const err = (await client.get('/x').catch((e: unknown) => e)) as ApiError
    expect(err).toBeInstanceOf(ApiError)
    expect(err.status).toBe(0)
    expect(err.code).toBe('network')
  })
})

describe('parseError', () => {
  it('reads the contract error shape', async () => {
    const err = await parseError(
      json(422, {
        error: {
          code: 'validation_failed',
          message: 'invalid input',
          fields: { email: 'must be a valid email', password: 'too short', bogus: 3 },
          request_id: 'req-42',
        },
      }),
    )
    expect(err).toBeInstanceOf(ApiError)
    expect(err.status).toBe(422)
    expect(err.code).toBe('validation_failed')
    expect(err.message).toBe('invalid input')
    expect(err.fields).toEqual({ email: 'must be a valid email', password: 'too short' })
    expect(err.requestId).toBe('req-42')
  })

  it('reads Retry-After seconds on 429', async () => {
    const err = await parseError(
      json(429, { error: { code: 'rate_limited', message: 'too many requests', request_id: 'x' } }, { 'Retry-After': '37' }),
    )
    expect(err.code).toBe('rate_limited')
    expect(err.retryAfter).toBe(37)
  })

  it('falls back to a code from the status when the body is not JSON', async () => {
    const err = await parseError(
      new Response('<html>bad gateway</html>', { status: 502, statusText: 'Bad Gateway', headers: { 'X-Request-Id': 'rid' } }),
    )
    expect(err.code).toBe('internal')
    expect(err.message).toBe('Bad Gateway')
    expect(err.fields).toEqual({})
    expect(err.requestId).toBe('rid')
  })
})

describe('ApiClient uploads and downloads', () => {
  it('sends FormData as multipart (no JSON content type) with the token', async () => {
    const { fn, calls } = stubFetch(() => json(200, { created: 1 }))
    const client = new ApiClient({ fetch: fn })
    client.setToken('tok')
    const form = new FormData()
    form.append('file', new Blob(['a,b']), 'x.csv')
    await client.post('/api/v1/creators/import', form, { query: { dry_run: 'true' } })
    expect(calls[0].url).toBe('/api/v1/creators/import?dry_run=true')
    expect(calls[0].init.body).toBe(form)
    expect(calls[0].headers['Content-Type']).toBeUndefined()
    expect(calls[0].headers.Authorization).toBe('Bearer tok')
  })

  it('downloads a file as a blob with the server file name, repeating array parameters', async () => {
    const { fn, calls } = stubFetch(
      () =>
        new Response('xlsx-bytes', {
          status: 200,
          headers: { 'Content-Disposition': 'attachment; filename="creators-20260101.xlsx"' },
        }),
    )
    const client = new ApiClient({ fetch: fn })
    client.setToken('tok')
    const { blob, filename } = await client.download('/api/v1/creators/export.xlsx', { query: { tag: ['a', 'b'], lang: 'zh-CN' } })
    expect(calls[0].url).toBe('/api/v1/creators/export.xlsx?tag=a&tag=b&lang=zh-CN')
    expect(calls[0].headers.Authorization).toBe('Bearer tok')
    expect(filename).toBe('creators-20260101.xlsx')
    expect(await blob.text()).toBe('xlsx-bytes')
  })

  it('keeps the details of an error (an import refused with its row errors)', async () => {
    const { fn } = stubFetch(() =>
      json(422, { error: { code: 'import_failed', message: 'no', params: { rows: 1, problems: 1 }, details: [{ row: 2, column: '国家', message: 'bad' }] } }),
    )
    const err = (await new ApiClient({ fetch: fn }).post('/x', {}).catch((e: unknown) => e)) as ApiError
    expect(err.code).toBe('import_failed')
    expect(err.details as unknown[]).toHaveLength(1)
    expect(err.params.rows).toBe(1)
  })
})

describe('optimistic concurrency (If-Match)', () => {
  it('sends the version the user saw as a quoted If-Match on PATCH', async () => {
    const { fn, calls } = stubFetch(() => json(200, { id: 'c1', version: 4 }))
    const client = new ApiClient({ fetch: fn })
    await client.patch('/api/v1/creators/c1', { status: 'active' }, { ifMatch: 3 })
    expect(calls[0].init.method).toBe('PATCH')
    expect(calls[0].headers['If-Match']).toBe('"3"')
    await client.patch('/api/v1/creators/c1', { status: 'paused' })
    expect(calls[1].headers['If-Match']).toBeUndefined()
  })

  it('turns a 412 into version_mismatch with the current version, and never retries it', async () => {
    const { fn, calls } = stubFetch(() =>
      json(412, {
        error: { code: 'version_mismatch', message: 'someone else changed it', params: { current_version: 7 }, request_id: 'r9' },
      }),
    )
    const client = new ApiClient({ fetch: fn, retryDelayMs: 0 })
    const err = (await client.patch('/api/v1/agencies/a1', { name: 'X' }, { ifMatch: 6 }).catch((e: unknown) => e)) as ApiError
    expect(err).toBeInstanceOf(ApiError)
    expect(err.status).toBe(412)
    expect(err.code).toBe('version_mismatch')
    expect(err.params).toEqual({ current_version: 7 })
    expect(calls).toHaveLength(1)
  })

  it('names a bare 412 version_mismatch too', async () => {
    const err = await parseError(new Response('', { status: 412 }))
    expect(err.code).toBe('version_mismatch')
  })
})

describe('idempotency keys on creating POSTs', () => {
  const keys = () => {
    let n = 0
    return () => `key-${++n}`
  }

  it('sends a fresh key for each submission, none for other requests', async () => {
    const { fn, calls } = stubFetch(() => json(201, { id: 'x' }))
    const client = new ApiClient({ fetch: fn, newKey: keys() })
    await client.post('/api/v1/creators', { display_name: 'A' }, { idempotent: true })
    await client.post('/api/v1/creators', { display_name: 'A' }, { idempotent: true })
    await client.post('/api/v1/auth/logout')
    await client.patch('/api/v1/creators/c1', {})
    expect(calls.map((c) => c.headers['Idempotency-Key'])).toEqual(['key-1', 'key-2', undefined, undefined])
  })

  it('retries after a network error and a 503 with the same key, waiting Retry-After', async () => {
    let n = 0
    const { fn, calls } = stubFetch(() => {
      n++
      if (n === 1) throw new TypeError('Failed to fetch')
      if (n === 2) return json(503, { error: { code: 'unavailable', message: 'db down' } }, { 'Retry-After': '0' })
      return json(201, { id: 'c1' })
    })
    const client = new ApiClient({ fetch: fn, newKey: keys(), retryDelayMs: 0 })
    await expect(client.post('/api/v1/creators', { display_name: 'A' }, { idempotent: true })).resolves.toEqual({ id: 'c1' })
    expect(calls).toHaveLength(3)
    expect(new Set(calls.map((c) => c.headers['Idempotency-Key']))).toEqual(new Set(['key-1']))
  })

  it('reuses the key when the user sends the same submission again after a failure, not after a success', async () => {
    let fail = true
    const { fn, calls } = stubFetch(() => {
      if (fail) throw new TypeError('offline')
      return json(201, { id: 'c1' })
    })
    const client = new ApiClient({ fetch: fn, newKey: keys(), retries: 0 })
    const body = { display_name: 'A' }
    await expect(client.post('/api/v1/creators', body, { idempotent: true })).rejects.toMatchObject({ code: 'network' })
    fail = false
    await client.post('/api/v1/creators', { display_name: 'A' }, { idempotent: true }) // the user presses Create again
    await client.post('/api/v1/creators', { display_name: 'A' }, { idempotent: true }) // a deliberate second one
    expect(calls.map((c) => c.headers['Idempotency-Key'])).toEqual(['key-1', 'key-1', 'key-2'])
  })

  it('uses a new key when the submission changed or the server gave a definite answer', async () => {
    let status = 0
    const { fn, calls } = stubFetch(() => {
      if (status === 0) throw new TypeError('offline')
      return json(status, { error: { code: 'validation_failed', message: 'bad' } })
    })
    const client = new ApiClient({ fetch: fn, newKey: keys(), retries: 0 })
    await client.post('/api/v1/agencies', { name: 'A' }, { idempotent: true }).catch(() => {})
    await client.post('/api/v1/agencies', { name: 'B' }, { idempotent: true }).catch(() => {}) // edited: new key
    status = 422
    await client.post('/api/v1/agencies', { name: 'B' }, { idempotent: true }).catch(() => {}) // same as before: its key
    await client.post('/api/v1/agencies', { name: 'B' }, { idempotent: true }).catch(() => {}) // after a 422: new key
    expect(calls.map((c) => c.headers['Idempotency-Key'])).toEqual(['key-1', 'key-2', 'key-2', 'key-3'])
  })

  it('does not retry by itself when Retry-After is long; the error carries it', async () => {
    const { fn, calls } = stubFetch(() => json(503, { error: { code: 'unavailable', message: 'down' } }, { 'Retry-After': '120' }))
    const client = new ApiClient({ fetch: fn, newKey: keys(), retryDelayMs: 0 })
    const err = await client.post('/api/v1/creators', {}, { idempotent: true }).catch((e) => e)
    expect(err).toMatchObject({ status: 503, code: 'unavailable', retryAfter: 120 })
    expect(calls).toHaveLength(1)
  })

  it('makes real keys with crypto.randomUUID by default', async () => {
    const { fn, calls } = stubFetch(() => json(201, {}))
    const client = new ApiClient({ fetch: fn })
    await client.post('/api/v1/creators', {}, { idempotent: true })
    expect(calls[0].headers['Idempotency-Key']).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/)
  })
})

describe('parseError: params, field codes, choose_organization', () => {
  it('reads params, field_codes and details', async () => {
    const err = await parseError(
      json(422, {
        error: {
          code: 'password_too_short',
          message: 'the password must be at least 10 characters',
          fields: { password: 'the password must be at least 10 characters' },
          field_codes: { password: 'password_too_short' },
          params: { min: 10 },
          details: [{ row: 2 }],
          request_id: 'r1',
        },
      }),
    )
    expect(err.fieldCodes).toEqual({ password: 'password_too_short' })
    expect(err.params).toEqual({ min: 10 })
    expect(err.details).toEqual([{ row: 2 }])
  })

  it('finds the organizations to choose from in params or beside the code', async () => {
    const orgs = [{ org_id: 'o1', org_name: 'Ningbo Trading' }]
    for (const error of [
      { code: 'choose_organization', message: 'm', params: { organizations: orgs } },
      { code: 'choose_organization', message: 'm', organizations: orgs },
    ]) {
      const err = await parseError(json(409, { error }))
      expect(err.params.organizations).toEqual(orgs)
    }
  })
})
