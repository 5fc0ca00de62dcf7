// Which sections of the product a user sees, from the capabilities GET /me sends: the UI never
// names roles, only what they may do.
import type { Capability, Me } from '../api/types'
import { can } from '../auth/session'

/** The sections in menu order, each with the capability it needs to be shown and opened. */
export const SECTION_CAPABILITIES = {
  dashboard: 'data:read',
  creators: 'data:read',
  agencies: 'data:read',
  platforms: 'data:read',
  campaigns: 'data:read',
  products: 'data:read',
  links: 'data:read',
  orders: 'data:read',
  commissions: 'data:read',
  payouts: 'payouts:manage',
  reports: 'reports:read',
  audit: 'audit:read',
} as const satisfies Record<string, Capability>

export type SectionKey = keyof typeof SECTION_CAPABILITIES

/** Whether me may open a section; unknown until /me answers (false). */
export function canSee(me: Pick<Me, 'capabilities'> | undefined, section: string): boolean {
  const cap = (SECTION_CAPABILITIES as Record<string, Capability | undefined>)[section]
  return cap !== undefined && can(me, cap)
}

/** The sections (in the order given) that me may open. */
export function visibleSections<T extends { key: string }>(me: Pick<Me, 'capabilities'> | undefined, sections: readonly T[]): T[] {
  return sections.filter((s) => canSee(me, s.key))
}

/**
 * Where a user lands after signing in: finance (approves conversions, writes no creators) starts on
 * the commissions, everyone else on the dashboard.
 */
export function homePath(me: Pick<Me, 'capabilities'> | undefined): string {
  if (can(me, 'finance:approve') && !can(me, 'creators:write') && canSee(me, 'commissions')) return '/commissions'
  return '/dashboard'
}
