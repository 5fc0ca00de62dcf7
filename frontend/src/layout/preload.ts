// The page a deep link or a reload opens starts downloading with the session requests, not after
// them: App.tsx loads pages lazily, and a lazy page is only asked for once GET /me has answered and
// the route has rendered. import() of a module already asked for is the same promise, so App's
// React.lazy finds it loaded (or on its way). Only the pages people land on are listed.
const PAGES: [prefix: string, load: () => Promise<unknown>][] = [
  ['/dashboard', () => import('../pages/DashboardPage')],
  ['/creators/', () => import('../pages/creators/CreatorDetailPage')],
  ['/creators', () => import('../pages/creators/CreatorsPage')],
  ['/campaigns/', () => import('../pages/campaigns/CampaignDetailPage')],
  ['/campaigns', () => import('../pages/campaigns/CampaignsPage')],
  ['/orders', () => import('../pages/orders/OrdersPage')],
  ['/commissions', () => import('../pages/commissions/CommissionsPage')],
  ['/payouts', () => import('../pages/finance/PayoutsPage')],
  ['/reports', () => import('../pages/finance/ReportsPage')],
  ['/login', () => import('../pages/LoginPage')],
]

/** Starts loading the page of pathname, if it is one people land on; answers whether it did. */
export function preloadPage(pathname: string): boolean {
  const page = PAGES.find(([prefix]) => (prefix.endsWith('/') ? pathname.startsWith(prefix) && pathname.length > prefix.length : pathname === prefix || pathname.startsWith(prefix + '/')))
  if (!page) return false
  // A failed preload is retried by React.lazy when the route renders, which reports it.
  page[1]().catch(() => {})
  return true
}
