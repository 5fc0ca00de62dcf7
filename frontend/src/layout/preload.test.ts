import { describe, expect, it, vi } from 'vitest'

// The pages themselves are not what this tests: each import is replaced by a marker.
const loaded: string[] = []
vi.mock('../pages/DashboardPage', () => (loaded.push('dashboard'), { default: null }))
vi.mock('../pages/creators/CreatorsPage', () => (loaded.push('creators'), { default: null }))
vi.mock('../pages/creators/CreatorDetailPage', () => (loaded.push('creator'), { default: null }))
vi.mock('../pages/campaigns/CampaignsPage', () => (loaded.push('campaigns'), { default: null }))
vi.mock('../pages/campaigns/CampaignDetailPage', () => (loaded.push('campaign'), { default: null }))
vi.mock('../pages/orders/OrdersPage', () => (loaded.push('orders'), { default: null }))
vi.mock('../pages/commissions/CommissionsPage', () => (loaded.push('commissions'), { default: null }))
vi.mock('../pages/finance/PayoutsPage', () => (loaded.push('payouts'), { default: null }))
vi.mock('../pages/finance/ReportsPage', () => (loaded.push('reports'), { default: null }))
vi.mock('../pages/LoginPage', () => (loaded.push('login'), { default: null }))

const { preloadPage } = await import('./preload')

describe('preloadPage', () => {
  it.each([
    ['/dashboard', 'dashboard'],
    ['/creators', 'creators'],
    ['/creators/0193-abc', 'creator'],
    ['/campaigns/c1', 'campaign'],
    ['/orders', 'orders'],
    ['/reports', 'reports'],
  ])('%s starts loading its page', async (path, page) => {
    loaded.length = 0
    expect(preloadPage(path)).toBe(true)
    await vi.waitFor(() => expect(loaded).toEqual([page]))
  })

  it('leaves other paths alone', () => {
    expect(preloadPage('/')).toBe(false)
    expect(preloadPage('/settings/users')).toBe(false)
    expect(preloadPage('/creatorsx')).toBe(false)
  })
})
