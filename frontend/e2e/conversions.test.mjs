// End-to-end: orders and commissions, in Chinese and in English. Through the API: a creator with a
// TikTok account, a campaign with a percent plan, the enrolment, a promo code, an order with that code
// and one that matches nobody. In the browser: the orders page shows the promo-code order with its
// commission, the drawer explains it, finance approves it, attributes the other one by hand and
// records a refund whose reversal shows on the commissions page; an order file is checked (dry run)
// and imported; an FX rate is recorded; the owner connects a Shopify store whose webhook URL then
// receives a signed order.
//
//   CARAVAN_BIN=/tmp/caravan node --test e2e/conversions.test.mjs
import { createHmac } from 'node:crypto'
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { after, before, test } from 'node:test'
import assert from 'node:assert/strict'
import { en, expandRow, expectCount, expectText, launchBrowser, logIn, newContext, setUp, startServer, waitPath, zh } from './helpers.mjs'

let srv
let browser
let token

const owner = { name: 'Zhou Min', email: 'owner@example.com', password: 'correct horse battery' }
const finance = { name: 'Finance Fang', email: 'finance@example.com', password: 'finance horse battery', role: 'finance' }
const FX_DAY = '2025-01-01'

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

before(async () => {
  srv = await startServer()
  browser = await launchBrowser()
  token = await setUp(srv.baseURL, { org_name: 'Ningbo Bright Home', base_currency: 'CNY', timezone: 'Asia/Shanghai' }, owner)
  await api('POST', '/api/v1/users', finance)
  // Orders in USD are booked in CNY at the latest rate on or before their day.
  await api('PUT', '/api/v1/fx-rates', { on: FX_DAY, currency: 'USD', base_currency: 'CNY', rate: '7.1' })
})

after(async () => {
  await browser?.close().catch(() => {})
  await srv?.stop()
})

/** A locale's sentence with its {{params}} filled in. */
const fill = (template, params) => template.replace(/\{\{(\w+)\}\}/g, (_, k) => String(params[k]))

/** Opens an antd Select and clicks the option showing `text` (typing it first when `search`). */
async function pickOption(page, testid, text, search = false) {
  await page.getByTestId(testid).click()
  if (search) await page.keyboard.type(text)
  await page.locator('.ant-select-dropdown:visible .ant-select-item-option', { hasText: text }).first().click()
}

async function signIn(user, locale, width = 1440) {
  const context = await newContext(browser, { baseURL: srv.baseURL, locale, viewport: { width, height: 900 } })
  const page = await context.newPage()
  const errors = []
  page.on('pageerror', (e) => errors.push(e.message))
  await logIn(page, user)
  return { context, page, errors }
}

/** The page's content area does not scroll sideways: wide tables scroll inside their card. */
async function noOverflow(page, what) {
  const overflow = await page.evaluate(() => {
    const content = document.querySelector('.ant-layout-content')
    return content.scrollWidth - content.clientWidth
  })
  assert.equal(overflow, 0, `${what} overflows the phone's width by ${overflow}px`)
}

