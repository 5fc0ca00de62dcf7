import { useSyncExternalStore } from 'react'

/** Below antd's lg breakpoint (992 px): phones and tablets get the drawer menu and card lists. */
export const NARROW_QUERY = '(max-width: 991.98px)'

function subscribe(cb: () => void): () => void {
  if (typeof window === 'undefined' || !window.matchMedia) return () => {}
  const mql = window.matchMedia(NARROW_QUERY)
  mql.addEventListener('change', cb)
  return () => mql.removeEventListener('change', cb)
}

/** Whether the window is phone or tablet sized; known on the first render (no desktop flash). */
export function useNarrow(): boolean {
  return useSyncExternalStore(
    subscribe,
    () => (typeof window !== 'undefined' && !!window.matchMedia && window.matchMedia(NARROW_QUERY).matches),
    () => false,
  )
}
