// End-to-end: the dashboard, in Chinese and in English, at 1440 px and 390 px. Through the API: an
// organization in CNY with a USD→CNY rate, a creator with a TikTok account, a campaign with a 10%
// plan, a tracking link clicked once through /r/<code> as a browser would, a promo code, an order
// with that code and one that matches nobody, and TikTok marked at risk in the creator's country.
// In the browser: the totals in CNY, the pending and unattributed counts leading to the orders page,
// the charts drawn, the breakdowns linking to the creator and the campaign, the risk panel linking
// to the exposed creator, the range picker. (The creator form's payout fields are unit-tested.)
//
//   CARAVAN_BIN=/tmp/caravan node --test e2e/dashboard.test.mjs
import { after, before, test } from 'node:test'
import assert from 'node:assert/strict'
import { en, expectText, launchBrowser, logIn, newContext, setUp, startServer, TIMEOUT, waitPath, zh } from './helpers.mjs'

let srv
let browser
let token
let creator
let campaign
let account

const owner = { name: 'Xu Lan', email: 'owner@example.com', password: 'correct horse battery' }
const BROWSER_UA =
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36'

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

const isoDay = (d) => d.toISOString().slice(0, 10)

before(async () => {
  srv = await startServer()
  browser = await launchBrowser()
  token = await setUp(srv.baseURL, { org_name: 'Yiwu Bright Lamps', base_currency: 'CNY', timezone: 'Asia/Shanghai' }, owner)
})

after(async () => {
  await browser?.close().catch(() => {})
  await srv?.stop()
})

/** The organization's data, made once through the API after the empty dashboard was seen. */
let seeded
function seed() {
  seeded ??= seedData()
  return seeded
}

async function seedData() {
  // USD orders are booked in CNY at the latest rate on or before their day.
  await api('PUT', '/api/v1/fx-rates', { on: '2025-01-01', currency: 'USD', base_currency: 'CNY', rate: '7.1' })
  creator = await api('POST', '/api/v1/creators', {
    display_name: 'Luna Park',
    country: 'US',
    accounts: [{ platform: 'tiktok', handle: 'luna.park', followers: 52000 }],
  })
  account = creator.accounts[0]
  campaign = await api('POST', '/api/v1/campaigns', {
    name: 'Winter lamps',
    status: 'active',
    starts_on: isoDay(new Date(Date.now() - 20 * 86_400_000)),
    plan: { type: 'percent', rate_bps: 1000 },
  })
  await api('POST', `/api/v1/campaigns/${campaign.id}/creators`, { creator_id: creator.id })

  // A tracking link, clicked once as a browser would (crawlers and bare fetches are not counted).
  const link = await api('POST', '/api/v1/links', {
    creator_id: creator.id,
    campaign_id: campaign.id,
    account_id: account.id,
    destination_url: 'https://shop.example.com/lamps',
  })
  const click = await fetch(`${srv.baseURL}/r/${link.code}`, { redirect: 'manual', headers: { 'User-Agent': BROWSER_UA } })
  assert.equal(click.status, 302)

  await api('POST', '/api/v1/promo-codes', { code: 'LUNA10', creator_id: creator.id, campaign_id: campaign.id, account_id: account.id })
  const at = new Date(Date.now() - 3600_000).toISOString()
  // 100.00 USD with the code: 710.00 CNY of GMV, 10% = 71.00 CNY of commission, pending approval.
  const coded = await api('POST', '/api/v1/conversions', {
    external_id: 'SO-1001',
    occurred_at: at,
    currency: 'USD',
    amount_minor: 10000,
    promo_code: 'luna10',
  })
  assert.equal(coded.rule, 'promo_code')
  // 50.00 USD matching nobody: unattributed, not in the GMV.
  const orphan = await api('POST', '/api/v1/conversions', { external_id: 'SO-1002', occurred_at: at, currency: 'USD', amount_minor: 5000 })
  assert.equal(orphan.creator_id, null)

  await api('PUT', '/api/v1/platforms/tiktok/risk', { country: 'US', level: 'at_risk', note: 'A ban is being discussed' })

  // The numbers the page must show, straight from the API (clicks are written in batches: wait for it).
  let d
  for (const deadline = Date.now() + TIMEOUT; ; ) {
    d = await api('GET', '/api/v1/insights/dashboard')
    if (d.totals.clicks > 0 || Date.now() > deadline) break
    await new Promise((r) => setTimeout(r, 200))
  }
  assert.equal(d.currency, 'CNY')
  assert.deepEqual(
    { gmv: d.totals.gmv_minor, commission: d.totals.commission_minor, clicks: d.totals.clicks, conversions: d.totals.conversions },
    { gmv: 71000, commission: 7100, clicks: 1, conversions: 1 },
  )
  assert.equal(d.pending_approvals, 1)
  assert.equal(d.unattributed, 1)
}

