import {
  ApiOutlined,
  AppstoreOutlined,
  AuditOutlined,
  BarChartOutlined,
  DashboardOutlined,
  DollarOutlined,
  FlagOutlined,
  KeyOutlined,
  LinkOutlined,
  LogoutOutlined,
  MenuOutlined,
  SettingOutlined,
  ShopOutlined,
  ShoppingCartOutlined,
  TeamOutlined,
  UserOutlined,
  WalletOutlined,
  WarningOutlined,
} from '@ant-design/icons'
import { useQueryClient } from '@tanstack/react-query'
import { App as AntApp, Button, Drawer, Flex, Layout, Menu, Space, Tag, Typography, theme, type MenuProps } from 'antd'
import { Suspense, useState, type ReactNode } from 'react'
import { useTranslation } from 'react-i18next'
import { Link, Outlet, useLocation, useNavigate } from 'react-router'
import { logout } from '../api/endpoints'
import type { Capability } from '../api/types'
import { can, queryKeys, useMe } from '../auth/session'
import { FullPageSpin } from '../components/FullPageSpin'
import { LanguageSelect } from '../components/LanguageSelect'
import { visibleSections } from './nav'
import { useNarrow } from './useNarrow'

/** The sections of the product, in menu order; `path` is also the menu key. */
export const SECTIONS = [
  { key: 'dashboard', path: '/dashboard', icon: <DashboardOutlined /> },
  { key: 'creators', path: '/creators', icon: <TeamOutlined /> },
  { key: 'agencies', path: '/agencies', icon: <ShopOutlined /> },
  { key: 'platforms', path: '/platforms', icon: <WarningOutlined /> },
  { key: 'campaigns', path: '/campaigns', icon: <FlagOutlined /> },
  { key: 'products', path: '/products', icon: <AppstoreOutlined /> },
  { key: 'links', path: '/links', icon: <LinkOutlined /> },
  { key: 'orders', path: '/orders', icon: <ShoppingCartOutlined /> },
  { key: 'commissions', path: '/commissions', icon: <DollarOutlined /> },
  { key: 'payouts', path: '/payouts', icon: <WalletOutlined /> },
  { key: 'reports', path: '/reports', icon: <BarChartOutlined /> },
  { key: 'audit', path: '/audit-log', icon: <AuditOutlined /> },
] as const

export const SETTINGS_SECTIONS = [
  { key: 'users', path: '/settings/users', icon: <UserOutlined />, capability: 'users:manage' },
  { key: 'apiKeys', path: '/settings/api-keys', icon: <ApiOutlined />, capability: 'api_keys:manage' },
  // Shops: finance checks that orders arrive; connecting and disconnecting is for admins (settings:manage).
  { key: 'stores', path: '/settings/stores', icon: <ShopOutlined />, capability: 'finance:approve' },
] as const satisfies readonly { key: string; path: string; icon: ReactNode; capability: Capability }[]

/** The tab's title for a path, in the UI language: "达人 · Caravan"; the product name alone elsewhere. */
export function pageTitle(pathname: string, t: (key: string) => string): string {
  const name = t('app.name')
  const pages: { path: string; key: string }[] = [
    ...SECTIONS.map((s) => ({ path: s.path, key: `nav.${s.key}` })),
    ...SETTINGS_SECTIONS.map((s) => ({ path: s.path, key: `nav.${s.key}` })),
    { path: '/settings', key: 'nav.settings' },
    { path: '/login', key: 'login.title' },
    { path: '/account/password', key: 'password.title' },
  ]
  const page = pages.find((p) => pathname === p.path || pathname.startsWith(p.path + '/'))
  return page ? `${t(page.key)} · ${name}` : name
}

