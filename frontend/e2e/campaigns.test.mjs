// End-to-end: products, a campaign with a tiered plan, an enrolled creator, a post, a sample, a
// tracking link whose /r/<code> redirect is counted in the report; in Chinese and in English.
//
//   CARAVAN_BIN=/tmp/caravan npm run e2e
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { after, before, test } from 'node:test'
import assert from 'node:assert/strict'
import { en, expectText, launchBrowser, logIn, newContext, setUp, startServer, TIMEOUT, waitPath, zh } from './helpers.mjs'

let srv
let browser
let token

const owner = { name: 'Li Wei', email: 'owner@example.com', password: 'correct horse battery' }

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
  token = await setUp(srv.baseURL, { org_name: 'Ningbo Home', base_currency: 'USD', timezone: 'Asia/Shanghai' }, owner)
})

after(async () => {
  await browser?.close().catch(() => {})
  await srv?.stop()
})

/** Opens an antd Select and clicks the option showing `text` (typing it first when `search`). */
async function pickOption(page, testid, text, search = false) {
  await page.getByTestId(testid).click()
  if (search) await page.keyboard.type(text)
  await page.locator('.ant-select-dropdown:visible .ant-select-item-option', { hasText: text }).first().click()
}

/** The page's content (the area beside the menu) does not scroll sideways: wide tables scroll inside their card. */
async function noOverflow(page, what) {
  const overflow = await page.evaluate(() => {
    const content = document.querySelector('.ant-layout-content')
    return content.scrollWidth - content.clientWidth
  })
  assert.equal(overflow, 0, `${what} overflows the phone's width by ${overflow}px`)
}

const fmtTotal = (L, n) => L.common.total.replace('{{count}}', String(n))