for (const [locale, L, suffix] of [
  ['zh-CN', zh, 'zh'],
  ['en-US', en, 'en'],
]) {
  test(`orders and commissions (${locale}): attribution, explanation, approval, manual attribution, refund, import, shops`, async (t) => {
    const creator = await api('POST', '/api/v1/creators', {
      display_name: `Luna Park ${suffix}`,
      country: 'US',
      accounts: [{ platform: 'tiktok', handle: `luna.park.${suffix}` }],
    })
    const campaignName = `Autumn tea ${suffix}`
    const campaign = await api('POST', '/api/v1/campaigns', {
      name: campaignName,
      status: 'active',
      starts_on: '2026-01-01',
      plan: { type: 'percent', rate_bps: 1000 },
    })
    await api('POST', `/api/v1/campaigns/${campaign.id}/creators`, { creator_id: creator.id })
    const code = `LUNA10${suffix.toUpperCase()}`
    await api('POST', '/api/v1/promo-codes', { code, creator_id: creator.id, campaign_id: campaign.id })
    const at = new Date(Date.now() - 3600_000).toISOString()
    const coded = await api('POST', '/api/v1/conversions', {
      external_id: `SO-${suffix}-1`,
      occurred_at: at,
      currency: 'USD',
      amount_minor: 8097,
      discount_minor: 900,
      promo_code: code.toLowerCase(),
    })
    assert.equal(coded.rule, 'promo_code')
    const orphan = await api('POST', '/api/v1/conversions', { external_id: `SO-${suffix}-2`, occurred_at: at, currency: 'USD', amount_minor: 5000 })
    assert.equal(orphan.creator_id, null)

    const { context, page, errors } = await signIn(finance, locale)
    const drawer = page.getByTestId('order-drawer-body')
    const row = (id) => page.getByTestId('orders-table').getByTestId(`order-row-${id}`)
    const openOrder = async (id) => {
      await row(id).getByTestId('order-open').click()
      await expectText(page.getByTestId('order-drawer-title'), id)
    }
    const closeDrawer = async () => {
      await page.locator('.ant-drawer-close:visible').click()
      await drawer.waitFor({ state: 'detached' })
    }
    try {
      await t.test('finance lands on the commissions, opens the orders', async () => {
        await waitPath(page, '/commissions')
        await page.getByTestId('nav-orders').click()
        await waitPath(page, '/orders')
        await expectText(page.getByTestId('page-title'), L.nav.orders)
      })

      await t.test('the promo-code order shows its rule and commission', async () => {
        const r = row(`SO-${suffix}-1`)
        await expectText(r.getByTestId('order-rule-promo_code'), L.orders.rules.promo_code)
        await expectText(r.getByTestId('order-commission'), /8\.10/)
        await expectText(r.getByTestId('order-amount'), /80\.97/)
        await expectText(r.getByTestId('order-creator'), creator.display_name)
        await r.getByTestId('order-status-pending').waitFor()
        await expectText(row(`SO-${suffix}-2`).getByTestId('order-rule-none'), L.orders.unattributed)
        // The search finds an order by the beginning of its number.
        const search = page.getByTestId('orders-search').locator('input')
        await search.fill(`SO-${suffix}-`)
        await search.press('Enter')
        await page.waitForURL((u) => u.searchParams.get('q') === `SO-${suffix}-`)
        await expectText(page.getByTestId('orders-total'), fill(L.common.total, { count: 2 }))
      })

      await t.test('the drawer explains the commission; finance approves', async () => {
        await openOrder(`SO-${suffix}-1`)
        await expectText(drawer.getByTestId('order-clues'), new RegExp(code.toLowerCase()))
        const sentence = [
          fill(L.explain.rate, { rate: '10.00%', base: '80.97 USD', baseKind: L.explain.base_net, amount: '8.10 USD' }),
          fill(L.explain.plan, { version: 1 }),
          fill(L.explain.fxDay, { rate: '7.1', day: FX_DAY, amount: '57.51 CNY' }),
        ].join(L.explain.sep)
        await expectText(drawer.getByTestId('order-entry-commission').getByTestId('entry-explanation'), sentence)
        await drawer.getByTestId('order-approve').click()
        await page.getByTestId('order-drawer-head').getByTestId('order-status-approved').waitFor()
        assert.equal(await drawer.getByTestId('order-approve').count(), 0)
        await closeDrawer()
        await row(`SO-${suffix}-1`).getByTestId('order-status-approved').waitFor()
      })

      await t.test('the unattributed order is attributed by hand and earns a commission', async () => {
        await openOrder(`SO-${suffix}-2`)
        await expectText(drawer.getByTestId('order-detail-commission'), '—')
        await drawer.getByTestId('order-attribute').click()
        await pickOption(page, 'attribute-creator', creator.display_name, true)
        await pickOption(page, 'attribute-account', `@luna.park.${suffix}`)
        await pickOption(page, 'attribute-campaign', campaignName, true)
        await page.getByTestId('attribute-submit').click()
        await page.getByTestId('order-drawer-head').getByTestId('order-rule-manual').waitFor()
        await expectText(drawer.getByTestId('order-detail-commission'), /5\.00/)
        await expectText(drawer.getByTestId('order-detail-creator'), creator.display_name)
        await expectText(drawer.getByTestId('order-entry-commission').getByTestId('entry-explanation'), new RegExp(`^10\\.00% × 50\\.00 USD`))
        await closeDrawer()
        await expectText(row(`SO-${suffix}-2`).getByTestId('order-rule-manual'), L.orders.rules.manual)
      })

      await t.test('a refund is recorded: a proportional reversal', async () => {
        await openOrder(`SO-${suffix}-1`)
        await drawer.getByTestId('order-refund').click()
        await page.getByTestId('refund-external-id').fill(`RF-${suffix}-1`)
        // More than the order: refused in the form, nothing sent.
        await page.getByTestId('refund-amount').fill('100')
        await page.getByTestId('refund-submit').click()
        await expectText(page.locator('.ant-form-item-explain-error').first(), /80\.97/)
        await page.getByTestId('refund-amount').fill('20')
        await page.getByTestId('refund-submit').click()
        await expectText(drawer.getByTestId('order-detail-refunded'), /20\.00/)
        const reversal = drawer.getByTestId('order-entry-reversal')
        await expectText(reversal.getByTestId('entry-amount'), /-.*2\.00/)
        const refundPart = fill(L.explain.refund, { commission: '8.10 USD', refunded: '20.00 USD', order: '80.97 USD', amount: '-2.00 USD' })
        await expectText(reversal.getByTestId('entry-explanation'), new RegExp(`^${refundPart.replace(/[()+.*?[\]\\^$|]/g, '\\$&')}`))
        await expectText(drawer.getByTestId('order-detail-commission'), /6\.10/)
        await closeDrawer()
      })

      await t.test('the reversal appears on the commissions page with its explanation', async () => {
        await page.getByTestId('nav-commissions').click()
        await waitPath(page, '/commissions')
        await pickOption(page, 'commissions-kind-filter', L.commissions.kinds.reversal)
        await page.waitForURL((u) => u.searchParams.get('kind') === 'reversal')
        const line = page.getByTestId('commissions-table').locator('tr', { hasText: creator.display_name }).first()
        await expectText(line.getByTestId('commission-amount'), /-.*2\.00/)
        await line.getByTestId('entry-kind-reversal').waitFor()
        // Only reversals are left: the unfiltered list shown while the filtered one loads is gone.
        await expectCount(page.getByTestId('commissions-table').getByTestId('commission-row-commission'), 0)
        await expandRow(line, page.getByTestId('commission-explanation').first())
        await expectText(page.getByTestId('commission-explanation').first(), /^−/)
        // The order link leads back to the order's drawer.
        await line.getByTestId('commission-order').click()
        await waitPath(page, '/orders')
        await expectText(page.getByTestId('order-drawer-title'), `SO-${suffix}-1`)
        await closeDrawer()
      })

      await t.test('an FX rate is recorded on the FX tab', async () => {
        // Another currency than the orders', so the other language's run keeps its USD rate.
        const cur = suffix === 'zh' ? 'EUR' : 'GBP'
        await page.goto('/commissions?tab=fx')
        await page.getByTestId('fx-on').fill('2025-02-01')
        await pickOption(page, 'fx-currency', cur, true)
        await page.getByTestId('fx-rate').fill('7.85')
        await page.getByTestId('fx-submit').click()
        await expectText(page.getByTestId(`fx-rate-${cur}-2025-02-01`), `1 ${cur} = 7.85 CNY`)
        await expectText(page.getByTestId(`fx-rate-USD-${FX_DAY}`), '1 USD = 7.1 CNY')
      })

      await t.test('an order file: dry run, then import; then a bulk approval', async () => {
        const csv = join(srv.dir, `orders-${suffix}.csv`)
        await writeFile(
          csv,
          `Order ID,Order Date,Currency,Amount,Promo Code\nIMP-${suffix}-1,2026-11-20 10:00,USD,30.00,${code}\nIMP-${suffix}-2,2026-11-21 11:30,USD,12.50,\n`,
        )
        await page.goto('/orders')
        await page.getByTestId('orders-import').click()
        await page.locator('.ant-modal input[type=file]').setInputFiles(csv)
        await page.getByTestId('order-import-check').click()
        await page.getByTestId('order-import-dry').waitFor()
        await expectText(page.getByTestId('order-import-layout'), L.orderImport.layouts.generic)
        await expectText(page.getByTestId('order-import-orders'), '2')
        await expectText(page.getByTestId('order-import-created'), '2')
        await expectText(page.getByTestId('order-import-unattributed'), '1')
        // Nothing is written by the dry run.
        assert.equal((await api('GET', `/api/v1/conversions?q=IMP-${suffix}-`)).total, 0)
        await page.getByTestId('order-import-run').click()
        await page.getByTestId('order-import-done').waitFor()
        await expectText(page.getByTestId('order-import-created'), '2')
        await page.getByTestId('order-import-close').click()
        const imported = row(`IMP-${suffix}-1`)
        await expectText(imported.getByTestId('order-rule-promo_code'), L.orders.rules.promo_code)
        await expectText(imported.getByTestId('order-commission'), /3\.00/)
        await row(`IMP-${suffix}-2`).getByTestId('order-rule-none').waitFor()

        await imported.locator('.ant-checkbox-input').check()
        await page.getByTestId('orders-approve-selected').click()
        await page.getByTestId('orders-bulk-confirm').click()
        await imported.getByTestId('order-status-approved').waitFor()
      })

      await t.test('finance sees the shops but not the connect button', async () => {
        await page.goto('/settings/stores')
        await expectText(page.getByTestId('page-title'), L.stores.title)
        await page.getByTestId('stores-table').waitFor()
        assert.equal(await page.getByTestId('stores-connect').count(), 0)
      })

      await t.test('phones: the orders page and its drawer fit at 390 px', async () => {
        await page.setViewportSize({ width: 390, height: 844 })
        await page.goto('/orders')
        await row(`SO-${suffix}-1`).waitFor()
        await noOverflow(page, 'the orders list')
        await openOrder(`SO-${suffix}-1`)
        await drawer.getByTestId('order-entries').waitFor()
        await closeDrawer()
        await page.goto('/commissions')
        await page.getByTestId('commissions-table').locator('tr', { hasText: creator.display_name }).first().waitFor()
        await noOverflow(page, 'the commissions list')
      })

      assert.deepEqual(errors, [], 'uncaught errors in the page')
    } catch (e) {
      console.error(`--- caravan output ---\n${srv.log()}`)
      await page.screenshot({ path: join(process.env.E2E_SHOTS ?? '/tmp', `caravan-e2e-conversions-${suffix}.png`), fullPage: true }).catch(() => {})
      throw e
    } finally {
      await context.close()
    }

    // The owner connects a Shopify store; a delivery signed with its secret arrives.
    const admin = await signIn(owner, locale)
    try {
      await t.test('the owner connects a Shopify store and sees its webhook URL', async () => {
        const p = admin.page
        await waitPath(p, '/dashboard')
        await p.goto('/settings/stores')
        await p.getByTestId('stores-connect').click()
        await p.getByTestId('store-name').fill(`US shop ${suffix}`)
        await p.getByTestId('store-domain').fill(`https://bright-${suffix}.myshopify.com/`)
        const secret = `shpss_${suffix}_0123456789abcdef`
        await p.getByTestId('store-secret').fill(secret)
        await p.getByTestId('store-submit').click()
        const line = p.getByTestId(`store-row-bright-${suffix}.myshopify.com`)
        const url = line.getByTestId('store-webhook-url')
        await expectText(url, /^https?:\/\/[^/]+\/webhooks\/shopify\/[\w-]+$/)
        await line.locator('.ant-typography-copy').first().waitFor()
        await expectText(line.getByTestId('store-deliveries'), '0')
        await line.getByText('orders/create').waitFor()

        // The secret is entered once: after a reload the page shows the webhook URL and nowhere the
        // secret (not in the text, the markup, a field's value or the stores the API lists).
        const shownUrl = (await url.textContent()).trim()
        await p.reload()
        await expectText(p.getByTestId(`store-row-bright-${suffix}.myshopify.com`).getByTestId('store-webhook-url'), shownUrl)
        assert.ok(!(await p.content()).includes(secret), 'the secret is in the page after a reload')
        assert.ok(!(await p.locator('body').innerText()).includes(secret), 'the secret is shown after a reload')
        const values = await p.evaluate(() => [...document.querySelectorAll('input, textarea')].map((e) => e.value))
        assert.ok(!values.some((v) => v.includes(secret)), 'a field holds the secret after a reload')
        const listed = JSON.stringify(await api('GET', '/api/v1/stores'))
        assert.ok(listed.includes(shownUrl) && !listed.includes(secret), 'the stores API returns the secret')

        const storeId = (await url.textContent()).trim().split('/').pop()
        const body = JSON.stringify({
          id: suffix === 'zh' ? 910001 : 910002,
          created_at: new Date(Date.now() - 600_000).toISOString(),
          currency: 'USD',
          subtotal_price: '40.00',
          total_discounts: '4.00',
          discount_codes: [{ code, amount: '4.00' }],
        })
        const res = await fetch(`${srv.baseURL}/webhooks/shopify/${storeId}`, {
          method: 'POST',
          headers: {
            'Content-Type': 'application/json',
            'X-Shopify-Topic': 'orders/create',
            'X-Shopify-Webhook-Id': `delivery-${suffix}`,
            'X-Shopify-Hmac-Sha256': createHmac('sha256', secret).update(body).digest('base64'),
          },
          body,
        })
        assert.equal(res.status, 200, await res.text())
        await p.reload()
        await expectText(p.getByTestId(`store-row-bright-${suffix}.myshopify.com`).getByTestId('store-deliveries'), '1')
        // The Shopify order is on the orders page, attributed by its discount code.
        await p.goto('/orders?q=' + (suffix === 'zh' ? '910001' : '910002'))
        const shopRow = p.getByTestId(`order-row-${suffix === 'zh' ? '910001' : '910002'}`)
        await expectText(shopRow, new RegExp(L.orders.sources.shopify))
        await shopRow.getByTestId('order-rule-promo_code').waitFor()
      })

      await t.test('the owner disconnects the store after a confirmation', async () => {
        const p = admin.page
        await p.goto('/settings/stores')
        const line = p.getByTestId(`store-row-bright-${suffix}.myshopify.com`)
        await line.getByTestId('store-disconnect').click()
        await p.getByTestId('store-disconnect-confirm').click()
        await line.waitFor({ state: 'detached' })
      })
      assert.deepEqual(admin.errors, [], 'uncaught errors in the page')
    } catch (e) {
      console.error(`--- caravan output ---\n${srv.log()}`)
      await admin.page.screenshot({ path: join(process.env.E2E_SHOTS ?? '/tmp', `caravan-e2e-stores-${suffix}.png`), fullPage: true }).catch(() => {})
      throw e
    } finally {
      await admin.context.close()
    }
  })
}