async function signIn(locale, width) {
  const context = await newContext(browser, { baseURL: srv.baseURL, locale, viewport: { width, height: 900 } })
  const page = await context.newPage()
  const errors = []
  page.on('pageerror', (e) => errors.push(e.message))
  await logIn(page, owner)
  await waitPath(page, '/dashboard')
  return { context, page, errors }
}

/** The chart in the card has drawn on its canvas (a non-empty bitmap). */
async function chartDrawn(page, testid) {
  const canvas = page.getByTestId(testid).locator('canvas').first()
  await canvas.waitFor()
  const deadline = Date.now() + TIMEOUT
  for (;;) {
    const size = await canvas.evaluate((c) => ({ w: c.width, h: c.height }))
    if (size.w > 0 && size.h > 0) return size
    if (Date.now() > deadline) assert.fail(`${testid}: the canvas is ${size.w}×${size.h}`)
    await new Promise((r) => setTimeout(r, 100))
  }
}

async function noOverflow(page, what) {
  const { scroll, inner } = await page.evaluate(() => ({ scroll: document.documentElement.scrollWidth, inner: window.innerWidth }))
  assert.ok(scroll <= inner, `${what}: the page is ${scroll}px wide in a ${inner}px window`)
}

// First, before any data: every part of the page says what to do next.
for (const [locale, L] of [
  ['zh-CN', zh],
  ['en-US', en],
]) {
  test(`an empty dashboard (${locale}) says what to do next`, async () => {
    const { context, page, errors } = await signIn(locale, 1440)
    try {
      await expectText(page.getByTestId('kpi-gmv-value'), /^(CN)?¥\s?0\.00$/)
      await expectText(page.getByTestId('kpi-rate-value'), '—')
      const empty = page.getByTestId('dashboard-no-orders')
      await expectText(empty, new RegExp(L.dashboard.noOrders))
      assert.equal(await empty.getByRole('link', { name: L.dashboard.connectShop }).getAttribute('href'), '/settings/stores')
      assert.equal(await empty.getByRole('link', { name: L.dashboard.importOrders }).getAttribute('href'), '/orders')
      await expectText(page.getByTestId('dashboard-platforms-empty'), L.dashboard.platformEmpty)
      await expectText(page.getByTestId('dashboard-exposure-empty'), new RegExp(L.dashboard.exposure.none))
      await expectText(page.getByTestId('dashboard-creators').getByTestId('empty-state'), new RegExp(L.dashboard.creatorsEmpty))
      // No chart is loaded for nothing.
      assert.equal(await page.locator('canvas').count(), 0)
      assert.deepEqual(errors, [])
    } finally {
      await context.close()
    }
  })
}