export function AppLayout() {
  const { t } = useTranslation()
  const me = useMe()
  const location = useLocation()
  const navigate = useNavigate()
  const queryClient = useQueryClient()
  const { message } = AntApp.useApp()
  const { token } = theme.useToken()
  const [collapsed, setCollapsed] = useState(false)
  const [loggingOut, setLoggingOut] = useState(false)
  const narrow = useNarrow()
  // The drawer (phones and tablets) closes itself when the page changes.
  const [drawer, setDrawer] = useState<{ open: boolean; path: string }>({ open: false, path: location.pathname })
  const drawerOpen = drawer.open && drawer.path === location.pathname

  const settings = SETTINGS_SECTIONS.filter((s) => can(me.data, s.capability))
  const items: MenuProps['items'] = [
    ...visibleSections(me.data, SECTIONS).map((s) => ({
      key: s.path,
      icon: s.icon,
      label: (
        <Link to={s.path} data-testid={`nav-${s.key}`}>
          {t(`nav.${s.key}`)}
        </Link>
      ),
    })),
    ...(settings.length
      ? [
          {
            key: '/settings',
            icon: <SettingOutlined />,
            label: <span data-testid="nav-settings">{t('nav.settings')}</span>,
            children: settings.map((s) => ({
              key: s.path,
              icon: s.icon,
              label: (
                <Link to={s.path} data-testid={`nav-${s.key}`}>
                  {t(`nav.${s.key}`)}
                </Link>
              ),
            })),
          },
        ]
      : []),
  ]
  const selected = [...SECTIONS, ...SETTINGS_SECTIONS].find(
    (s) => location.pathname === s.path || location.pathname.startsWith(s.path + '/'),
  )

  const onLogout = async () => {
    setLoggingOut(true)
    try {
      await logout()
    } catch {
      // The token is already forgotten locally; a failed revoke is not the user's problem.
    } finally {
      setLoggingOut(false)
      // Keep what is known about setup and the (finished) start-up refresh; drop the rest.
      queryClient.removeQueries({
        predicate: (q) => q.queryKey[0] !== queryKeys.setup[0] && q.queryKey[0] !== queryKeys.restore[0],
      })
      message.success(t('header.loggedOut'))
      navigate('/login', { replace: true })
    }
  }

  const menu = (
    <Menu
      theme="dark"
      mode="inline"
      items={items}
      selectedKeys={selected ? [selected.path] : []}
      defaultOpenKeys={location.pathname.startsWith('/settings') ? ['/settings'] : []}
      onClick={() => setDrawer({ open: false, path: location.pathname })}
    />
  )
  const userBadge = me.data && (
    <Space size={4} data-testid="header-user" style={{ minWidth: 0 }}>
      <UserOutlined />
      {/* inline-block (ellipsis) in the 64 px header line box would sit on its bottom: centre it. */}
      <Typography.Text ellipsis style={{ maxWidth: 160, verticalAlign: 'middle' }} data-testid="header-user-name">
        {me.data.user.name}
      </Typography.Text>
      <Tag data-testid="header-role">{t(`roles.${me.data.user.role}`)}</Tag>
    </Space>
  )
  const passwordLink = (
    <Link to="/account/password" aria-label={t('password.title')} title={t('password.title')} data-testid="change-password-link">
      <KeyOutlined />
      {narrow && <span style={{ marginInlineStart: 8 }}>{t('password.title')}</span>}
    </Link>
  )
  const logoutButton = (
    <Button icon={<LogoutOutlined />} onClick={onLogout} loading={loggingOut} data-testid="logout-button">
      {t('header.logout')}
    </Button>
  )

  return (
    <Layout style={{ minHeight: '100vh' }} data-testid="app-layout">
      {!narrow && (
        <Layout.Sider collapsible collapsed={collapsed} onCollapse={setCollapsed} width={220}>
          <Flex align="center" justify="center" style={{ height: 64 }}>
            <Typography.Text strong style={{ color: '#fff', fontSize: collapsed ? 14 : 20 }}>
              {collapsed ? t('app.name').slice(0, 1) : t('app.name')}
            </Typography.Text>
          </Flex>
          {menu}
        </Layout.Sider>
      )}
      {narrow && (
        <Drawer
          placement="left"
          size={260}
          open={drawerOpen}
          onClose={() => setDrawer({ open: false, path: location.pathname })}
          title={t('app.name')}
          styles={{ body: { padding: 0, background: '#001529', display: 'flex', flexDirection: 'column' } }}
          data-testid="menu-drawer"
        >
          {menu}
          <Flex vertical gap={12} style={{ padding: 16, marginTop: 'auto', background: token.colorBgContainer }}>
            {userBadge}
            <LanguageSelect />
            {passwordLink}
            {logoutButton}
          </Flex>
        </Drawer>
      )}
      <Layout style={{ minWidth: 0 }}>
        <Layout.Header
          style={{
            background: token.colorBgContainer,
            padding: narrow ? '0 12px' : '0 24px',
            display: 'flex',
            alignItems: 'center',
            justifyContent: 'space-between',
            gap: narrow ? 8 : 16,
          }}
        >
          {narrow && (
            <Button
              type="text"
              icon={<MenuOutlined />}
              aria-label={t('header.menu')}
              onClick={() => setDrawer({ open: true, path: location.pathname })}
              data-testid="menu-button"
            />
          )}
          <Typography.Text strong style={{ fontSize: 16, flex: 1, minWidth: 0 }} ellipsis data-testid="header-org-name">
            {me.data?.org.name}
          </Typography.Text>
          {!narrow && (
            <Space size="middle" wrap={false}>
              <LanguageSelect />
              {userBadge}
              {passwordLink}
              {logoutButton}
            </Space>
          )}
        </Layout.Header>
        <Layout.Content style={{ margin: narrow ? 12 : 24, minWidth: 0 }}>
          <Suspense fallback={<FullPageSpin />}>
            <Outlet />
          </Suspense>
        </Layout.Content>
      </Layout>
    </Layout>
  )
}
