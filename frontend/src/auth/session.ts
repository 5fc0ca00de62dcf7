// Session state: the in-memory token (from the API client) plus the server-side facts the UI
// gates on — whether setup is still required, whether the silent refresh on start succeeded,
// and who the current user is.
import { useQuery, useQueryClient, type QueryClient } from '@tanstack/react-query'
import { useSyncExternalStore } from 'react'
import { api } from '../api/client'
import { getMe, getSetupStatus } from '../api/endpoints'
import type { Capability, Me } from '../api/types'

export const queryKeys = {
  setup: ['setup'] as const,
  restore: ['session-restore'] as const,
  me: ['me'] as const,
  users: ['users'] as const,
  apiKeys: ['api-keys'] as const,
  creators: ['creators'] as const,
  creatorTags: ['creators', 'tags'] as const,
  creator: (id: string) => ['creator', id] as const,
  timeline: (id: string) => ['creator-timeline', id] as const,
  history: (accountId: string, days: number) => ['account-history', accountId, days] as const,
  agencies: ['agencies'] as const,
  platforms: ['platforms'] as const,
  exposure: (days: number) => ['platform-exposure', days] as const,
}

/** The current access token; re-renders when it changes (login, refresh, logout, expiry). */
export function useAccessToken(): string | null {
  return useSyncExternalStore(
    (cb) => api.subscribe(cb),
    () => api.getToken(),
  )
}

export function useSetupStatus() {
  return useQuery({ queryKey: queryKeys.setup, queryFn: getSetupStatus, staleTime: Infinity })
}

/**
 * The silent refresh of the start: the refresh cookie turned into an access token so a reload keeps
 * the user signed in; GET /me follows the moment it succeeds (it needs the token), without waiting
 * for React to render whoever asks for it.
 */
function restoreQuery(queryClient: QueryClient) {
  return {
    queryKey: queryKeys.restore,
    queryFn: async () => {
      const ok = await api.refresh()
      if (ok) void queryClient.prefetchQuery({ queryKey: queryKeys.me, queryFn: getMe, staleTime: 60_000 })
      return ok
    },
    staleTime: Infinity,
    gcTime: Infinity,
    retry: false,
  } as const
}

/**
 * Starts what the first paint needs before React renders: GET /setup and the silent refresh side by
 * side (a refresh while setup is still required finds no cookie and answers 401, which is harmless),
 * then GET /me. The first paint waits for two round trips, not three in a row. The queries below
 * pick the answers up from the cache.
 */
export function startSession(queryClient: QueryClient): void {
  void queryClient.prefetchQuery({ queryKey: queryKeys.setup, queryFn: getSetupStatus, staleTime: Infinity })
  void queryClient.prefetchQuery(restoreQuery(queryClient))
}

/**
 * Tries once, on start, to turn the refresh cookie into an access token so a reload keeps
 * the user signed in. Shared by key, so it runs once even when several components ask (and not at
 * all when startSession already did).
 */
export function useSessionRestore(enabled: boolean) {
  const queryClient = useQueryClient()
  return useQuery({ ...restoreQuery(queryClient), enabled })
}

export function useMe() {
  const token = useAccessToken()
  return useQuery({ queryKey: queryKeys.me, queryFn: getMe, enabled: token !== null, staleTime: 60_000 })
}

/**
 * Whether me (GET /me) grants capability. The server says what each role may do (capabilities);
 * the UI keeps no copy of the role sets. Unknown until /me has answered: false.
 */
export function can(me: Pick<Me, 'capabilities'> | undefined, capability: Capability): boolean {
  return !!me?.capabilities?.includes(capability)
}

/** `can` for the signed-in user: `const can = useCan(); can('creators:write')`. */
export function useCan(): (capability: Capability) => boolean {
  const me = useMe().data
  return (capability) => can(me, capability)
}

/** Whether the signed-in user may write creators, agencies and platform risk. */
export function useCanWrite(): boolean {
  return useCan()('creators:write')
}
