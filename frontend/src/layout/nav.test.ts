import { describe, expect, it } from 'vitest'
import type { Capability } from '../api/types'
import { canSee, homePath, SECTION_CAPABILITIES, visibleSections } from './nav'

// The capability sets the server sends for each role (internal/auth/capabilities.go).
const roles: Record<string, Capability[]> = {
  owner: ['data:read', 'creators:write', 'users:manage', 'owners:manage', 'api_keys:manage', 'finance:approve', 'periods:close', 'payouts:manage', 'reports:read', 'audit:read', 'settings:manage'],
  admin: ['data:read', 'creators:write', 'users:manage', 'api_keys:manage', 'finance:approve', 'periods:close', 'payouts:manage', 'reports:read', 'audit:read', 'settings:manage'],
  manager: ['data:read', 'creators:write'],
  finance: ['data:read', 'finance:approve', 'periods:close', 'payouts:manage', 'reports:read', 'audit:read'],
  viewer: ['data:read'],
}
const me = (role: string) => ({ capabilities: roles[role] })
const sections = (Object.keys(SECTION_CAPABILITIES) as string[]).map((key) => ({ key }))
const keys = (role: string) => visibleSections(me(role), sections).map((s) => s.key)

describe('menu filter', () => {
  it('shows owners and admins every section', () => {
    expect(keys('owner')).toEqual(sections.map((s) => s.key))
    expect(keys('admin')).toEqual(sections.map((s) => s.key))
  })

  it('hides payouts and reports from managers and viewers', () => {
    for (const role of ['manager', 'viewer']) {
      expect(keys(role)).not.toContain('payouts')
      expect(keys(role)).not.toContain('reports')
      expect(keys(role)).toContain('creators')
    }
  })

  it('shows finance the money sections', () => {
    expect(keys('finance')).toEqual(expect.arrayContaining(['commissions', 'payouts', 'reports', 'orders']))
  })

  it('shows the audit log to owners, admins and finance only', () => {
    for (const role of ['owner', 'admin', 'finance']) expect(keys(role)).toContain('audit')
    for (const role of ['manager', 'viewer']) expect(keys(role)).not.toContain('audit')
  })

  it('shows nothing before /me answers, and unknown sections never', () => {
    expect(visibleSections(undefined, sections)).toEqual([])
    expect(canSee(me('owner'), 'nope')).toBe(false)
  })

  it('keeps the order it was given', () => {
    const rev = [...sections].reverse()
    expect(visibleSections(me('owner'), rev)).toEqual(rev)
  })
})

describe('home page', () => {
  it('lands finance on the commissions and the others on the dashboard', () => {
    expect(homePath(me('finance'))).toBe('/commissions')
    for (const role of ['owner', 'admin', 'manager', 'viewer']) expect(homePath(me(role))).toBe('/dashboard')
    expect(homePath(undefined)).toBe('/dashboard')
  })
})
