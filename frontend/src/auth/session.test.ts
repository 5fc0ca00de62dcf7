import { QueryClient } from '@tanstack/react-query'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { api } from '../api/client'
import { queryKeys, startSession } from './session'

/** A fetch whose answers the test releases one by one; it records when each request started. */
function gatedFetch() {
  const started: string[] = []
  const gates = new Map<string, (body: unknown) => void>()
  const fetch = vi.fn((input: RequestInfo | URL) => {
    const path = new URL(String(input), 'http://caravan.test').pathname
    started.push(path)
    return new Promise<Response>((resolve) => {
      gates.set(path, (body) => resolve(new Response(JSON.stringify(body), { status: 200, headers: { 'Content-Type': 'application/json' } })))
    })
  })
  const answer = async (path: string, body: unknown) => {
    const open = gates.get(path)
    if (!open) throw new Error(`${path} was not requested; started: ${started.join(', ')}`)
    open(body)
    // Let the client read the body and the queries react.
    for (let i = 0; i < 20; i++) await Promise.resolve()
    await new Promise((r) => setTimeout(r, 0))
  }
  return { fetch, started, answer }
}

afterEach(() => {
  vi.unstubAllGlobals()
  api.setToken(null)
})

describe('startSession', () => {
  it('asks for the setup status and the refresh at once, and for /me as soon as the refresh answers', async () => {
    const f = gatedFetch()
    vi.stubGlobal('fetch', f.fetch)
    const qc = new QueryClient()
    startSession(qc)
    await Promise.resolve()
    // Both before either has answered: not one after the other.
    expect(f.started).toEqual(['/api/v1/setup', '/api/v1/auth/refresh'])

    // The refresh answers first: /me goes out while the setup status is still on its way.
    await f.answer('/api/v1/auth/refresh', { access_token: 'tok' })
    expect(api.getToken()).toBe('tok')
    expect(f.started).toEqual(['/api/v1/setup', '/api/v1/auth/refresh', '/api/v1/me'])
    expect(qc.getQueryData(queryKeys.restore)).toBe(true)

    await f.answer('/api/v1/setup', { setup_required: false })
    await f.answer('/api/v1/me', { user: { id: 'u1' }, org: { id: 'o1' }, capabilities: [] })
    expect(qc.getQueryData(queryKeys.setup)).toEqual({ setup_required: false })
    expect(qc.getQueryData(queryKeys.me)).toMatchObject({ user: { id: 'u1' } })
    // Nothing asked twice.
    expect(f.fetch).toHaveBeenCalledTimes(3)
  })

  it('does not ask for /me when there is no session to restore', async () => {
    const started: string[] = []
    vi.stubGlobal(
      'fetch',
      vi.fn(async (input: RequestInfo | URL) => {
        const path = new URL(String(input), 'http://caravan.test').pathname
        started.push(path)
        if (path === '/api/v1/auth/refresh') {
          return new Response(JSON.stringify({ error: { code: 'unauthorized', message: 'no session' } }), { status: 401 })
        }
        return new Response(JSON.stringify({ setup_required: true }), { status: 200 })
      }),
    )
    const qc = new QueryClient()
    startSession(qc)
    await vi.waitFor(() => expect(qc.getQueryData(queryKeys.restore)).toBe(false))
    await vi.waitFor(() => expect(qc.getQueryData(queryKeys.setup)).toEqual({ setup_required: true }))
    expect(started.sort()).toEqual(['/api/v1/auth/refresh', '/api/v1/setup'])
    expect(api.getToken()).toBeNull()
  })
})
