// The README's screenshots: the real binary on a fresh SQLite database filled by `caravan demo`
// (a small organization), a few finance steps through the API so every page has something to show
// (TikTok banned in the US, the oldest months closed, a payout batch), then the main pages in Chinese
// and English at 1440 px and two pages on a 390 px phone, written to docs/screenshots/ as PNG.
// Not a test: `make screenshots` runs it (after `make build`).
//
//   CARAVAN_BIN=bin/caravan node e2e/screenshots.mjs [--out ../docs/screenshots]
import { execFile } from 'node:child_process'
import { mkdir, stat } from 'node:fs/promises'
import { join, resolve } from 'node:path'
import { promisify } from 'node:util'
import { launchBrowser, logIn, newContext, startServer } from './helpers.mjs'

const run = promisify(execFile)
const args = process.argv.slice(2)
const outArg = args.indexOf('--out')
const OUT = resolve(outArg >= 0 ? args[outArg + 1] : new URL('../../docs/screenshots', import.meta.url).pathname)
const TIMEOUT = 60_000

const demo = { email: 'demo@senyu-home.example', password: 'demo password 2026', creators: '120', orders: '3000' }

/** The pages, each with what must be on screen before it is taken. */
const PAGES = [
  { name: 'dashboard', path: '/dashboard?days=90', ready: ['dashboard-kpis', 'dashboard-daily canvas', 'dashboard-platforms canvas'], charts: true },
  { name: 'creators', path: '/creators?sort=-gmv_90d', ready: ['creators-table .ant-table-row'] },
  { name: 'creator', path: (ids) => `/creators/${ids.creator}`, ready: ['accounts-table .ant-table-row', 'creator-commission .ant-table-row', 'timeline-list'] },
  { name: 'platforms', path: '/platforms', ready: ['exposure-mark-tiktok-US'], scroll: 'exposure-mark-tiktok-US' },
  { name: 'campaigns', path: '/campaigns', ready: ['campaigns-table .ant-table-row'] },
  { name: 'orders', path: '/orders', ready: ['orders-table .ant-table-row'] },
  { name: 'commissions', path: '/commissions', ready: ['commissions-table .ant-table-row'] },
  { name: 'payouts', path: (ids) => `/payouts?tab=batches&period=${ids.closed}`, ready: ['payouts-table .ant-table-row'] },
  { name: 'reports', path: (ids) => `/reports?period=${ids.closed}`, ready: ['statements-table .ant-table-row'] },
]
const PHONE = [
  { name: 'dashboard', path: '/dashboard?days=90', ready: ['dashboard-kpis', 'dashboard-daily canvas'], charts: true },
  { name: 'creators', path: '/creators?exposed=true&sort=-gmv_90d', ready: ['creators-cards [data-testid=creator-card]'] },
]

/** "a b" → the testid a, then the CSS b inside it. */
function locate(page, spec) {
  const [testid, ...css] = spec.split(' ')
  const base = page.getByTestId(testid)
  return (css.length ? base.locator(css.join(' ')) : base).first()
}

async function api(baseURL, token, method, path, body) {
  const res = await fetch(`${baseURL}${path}`, {
    method,
    headers: { 'Content-Type': 'application/json', 'X-Requested-With': 'caravan', ...(token ? { Authorization: `Bearer ${token}` } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
  })
  const text = await res.text()
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${text}`)
  return text ? JSON.parse(text) : undefined
}

async function shoot(page, shot, ids, file) {
  const path = typeof shot.path === 'function' ? shot.path(ids) : shot.path
  await page.goto(path)
  await page.getByTestId('page-title').waitFor()
  for (const spec of shot.ready) await locate(page, spec).waitFor()
  await page.waitForLoadState('networkidle')
  // A panel further down the page (the exposure of a banned platform) brought to the top.
  if (shot.scroll) await locate(page, shot.scroll).evaluate((el) => window.scrollBy(0, el.getBoundingClientRect().top - 16))
  // ECharts animates its first drawing for about a second; spinners fade out in a fraction of one.
  await page.waitForTimeout(shot.charts ? 1500 : 400)
  await page.mouse.move(0, 0)
  await page.screenshot({ path: file, animations: 'disabled' })
  const { size } = await stat(file)
  console.log(`  ${file} (${Math.round(size / 1024)} kB)`)
}

// Without a Chinese font, Chromium draws the Chinese pages as boxes.
const cjk = await run('fc-list', [':lang=zh', 'family']).then(
  (r) => r.stdout.trim(),
  () => null, // no fontconfig tools: cannot tell
)
if (cjk === '') {
  console.error('No Chinese font is installed: the Chinese screenshots would show boxes. On Debian: apt-get install fonts-noto-cjk')
  process.exit(1)
}

const srv = await startServer({
  prepare: async (bin, databaseURL) => {
    console.log(`caravan demo: ${demo.creators} creators, ${demo.orders} orders…`)
    await run(bin, ['demo', '--database-url', databaseURL, '--creators', demo.creators, '--orders', demo.orders, '--password', demo.password, '--log-level', 'warn'], {
      maxBuffer: 16 << 20,
    })
  },
})
const browser = await launchBrowser()
try {
  await mkdir(OUT, { recursive: true })
  const { access_token: token } = await api(srv.baseURL, null, 'POST', '/api/v1/auth/login', { email: demo.email, password: demo.password })
  // What a seller and finance would have done by now: TikTok banned in the US, the two oldest
  // months closed, the first one batched for payment.
  await api(srv.baseURL, token, 'PUT', '/api/v1/platforms/tiktok/risk', { country: 'US', level: 'banned', note: 'Divest-or-ban law' })
  const periods = await api(srv.baseURL, token, 'GET', '/api/v1/periods')
  const months = periods.items.map((p) => p.period).filter((p) => p < periods.current).sort()
  for (const m of months.slice(0, 2)) await api(srv.baseURL, token, 'POST', `/api/v1/periods/${m}/close`)
  const closed = months[0]
  await api(srv.baseURL, token, 'POST', '/api/v1/payouts', { period: closed })
  // The creator page: the top earner exposed to the ban, with another platform to move to.
  const exposed = await api(srv.baseURL, token, 'GET', '/api/v1/creators?exposed=true&sort=-gmv_90d&limit=20')
  const creator = exposed.items.find((c) => new Set(c.accounts.map((a) => a.platform)).size > 1) ?? exposed.items[0]
  const ids = { creator: creator.id, closed }

  for (const [locale, lang] of [
    ['zh-CN', 'zh'],
    ['en-US', 'en'],
  ]) {
    const context = await newContext(browser, { baseURL: srv.baseURL, locale, viewport: { width: 1440, height: 900 } }, TIMEOUT)
    const page = await context.newPage()
    await logIn(page, demo)
    await page.waitForURL((u) => u.pathname === '/dashboard')
    console.log(`${locale}, 1440 px:`)
    for (const shot of PAGES) await shoot(page, shot, ids, join(OUT, `${lang}-${shot.name}.png`))
    if (lang === 'zh') {
      console.log(`${locale}, 390 px:`)
      await page.setViewportSize({ width: 390, height: 844 })
      for (const shot of PHONE) await shoot(page, shot, ids, join(OUT, `phone-${lang}-${shot.name}.png`))
    }
    await context.close()
  }
} catch (e) {
  console.error(`--- caravan output ---\n${srv.log().slice(-4000)}`)
  throw e
} finally {
  await browser.close().catch(() => {})
  await srv.stop()
}
