import { Button, Result } from 'antd'
import { lazy, Suspense, type ReactNode } from 'react'
import { useTranslation } from 'react-i18next'
import { Navigate, Outlet, Route, Routes, useLocation } from 'react-router'
import { errorMessage } from './api/errors'
import { can, useAccessToken, useMe, useSessionRestore, useSetupStatus } from './auth/session'
import { FullPageSpin } from './components/FullPageSpin'
import type { Capability } from './api/types'
import { AppLayout, SETTINGS_SECTIONS } from './layout/AppLayout'
import { canSee, homePath } from './layout/nav'
import { Forbidden, NotFound } from './pages/Placeholders'

const SetupPage = lazy(() => import('./pages/SetupPage'))
const LoginPage = lazy(() => import('./pages/LoginPage'))
const DashboardPage = lazy(() => import('./pages/DashboardPage'))
const UsersPage = lazy(() => import('./pages/settings/UsersPage'))
const ApiKeysPage = lazy(() => import('./pages/settings/ApiKeysPage'))
const CreatorsPage = lazy(() => import('./pages/creators/CreatorsPage'))
const CreatorDetailPage = lazy(() => import('./pages/creators/CreatorDetailPage'))
const AgenciesPage = lazy(() => import('./pages/creators/AgenciesPage'))
const PlatformsPage = lazy(() => import('./pages/platforms/PlatformsPage'))
const ChangePasswordPage = lazy(() => import('./pages/ChangePasswordPage'))
const CampaignsPage = lazy(() => import('./pages/campaigns/CampaignsPage'))
const CampaignDetailPage = lazy(() => import('./pages/campaigns/CampaignDetailPage'))
const ProductsPage = lazy(() => import('./pages/products/ProductsPage'))
const LinksPage = lazy(() => import('./pages/campaigns/LinksPage'))
const OrdersPage = lazy(() => import('./pages/orders/OrdersPage'))
const CommissionsPage = lazy(() => import('./pages/commissions/CommissionsPage'))
const StoresPage = lazy(() => import('./pages/settings/StoresPage'))
const PayoutsPage = lazy(() => import('./pages/finance/PayoutsPage'))
const ReportsPage = lazy(() => import('./pages/finance/ReportsPage'))
const AuditLogPage = lazy(() => import('./pages/finance/AuditLogPage'))

/** Signed-in routes only; anyone else goes to /login and comes back afterwards. */
function RequireAuth({ children }: { children: ReactNode }) {
  const token = useAccessToken()
  const location = useLocation()
  if (!token) return <Navigate to="/login" replace state={{ from: location }} />
  return children
}

/** Settings pages: for those who manage users or API keys (the server says who, in /me). */
function RequireSettings({ capability }: { capability?: Capability }) {
  const me = useMe()
  if (me.isPending) return <FullPageSpin />
  const allowed = capability
    ? can(me.data, capability)
    : SETTINGS_SECTIONS.some((s) => can(me.data, s.capability))
  if (!allowed) return <Forbidden />
  return <Outlet />
}

/** A section the user's capabilities open (layout/nav); anything else is a 403, not a broken page. */
function RequireSection({ section }: { section: string }) {
  const me = useMe()
  if (me.isPending) return <FullPageSpin />
  if (!canSee(me.data, section)) return <Forbidden />
  return <Outlet />
}

/** /: the home page of the user's role (finance starts on the commissions). */
function Home() {
  const me = useMe()
  if (me.isPending) return <FullPageSpin />
  return <Navigate to={homePath(me.data)} replace />
}

/** /settings: the first settings page the user may open. */
function SettingsIndex() {
  const me = useMe()
  const first = SETTINGS_SECTIONS.find((s) => can(me.data, s.capability))
  return first ? <Navigate to={first.path} replace /> : <Forbidden />
}

export default function App() {
  const { t } = useTranslation()
  const setup = useSetupStatus()
  // Restore the session (refresh cookie → access token) once setup is known to be done.
  const restore = useSessionRestore(setup.data?.setup_required === false)

  if (setup.isPending) return <FullPageSpin />
  if (setup.isError) {
    return (
      <Result
        status="error"
        title={t('common.errorTitle')}
        subTitle={errorMessage(setup.error, t)}
        extra={<Button onClick={() => void setup.refetch()}>{t('common.retry')}</Button>}
      />
    )
  }

  if (setup.data.setup_required) {
    return (
      <Suspense fallback={<FullPageSpin />}>
        <Routes>
          <Route path="*" element={<SetupPage />} />
        </Routes>
      </Suspense>
    )
  }

  if (restore.isPending) return <FullPageSpin />

  return (
    <Suspense fallback={<FullPageSpin />}>
      <Routes>
        <Route path="/login" element={<LoginPage />} />
        <Route
          element={
            <RequireAuth>
              <AppLayout />
            </RequireAuth>
          }
        >
          <Route index element={<Home />} />
          <Route element={<RequireSection section="dashboard" />}>
            <Route path="dashboard" element={<DashboardPage />} />
          </Route>
          <Route element={<RequireSection section="creators" />}>
            <Route path="creators" element={<CreatorsPage />} />
            <Route path="creators/:id" element={<CreatorDetailPage />} />
          </Route>
          <Route element={<RequireSection section="agencies" />}>
            <Route path="agencies" element={<AgenciesPage />} />
          </Route>
          <Route element={<RequireSection section="platforms" />}>
            <Route path="platforms" element={<PlatformsPage />} />
          </Route>
          <Route element={<RequireSection section="campaigns" />}>
            <Route path="campaigns" element={<CampaignsPage />} />
            <Route path="campaigns/:id" element={<CampaignDetailPage />} />
          </Route>
          <Route element={<RequireSection section="products" />}>
            <Route path="products" element={<ProductsPage />} />
          </Route>
          <Route element={<RequireSection section="links" />}>
            <Route path="links" element={<LinksPage />} />
          </Route>
          <Route element={<RequireSection section="orders" />}>
            <Route path="orders" element={<OrdersPage />} />
          </Route>
          <Route element={<RequireSection section="commissions" />}>
            <Route path="commissions" element={<CommissionsPage />} />
          </Route>
          <Route element={<RequireSection section="payouts" />}>
            <Route path="payouts" element={<PayoutsPage />} />
          </Route>
          <Route element={<RequireSection section="reports" />}>
            <Route path="reports" element={<ReportsPage />} />
          </Route>
          <Route element={<RequireSection section="audit" />}>
            <Route path="audit-log" element={<AuditLogPage />} />
          </Route>
          <Route path="settings" element={<RequireSettings />}>
            <Route index element={<SettingsIndex />} />
            <Route element={<RequireSettings capability="users:manage" />}>
              <Route path="users" element={<UsersPage />} />
            </Route>
            <Route element={<RequireSettings capability="api_keys:manage" />}>
              <Route path="api-keys" element={<ApiKeysPage />} />
            </Route>
            <Route element={<RequireSettings capability="finance:approve" />}>
              <Route path="stores" element={<StoresPage />} />
            </Route>
          </Route>
          <Route path="account/password" element={<ChangePasswordPage />} />
          <Route path="*" element={<NotFound />} />
        </Route>
      </Routes>
    </Suspense>
  )
}