for (const [locale, L, suffix] of [
  ['zh-CN', zh, 'zh'],
  ['en-US', en, 'en'],
]) {
  test(`campaigns (${locale}): products, tiered plan, enrolment, post, sample, link, click in the report`, async (t) => {
    // A creator made through the API: this file is about campaigns.
    const creator = await api('POST', '/api/v1/creators', {
      display_name: `Mia Chen ${suffix}`,
      country: 'US',
      accounts: [{ platform: 'tiktok', handle: `mia.chen.${suffix}` }],
    })
    const context = await newContext(browser, { baseURL: srv.baseURL, locale, viewport: { width: 1440, height: 900 } })
    const page = await context.newPage()
    const pageErrors = []
    page.on('pageerror', (e) => pageErrors.push(e.message))
    const sku = (n) => `CUP-${suffix.toUpperCase()}-${n}`
    const campaignName = `Summer mugs ${suffix}`
    const destination = `https://shop.example.com/mugs?ref=${suffix}`

    try {
      await t.test('sign in', async () => {
        await logIn(page, owner)
        await waitPath(page, '/dashboard')
      })

      await t.test('create two products', async () => {
        await page.getByTestId('nav-campaigns').click()
        await waitPath(page, '/campaigns')
        await page.getByTestId('campaigns-products-link').click()
        await waitPath(page, '/products')
        for (const [i, price] of [
          [1, '12.5'],
          [2, '20'],
        ]) {
          await page.getByTestId('products-create').click()
          await page.getByTestId('product-sku').fill(sku(i))
          await page.getByTestId('product-name').fill(`Mug ${i}`)
          await page.getByTestId('product-name-zh').fill(`马克杯 ${i}`)
          await page.getByTestId('product-price').fill(price)
          await page.getByTestId('product-rate').fill('15')
          await page.getByTestId('product-submit').click()
          await page.getByTestId('product-sku').waitFor({ state: 'hidden' })
          await page.getByTestId('products-table').getByText(sku(i)).waitFor()
        }
        const row = page.getByTestId('products-table').locator('tr', { hasText: sku(1) })
        await row.getByText('$12.50').waitFor()
        await row.getByText('15%').waitFor()
        // The Chinese name shows in both languages; the search finds a product by SKU.
        await row.getByText('马克杯 1').waitFor()
        const search = page.getByTestId('products-search').locator('input')
        await search.fill(sku(2))
        await search.press('Enter')
        await page.waitForURL((u) => u.searchParams.get('q') === sku(2))
        await expectText(page.getByTestId('products-total'), fmtTotal(L, 1))
      })

      await t.test('import a product with Chinese headers: dry run, then import', async () => {
        const csv = join(srv.dir, `products-${suffix}.csv`)
        await writeFile(csv, `货号,名称,中文名称,价格,币种\n${sku(3)},Teapot,茶壶,39.90,USD\n`)
        await page.goto('/products')
        await page.getByTestId('products-import').click()
        await page.locator('.ant-modal input[type=file]').setInputFiles(csv)
        await page.getByTestId('product-import-check').click()
        await page.getByTestId('product-import-dry').waitFor()
        await expectText(page.getByTestId('product-import-created'), '1')
        await page.getByTestId('product-import-run').click()
        await page.getByTestId('product-import-done').waitFor()
        await page.getByTestId('product-import-close').click()
        const row = page.getByTestId('products-table').locator('tr', { hasText: sku(3) })
        await row.getByText('$39.90').waitFor()
        // This run's three products (the other language's run shares the server).
        const search = page.getByTestId('products-search').locator('input')
        await search.fill(`CUP-${suffix.toUpperCase()}-`)
        await search.press('Enter')
        await expectText(page.getByTestId('products-total'), fmtTotal(L, 3))
      })

      let campaignPath
      await t.test('create a campaign with a tiered plan', async () => {
        await page.getByTestId('nav-campaigns').click()
        await waitPath(page, '/campaigns')
        await page.getByTestId('campaigns-create').click()
        await page.getByTestId('campaign-name').fill(campaignName)
        await pickOption(page, 'campaign-products', sku(1), true)
        await page.keyboard.press('Escape')
        await page.getByTestId('plan-type-tiered').click()
        await page.getByTestId('tier-rate-0').fill('5')
        await page.getByTestId('tier-add').click()
        await page.getByTestId('tier-from-1').fill('1000')
        await page.getByTestId('tier-rate-1').fill('8')
        await page.getByTestId('campaign-submit').click()
        await page.waitForURL((u) => /^\/campaigns\/[^/]+$/.test(u.pathname))
        campaignPath = new URL(page.url()).pathname
        await expectText(page.getByTestId('page-title'), campaignName)
        const tier = (from, rate) => L.campaigns.plan.tierDesc.replace('{{from}}', from).replace('{{rate}}', rate)
        await expectText(page.getByTestId('campaign-plan'), new RegExp(`${tier('US\\$0\\.00|\\$0\\.00', '5%').replace(/[()]/g, '\\$&')}`))
        await page.getByTestId('campaign-plan').getByText(/8%/).waitFor()
        await page.getByTestId('tab-plans-button').click()
        await page.getByTestId('plans-table').getByText('v1').waitFor()
      })

      await t.test('enrol the creator with an override rate', async () => {
        await page.getByTestId('tab-creators-button').click()
        await pickOption(page, 'enrol-creator', creator.display_name, true)
        await page.getByTestId('enrol-rate').fill('12')
        await page.getByTestId('enrol-submit').click()
        await page.getByTestId('enrolments-table').getByRole('link', { name: creator.display_name }).waitFor()
        await expectText(page.getByTestId(`enrolment-rate-${creator.id}`), '12%')
      })

      await t.test('add a post with metrics', async () => {
        await page.getByTestId('tab-posts-button').click()
        await page.getByTestId('post-add').click()
        await expectText(page.getByTestId('post-creator'), creator.display_name)
        await pickOption(page, 'post-account', `@mia.chen.${suffix}`)
        await page.getByTestId('post-url').fill(`https://www.tiktok.com/@mia.chen.${suffix}/video/1`)
        await page.getByTestId('post-views').fill('12000')
        await page.getByTestId('post-submit').click()
        const planned = page.getByTestId('posts-column-planned')
        await planned.getByTestId('post-card').getByText(creator.display_name).waitFor()
        await expectText(page.getByTestId('posts-count-planned'), '1')
        // Edit it: now posted.
        await planned.getByTestId('post-edit').click()
        await pickOption(page, 'post-status', L.campaigns.postStatus.posted)
        await page.getByTestId('post-submit').click()
        await expectText(page.getByTestId('posts-count-posted'), '1')
        await expectText(page.getByTestId('posts-count-planned'), '0')
      })

      await t.test('record a sample shipment', async () => {
        await page.getByTestId('tab-samples-button').click()
        await page.getByTestId('sample-add').click()
        await pickOption(page, 'sample-product', sku(2), true)
        await page.getByTestId('sample-quantity').fill('2')
        await page.getByTestId('sample-unit-cost').fill('3.5')
        await page.getByTestId('sample-carrier').fill('DHL')
        await page.getByTestId('sample-tracking').fill('JD0123456789')
        await page.getByTestId('sample-submit').click()
        const row = page.getByTestId('samples-table').locator('tr', { hasText: 'JD0123456789' })
        await row.getByText('DHL').waitFor()
        await expectText(row.getByTestId('sample-cost'), /\$7\.00/)
      })

      let code
      await t.test('create a tracking link; /r/<code> redirects to the destination', async () => {
        await page.getByTestId('tab-links-button').click()
        await pickOption(page, 'link-creator', creator.display_name)
        await page.getByTestId('link-destination').fill(destination)
        await page.getByTestId('link-submit').click()
        const short = page.getByTestId('links-table').getByTestId('link-short-url').first()
        await short.waitFor()
        code = await short.getAttribute('data-code')
        assert.ok(code, 'the link has a code')
        // As the server builds it (CARAVAN_PUBLIC_URL + /r/ + code), with a copy button and a QR code.
        await expectText(short, new RegExp(`^https?://[^/]+/r/${code}$`))
        await page.getByTestId('links-table').locator('.ant-typography-copy').first().waitFor()
        await page.getByTestId('link-qr-open').first().click()
        await page.getByTestId('link-qr').locator('img').waitFor()
        await page.keyboard.press('Escape')

        const res = await fetch(`${srv.baseURL}/r/${code}`, { redirect: 'manual' })
        assert.equal(res.status, 302)
        const to = new URL(res.headers.get('location'))
        assert.equal(`${to.origin}${to.pathname}`, 'https://shop.example.com/mugs')
        assert.equal(to.searchParams.get('ref'), suffix)
        assert.ok(to.searchParams.get('cv_click'), 'the redirect carries the click id')
      })

      await t.test('the click, the post and the sample cost show in the report', async () => {
        await page.getByTestId('tab-report-button').click()
        const deadline = Date.now() + TIMEOUT
        for (;;) {
          const clicks = (await page.getByTestId('report-total-clicks').textContent().catch(() => ''))?.trim()
          if (clicks === '1') break
          assert.ok(Date.now() < deadline, `the report shows ${clicks} clicks`)
          await new Promise((r) => setTimeout(r, 250))
          await page.getByTestId('report-refresh').click()
        }
        await expectText(page.getByTestId('report-total-posts'), '1 / 1')
        await expectText(page.getByTestId('report-total-samples'), /\$7\.00/)
        const line = page.getByTestId('report-creators').locator('tr', { hasText: creator.display_name })
        await expectText(line.getByTestId('report-clicks'), '1')
      })

      await t.test('the links page lists the link with its click', async () => {
        await page.getByTestId('nav-links').click()
        await waitPath(page, '/links')
        const row = page.getByTestId('links-page-table').locator('tr', { hasText: `/r/${code}` })
        await row.getByRole('link', { name: campaignName }).waitFor()
        await row.getByRole('link', { name: creator.display_name }).waitFor()
      })

      await t.test('phones: no horizontal overflow at 390 px', async () => {
        await page.setViewportSize({ width: 390, height: 844 })
        for (const tab of ['creators', 'posts', 'samples', 'links', 'report', 'plans']) {
          await page.goto(`${campaignPath}?tab=${tab}`)
          await page.getByTestId(`tab-${tab}`).waitFor()
          await noOverflow(page, `the ${tab} tab`)
        }
        await page.goto('/campaigns')
        await page.getByTestId('campaigns-table').getByText(campaignName).waitFor()
        await noOverflow(page, 'the campaigns list')
        await page.goto('/products')
        await page.getByTestId('products-table').getByText(sku(1)).waitFor()
        await noOverflow(page, 'the products list')
        await page.goto('/links')
        await page.getByTestId('links-page-table').getByText(`/r/${code}`).waitFor()
        await noOverflow(page, 'the links page')
      })

      assert.deepEqual(pageErrors, [], 'uncaught errors in the page')
    } catch (e) {
      console.error(`--- caravan output ---\n${srv.log()}`)
      await page
        .screenshot({ path: join(process.env.E2E_SHOTS ?? '/tmp', `caravan-e2e-campaigns-${suffix}.png`), fullPage: true })
        .catch(() => {})
      throw e
    } finally {
      await context.close()
    }
  })
}