for (const [locale, L] of [
  ['zh-CN', zh],
  ['en-US', en],
]) {
  test(`dashboard (${locale}): totals in the base currency, queues, charts, breakdowns, risk, range`, async (t) => {
    await seed()
    const { context, page, errors } = await signIn(locale, 1440)
    try {
      await t.test('the totals, in CNY', async () => {
        await expectText(page.getByTestId('page-title'), L.nav.dashboard)
        await expectText(page.getByTestId('dashboard-org-name'), 'Yiwu Bright Lamps')
        await expectText(page.getByTestId('dashboard-currency'), /^CNY/)
        await expectText(page.getByTestId('kpi-gmv-value'), /^(CN)?¥\s?710\.00$/)
        await expectText(page.getByTestId('kpi-commission-value'), /^(CN)?¥\s?71\.00$/)
        await expectText(page.getByTestId('kpi-clicks-value'), '1')
        await expectText(page.getByTestId('kpi-conversions-value'), '1')
        await expectText(page.getByTestId('kpi-rate-value'), '100%')
        await expectText(page.getByTestId('kpi-pending-value'), '1')
        await expectText(page.getByTestId('kpi-unattributed-value'), '1')
      })

      await t.test('the charts draw', async () => {
        await chartDrawn(page, 'dashboard-daily-chart')
        await chartDrawn(page, 'dashboard-platform-chart')
      })

      await t.test('the breakdowns link to the creator, the campaign and the account', async () => {
        const top = page.getByTestId(`dashboard-creators-row-${creator.id}`)
        await expectText(top.getByTestId('top-creator-link'), 'Luna Park')
        assert.equal(await top.getByTestId('top-creator-link').getAttribute('href'), `/creators/${creator.id}`)
        await expectText(top.getByTestId('figure-gmv'), /710\.00.*100%/)
        const camp = page.getByTestId(`dashboard-campaigns-row-${campaign.id}`)
        await expectText(camp.getByTestId('campaign-link'), 'Winter lamps')
        assert.equal(await camp.getByTestId('campaign-link').getAttribute('href'), `/campaigns/${campaign.id}`)
        const acc = page.getByTestId(`dashboard-accounts-row-${account.id}`)
        await expectText(acc.getByTestId('top-account-link'), '@luna.park')
        await acc.getByTestId('platform-tag-tiktok').waitFor()
      })

      await t.test('the risk panel names the exposed creator, one click from the profile', async () => {
        const mark = page.getByTestId('dashboard-exposure-tiktok-US')
        await expectText(mark.getByTestId('exposure-without-count'), '1')
        await expectText(mark.getByTestId('exposure-with-count'), '0')
        await expectText(mark.getByTestId('exposure-gmv-share').locator('.ant-statistic-content'), '100%')
        await mark.getByTestId('exposure-without').getByTestId('exposure-creator-link').click()
        await waitPath(page, `/creators/${creator.id}`)
        await expectText(page.getByTestId('page-title'), 'Luna Park')
        await page.goBack()
        await waitPath(page, '/dashboard')
      })

      await t.test('the queues lead to the orders page', async () => {
        assert.equal(await page.getByTestId('kpi-unattributed-value').getAttribute('href'), '/orders?attributed=false')
        await page.getByTestId('kpi-pending-value').click()
        await page.waitForURL((u) => u.pathname === '/orders' && u.searchParams.get('status') === 'pending' && u.searchParams.get('attributed') === 'true')
        await page.getByTestId('orders-table').getByTestId('order-row-SO-1001').waitFor()
        assert.equal(await page.getByTestId('orders-table').getByTestId('order-row-SO-1002').count(), 0)
        await page.goBack()
        await waitPath(page, '/dashboard')
        await page.getByTestId('kpi-unattributed-value').click()
        await page.waitForURL((u) => u.pathname === '/orders' && u.searchParams.get('attributed') === 'false')
        await page.getByTestId('orders-table').getByTestId('order-row-SO-1002').waitFor()
        await page.goBack()
        await waitPath(page, '/dashboard')
      })

      await t.test('the range: 7 days keep the order; a quiet month in the past says so', async () => {
        await page.getByTestId('range-7').click()
        await page.waitForURL((u) => u.searchParams.get('days') === '7')
        await expectText(page.getByTestId('kpi-gmv-value'), /710\.00/)
        await page.getByTestId('range-custom').click()
        await page.getByTestId('range-from').fill('2025-03-01')
        await page.getByTestId('range-to').fill('2025-03-31')
        await page.getByTestId('range-apply').click()
        await page.waitForURL((u) => u.searchParams.get('from') === '2025-03-01' && u.searchParams.get('to') === '2025-03-31')
        await expectText(page.getByTestId('kpi-gmv-value'), /^(CN)?¥\s?0\.00$/)
        await expectText(page.getByTestId('dashboard-quiet'), new RegExp(L.dashboard.quiet))
        // The queues are not of a range: they still count.
        await expectText(page.getByTestId('kpi-pending-value'), '1')
        await expectText(page.getByTestId('dashboard-platforms-empty'), L.dashboard.platformEmpty)
        await page.getByTestId('dashboard-quiet').getByRole('button').click()
        await page.waitForURL((u) => u.searchParams.get('days') === '90')
        await expectText(page.getByTestId('kpi-gmv-value'), /710\.00/)
        await chartDrawn(page, 'dashboard-daily-chart')
      })

      await t.test('a phone: cards stack, charts fit, nothing overflows', async () => {
        await page.setViewportSize({ width: 390, height: 844 })
        await page.goto('/dashboard')
        await chartDrawn(page, 'dashboard-daily-chart')
        await chartDrawn(page, 'dashboard-platform-chart')
        await page.waitForLoadState('networkidle')
        await noOverflow(page, '/dashboard at 390 px')
        const widths = await page.evaluate(() => {
          const card = (id) => document.querySelector(`[data-testid="${id}"]`).getBoundingClientRect()
          const canvas = document.querySelector('[data-testid="dashboard-daily-chart"] canvas').getBoundingClientRect()
          return { gmv: card('kpi-gmv'), pending: card('kpi-pending'), canvas: canvas.width, inner: window.innerWidth }
        })
        assert.ok(widths.canvas <= widths.inner, `the chart is ${widths.canvas}px wide in a ${widths.inner}px window`)
        assert.ok(widths.pending.top > widths.gmv.top, 'the KPI cards wrap onto several rows')
      })

      assert.deepEqual(errors, [])
    } finally {
      await context.close()
    }
  })
}

// The creator form's payout fields are covered by Vitest (src/creators/form.test.ts): in this
// browser their antd select proved flaky on a loaded machine, and a flaky test hides real failures.

