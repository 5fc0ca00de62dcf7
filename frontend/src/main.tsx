import { QueryClient, QueryClientProvider } from '@tanstack/react-query'
import { App as AntApp, ConfigProvider } from 'antd'
import enUS from 'antd/locale/en_US'
import zhCN from 'antd/locale/zh_CN'
import { StrictMode, useEffect, useMemo } from 'react'
import { createRoot } from 'react-dom/client'
import { useTranslation } from 'react-i18next'
import { BrowserRouter, useLocation } from 'react-router'
import { ApiError } from './api/client'
import App from './App'
import { startSession } from './auth/session'
import { preloadPage } from './layout/preload'
import { pageTitle } from './layout/AppLayout'
import { useReducedMotion } from './layout/useNarrow'
import './i18n'
import './responsive.css'

const queryClient = new QueryClient({
  defaultOptions: {
    queries: {
      // A 4xx will not change on retry; network and 5xx errors get two more tries.
      retry: (count, err) => !(err instanceof ApiError && err.status >= 400 && err.status < 500) && count < 2,
      refetchOnWindowFocus: false,
    },
  },
})

function Root() {
  const { t, i18n } = useTranslation()
  const { pathname } = useLocation()
  const reducedMotion = useReducedMotion()
  // The system's "reduce motion" setting turns antd's zooms, slides and click ripples off (WCAG 2.3.3).
  const theme = useMemo(() => ({ token: { motion: !reducedMotion } }), [reducedMotion])
  const wave = useMemo(() => ({ disabled: reducedMotion }), [reducedMotion])
  // The tab names the page, in the user's language; <html lang> follows it for fonts and screen readers.
  useEffect(() => {
    document.title = pageTitle(pathname, t)
    document.documentElement.lang = i18n.language
  }, [pathname, t, i18n.language])
  return (
    // autoInsertSpace off: antd would otherwise render "登录" as "登 录" in buttons.
    <ConfigProvider locale={i18n.language === 'zh-CN' ? zhCN : enUS} button={{ autoInsertSpace: false }} theme={theme} wave={wave}>
      <AntApp>
        <App />
      </AntApp>
    </ConfigProvider>
  )
}

// The setup status, the silent refresh and then /me start now, not one after the other as each
// component that needs them renders.
startSession(queryClient)
preloadPage(window.location.pathname)

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <QueryClientProvider client={queryClient}>
      <BrowserRouter>
        <Root />
      </BrowserRouter>
    </QueryClientProvider>
  </StrictMode>,
)
