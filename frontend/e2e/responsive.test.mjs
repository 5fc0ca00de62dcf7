// End-to-end: phones and tablets. Every route of the app at 390 px and 768 px, in Chinese and in
// English: the page never scrolls sideways, the menu sits behind a button, the creators are cards.
//
//   CARAVAN_BIN=/tmp/caravan npm run e2e
import { after, before, test } from 'node:test'
import assert from 'node:assert/strict'
import { launchBrowser, newContext, setUp, startServer, waitPath } from './helpers.mjs'

let srv
let browser
let token

const owner = { name: 'Chen Jing', email: 'owner@example.com', password: 'correct horse battery' }

async function api(method, path, body) {
  const res = await fetch(`${srv.baseURL}${path}`, {
    method,
    headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${token}` },
    body: body === undefined ? undefined : JSON.stringify(body),
  })
  const text = await res.text()
  assert.ok(res.ok, `${method} ${path}: ${res.status} ${text}`)
  return text ? JSON.parse(text) : undefined
}

let routes = []

before(async () => {
  srv = await startServer()
  browser = await launchBrowser()
  token = await setUp(srv.baseURL, { org_name: 'Hangzhou Everyday Goods Trading', base_currency: 'USD', timezone: 'Asia/Shanghai' }, owner)
  // Some data, so lists and detail pages show rows rather than empty states.
  const creator = await api('POST', '/api/v1/creators', {
    display_name: 'Isabella Montgomery-Richardson',
    country: 'US',
    tags: ['home & kitchen', 'long tag for small screens'],
    accounts: [
      { platform: 'tiktok', handle: 'isabella.montgomery.richardson.official', followers: 1250000 },
      { platform: 'instagram', handle: 'isabella.m.richardson', followers: 48000 },
      { platform: 'youtube', handle: 'isabellamontgomeryrichardson', followers: 9000 },
    ],
  })
  const campaign = await api('POST', '/api/v1/campaigns', {
    name: 'Spring kitchen essentials launch 2026',
    starts_on: '2026-03-01',
    plan: { type: 'percent', rate_bps: 1000 },
  })
  routes = [
    '/dashboard',
    '/creators',
    `/creators/${creator.id}`,
    '/agencies',
    '/platforms',
    '/campaigns',
    `/campaigns/${campaign.id}`,
    '/products',
    '/links',
    '/orders',
    '/commissions',
    '/payouts',
    '/payouts?tab=batches',
    '/payouts?tab=adjustments',
    '/reports',
    '/audit-log',
    '/settings/users',
    '/settings/api-keys',
    '/settings/stores',
    '/account/password',
    '/no-such-page',
  ]
})

after(async () => {
  await browser?.close().catch(() => {})
  await srv?.stop()
})

/** The document does not scroll sideways: nothing is wider than the window. */
async function noOverflow(page, what) {
  const { scroll, inner } = await page.evaluate(() => ({
    scroll: document.documentElement.scrollWidth,
    inner: window.innerWidth,
  }))
  assert.ok(scroll <= inner, `${what}: the page is ${scroll}px wide in a ${inner}px window`)
}

/** Waits for the page's content (not a spinner) before measuring. */
async function settle(page) {
  await page.locator('[data-testid="page-title"], [data-testid="not-found"], [data-testid="forbidden"]').first().waitFor()
  await page.waitForLoadState('networkidle')
}

for (const locale of ['zh-CN', 'en-US']) {
  for (const width of [390, 768]) {
    test(`responsive (${locale}, ${width} px): every route fits, menu behind a button, creators as cards`, async (t) => {
      const context = await newContext(browser, { baseURL: srv.baseURL, locale, viewport: { width, height: 844 } })
      const page = await context.newPage()
      const pageErrors = []
      page.on('pageerror', (e) => pageErrors.push(e.message))
      try {
        await t.test('login page fits', async () => {
          await page.goto('/login')
          await page.getByTestId('login-email').waitFor()
          await noOverflow(page, '/login')
          await page.getByTestId('login-email').fill(owner.email)
          await page.getByTestId('login-password').fill(owner.password)
          await page.getByTestId('login-submit').click()
          await waitPath(page, '/dashboard')
        })

        await t.test('the menu is behind a button', async () => {
          // From a quiet page: the dashboard keeps drawing (its charts load and resize) while the drawer opens.
          await page.goto('/products')
          await settle(page)
          await page.getByTestId('nav-creators').waitFor({ state: 'hidden' })
          // The drawer slides in for 0.3 s; a click while it moves can land on another item (which
          // closes the drawer where it is). Wait for it to settle, and try again if the click missed.
          for (let attempt = 1; ; attempt++) {
            await page.getByTestId('menu-button').click()
            await page.getByTestId('nav-creators').waitFor({ state: 'visible' })
            await page.waitForTimeout(400)
            await page.getByTestId('nav-creators').click()
            try {
              await waitPath(page, '/creators', 3000)
              break
            } catch (e) {
              if (attempt === 3) throw e
            }
          }
          await page.getByTestId('nav-creators').waitFor({ state: 'hidden' })
        })

        await t.test('creators are cards, not a table', async () => {
          await page.getByTestId('creator-card').first().waitFor()
          assert.equal(await page.getByTestId('creators-table').count(), 0)
        })

        for (const route of routes) {
          await t.test(`${route} fits`, async () => {
            await page.goto(route)
            await settle(page)
            await noOverflow(page, route)
          })
        }

        assert.deepEqual(pageErrors, [])
      } finally {
        await context.close()
      }
    })
  }
}
