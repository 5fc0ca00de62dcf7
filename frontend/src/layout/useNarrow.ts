import { useCallback, useSyncExternalStore } from 'react'

/** Below antd's lg breakpoint (992 px): phones and tablets get the drawer menu and card lists. */
export const NARROW_QUERY = '(max-width: 991.98px)'

/** The system setting that asks for less motion (vestibular disorders, or simply a preference). */
export const REDUCED_MOTION_QUERY = '(prefers-reduced-motion: reduce)'

function matches(query: string): boolean {
  return typeof window !== 'undefined' && !!window.matchMedia && window.matchMedia(query).matches
}

/** Whether a media query matches, following its changes; known on the first render (no flash). */
export function useMedia(query: string): boolean {
  const subscribe = useCallback(
    (cb: () => void) => {
      if (typeof window === 'undefined' || !window.matchMedia) return () => {}
      const mql = window.matchMedia(query)
      mql.addEventListener('change', cb)
      return () => mql.removeEventListener('change', cb)
    },
    [query],
  )
  return useSyncExternalStore(subscribe, () => matches(query), () => false)
}

/** Whether the window is phone or tablet sized. */
export function useNarrow(): boolean {
  return useMedia(NARROW_QUERY)
}

/** Whether the user asked the system for reduced motion: antd's animations are then turned off. */
export function useReducedMotion(): boolean {
  return useMedia(REDUCED_MOTION_QUERY)
}
