// End-to-end: the whole journey of a new seller, once in Chinese and once in English, each on its own
// fresh server (setup happens once per database). In the browser: the first-run setup page, signing
// out and in, importing two creators from a CSV written here (three accounts), a campaign with a 10 %
// plan, the creators enrolled, a tracking link per account and a promo code, an API key. Then a
// shopper clicks a link (/r/<code> followed to the shop with its click id) and the shop posts two
// orders through the API with that key: one with the promo code in last month, one with the click id
// today. Back in the browser: the commission on the dashboard and on the creator's page, the order
// approved, last month closed, and the commission workbook downloaded and read back.
//
//   CARAVAN_BIN=/tmp/caravan node --test e2e/journey.test.mjs
import { readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { en, expectCount as expectCountIn, expectText, launchBrowser, newContext, startServer, waitPath, zh } from './helpers.mjs'
import { readXlsx } from './xlsx.mjs'

const ZONE = 'Asia/Shanghai'

// The journey runs long on a busy machine (CI shares two cores with Go builds): every wait, for an
// element, a text or a page, allows twice the other tests' 15 s before calling it a failure.
const WAIT = 30_000
const see = (locator, expected) => expectText(locator, expected, WAIT)
const expectCount = (locator, n) => expectCountIn(locator, n, WAIT)

/** This month in the organization's zone (YYYY-MM), a month n from it, and the instant a month starts. */
function monthInZone(ms) {
  const p = Object.fromEntries(
    new Intl.DateTimeFormat('en-CA', { timeZone: ZONE, year: 'numeric', month: '2-digit' }).formatToParts(new Date(ms)).map((x) => [x.type, x.value]),
  )
  return `${p.year}-${p.month}`
}
function addMonths(period, n) {
  const i = Number(period.slice(0, 4)) * 12 + Number(period.slice(5, 7)) - 1 + n
  return `${Math.floor(i / 12)}-${String((i % 12) + 1).padStart(2, '0')}`
}
/** Asia/Shanghai has no daylight saving time: a month starts at 00:00+08:00. */
const monthStart = (period) => new Date(`${period}-01T00:00:00+08:00`)

/** The platforms' names, the same in both languages. */
const PLATFORMS = { tiktok: 'TikTok', youtube: 'YouTube', instagram: 'Instagram' }

const escapeRe = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
const fill = (template, params) => template.replace(/\{\{(\w+)\}\}/g, (_, k) => String(params[k]))

/** Opens an antd Select and clicks the option showing `text` (typing it first when `search`). */
async function pickOption(page, testid, text, search = false) {
  const select = page.getByTestId(testid)
  await select.click()
  if (search) await page.keyboard.type(text)
  const option = page.locator('.ant-select-dropdown:visible .ant-select-item-option', { hasText: text }).first()
  await option.waitFor()
  await option.click()
  // The dropdown has gone (its closing animation may outlive the click).
  await page.locator('.ant-select-dropdown:visible').waitFor({ state: 'hidden' })
}

/** The locale's data: the Chinese run writes a Chinese CSV and keeps CNY, the English one picks USD. */
const RUNS = [
  {
    locale: 'zh-CN',
    L: zh,
    org: '宁波明亮家居',
    currency: 'CNY',
    csv: (c) =>
      '显示名称,国家,平台,账号,粉丝数,标签\n' +
      `${c[0].name},美国,TikTok,@${c[0].accounts[0].handle},52000,家居\n` +
      `${c[0].name},美国,YouTube,@${c[0].accounts[1].handle},8000,家居\n` +
      `${c[1].name},英国,Instagram,@${c[1].accounts[0].handle},12000,\n`,
    workbookLang: '中文',
  },
  {
    locale: 'en-US',
    L: en,
    org: 'Ningbo Bright Home',
    currency: 'USD',
    csv: (c) =>
      'Display Name,Country,Platform,Handle,Followers,Tags\n' +
      `${c[0].name},United States,TikTok,@${c[0].accounts[0].handle},52000,home\n` +
      `${c[0].name},United States,YouTube,@${c[0].accounts[1].handle},8000,home\n` +
      `${c[1].name},United Kingdom,Instagram,@${c[1].accounts[0].handle},12000,\n`,
    workbookLang: 'English',
  },
]

for (const { locale, L, org, currency, csv, workbookLang } of RUNS) {
  test(`the whole journey (${locale}): setup → import → campaign, links → click → orders → dashboard → close → workbook`, async (t) => {
    const srv = await startServer()
    const browser = await launchBrowser()
    const context = await newContext(browser, { baseURL: srv.baseURL, locale, viewport: { width: 1440, height: 900 }, acceptDownloads: true }, WAIT)
    const page = await context.newPage()
    const errors = []
    page.on('pageerror', (e) => errors.push(e.message))

    const owner = { name: locale === 'zh-CN' ? '周敏' : 'Zhou Min', email: 'owner@example.com', password: 'correct horse battery' }
    const creators = [
      { name: locale === 'zh-CN' ? '林小雨' : 'Lin Xiaoyu', accounts: [{ platform: 'tiktok', handle: 'lin.xiaoyu' }, { platform: 'youtube', handle: 'lin.xiaoyu.yt' }] },
      { name: 'Jake Miller', accounts: [{ platform: 'instagram', handle: 'jake.miller' }] },
    ]
    const [lin, jake] = creators
    const campaignName = locale === 'zh-CN' ? '夏季马克杯' : 'Summer mugs'
    const promo = 'LIN10'
    const CURRENT = monthInZone(Date.now())
    const LAST = addMonths(CURRENT, -1)
    // An order two hours before this month began: always last month, and always within 90 days.
    const lastMonthAt = new Date(monthStart(CURRENT).getTime() - 2 * 3600_000).toISOString()
    const links = [] // { creator, account, code }
    let apiKey
    let clickID
    let orders // { promo, click }: the API's answers
    const money = (minor) => new RegExp(escapeRe((minor / 100).toFixed(2)))
    // Each step needs the ones before it: after a failure the rest are skipped, and the failure leaves
    // a screenshot and the server's last words.
    let failed = null
    const step = (name, fn) =>
      t.test(name, { skip: failed ? `after the failed step: ${failed}` : false }, async () => {
        try {
          await fn()
        } catch (e) {
          failed = name
          const shot = join(process.env.E2E_SHOTS ?? '/tmp', `caravan-e2e-journey-${locale}.png`)
          await page.screenshot({ path: shot, fullPage: true }).catch(() => {})
          console.error(`--- ${locale}: "${name}" failed on ${page.url()}; screenshot ${shot}; caravan output:\n${srv.log().slice(-3000)}`)
          throw e
        }
      })

    try {
      await step('the first paint: setup status and refresh side by side, no huge script', async () => {
        const events = []
        const scripts = new Map()
        const onRequest = (r) => events.push(`request ${new URL(r.url()).pathname}`)
        const onFinished = async (r) => {
          const path = new URL(r.url()).pathname
          events.push(`finished ${path}`)
          if (path.endsWith('.js')) scripts.set(path, (await r.sizes()).responseBodySize)
        }
        page.on('request', onRequest)
        page.on('requestfinished', onFinished)
        await page.goto('/')
        await page.getByTestId('setup-page').waitFor()
        await page.waitForLoadState('networkidle')
        page.off('request', onRequest)
        page.off('requestfinished', onFinished)
        const refresh = events.indexOf('request /api/v1/auth/refresh')
        assert.ok(refresh >= 0, `the silent refresh is tried: ${events.join(', ')}`)
        assert.ok(refresh < events.indexOf('finished /api/v1/setup'), `the refresh waits for the setup status: ${events.join(', ')}`)
        for (const [path, size] of scripts) assert.ok(size < 400_000, `${path} is ${size} bytes`)
        assert.ok(![...scripts.keys()].some((p) => /charts|zrender/.test(p)), `the charts load with the first paint: ${[...scripts.keys()]}`)
      })

      await step('the first visit sets up the organization on the setup page', async () => {
        await see(page.getByTestId('page-title'), L.setup.title)
        await page.getByTestId('setup-org-name').fill(org)
        if (currency !== 'CNY') await pickOption(page, 'setup-base-currency', currency, true)
        await page.getByTestId('setup-name').fill(owner.name)
        await page.getByTestId('setup-email').fill(owner.email)
        await page.getByTestId('setup-password').fill(owner.password)
        await page.getByTestId('setup-password-confirm').fill(owner.password)
        await page.getByTestId('setup-submit').click()
        await waitPath(page, '/dashboard', WAIT)
        await see(page.getByTestId('dashboard-org-name'), org)
        await see(page.getByTestId('dashboard-currency'), new RegExp(`^${currency}`))
      })

      await step('sign out, then sign in again', async () => {
        await page.getByTestId('logout-button').click()
        await waitPath(page, '/login', WAIT)
        await page.getByTestId('login-email').fill(owner.email)
        await page.getByTestId('login-password').fill(owner.password)
        await page.getByTestId('login-submit').click()
        await waitPath(page, '/dashboard', WAIT)
        await see(page.getByTestId('header-org-name'), org)
        // The header keeps the user's name on the line of the role tag (it once sank to the bottom).
        const name = await page.getByTestId('header-user-name').boundingBox()
        const role = await page.getByTestId('header-role').boundingBox()
        const middle = (b) => b.y + b.height / 2
        assert.ok(Math.abs(middle(name) - middle(role)) <= 4, `the name's middle is at ${middle(name)}, the role's at ${middle(role)}`)
      })

      await step('import the creators from a CSV: check, then import', async () => {
        const file = join(srv.dir, `creators-${locale}.csv`)
        await writeFile(file, csv(creators))
        await page.getByTestId('nav-creators').click()
        await waitPath(page, '/creators', WAIT)
        await page.getByTestId('creators-import').click()
        await page.locator('.ant-modal input[type=file]').setInputFiles(file)
        await page.getByTestId('import-check').click()
        await page.getByTestId('import-dry-result').waitFor()
        await see(page.getByTestId('import-created'), '2')
        await see(page.getByTestId('import-rows'), '3')
        await page.getByTestId('import-run').click()
        await page.getByTestId('import-done').waitFor()
        await see(page.getByTestId('import-created'), '2')
        await page.getByTestId('import-close').click()
        await page.locator('.ant-modal:visible').waitFor({ state: 'hidden' })
        await see(page.getByTestId('creators-total'), fill(L.common.total, { count: 2 }))
        for (const c of creators) {
          const link = page.getByTestId('creators-table').getByRole('link', { name: c.name, exact: true })
          await link.waitFor()
          c.id = (await link.getAttribute('href')).split('/').pop()
        }
        const row = page.getByTestId(`creator-row-${lin.id}`)
        await row.getByTestId('platform-tag-tiktok').waitFor()
        await row.getByTestId('platform-tag-youtube').waitFor()
      })

      let campaignPath
      await step('create an active campaign with a 10 % plan that started two months ago', async () => {
        await page.getByTestId('nav-campaigns').click()
        await waitPath(page, '/campaigns', WAIT)
        await page.getByTestId('campaigns-create').click()
        await page.getByTestId('campaign-name').fill(campaignName)
        await pickOption(page, 'campaign-status', L.campaigns.statuses.active)
        await page.getByTestId('campaign-starts-on').fill(`${addMonths(CURRENT, -2)}-01`)
        await page.getByTestId('plan-rate').fill('10')
        await page.getByTestId('campaign-submit').click()
        await page.waitForURL((u) => /^\/campaigns\/[^/]+$/.test(u.pathname), { timeout: WAIT })
        campaignPath = new URL(page.url()).pathname
        await see(page.getByTestId('page-title'), campaignName)
        await page.getByTestId('campaign-plan').getByText(/10%/).waitFor()
      })

      await step('enrol both creators', async () => {
        await page.getByTestId('tab-creators-button').click()
        await page.getByTestId('tab-creators').waitFor()
        for (const c of creators) {
          await pickOption(page, 'enrol-creator', c.name, true)
          await page.getByTestId('enrol-submit').click()
          await page.getByTestId('enrolments-table').getByRole('link', { name: c.name, exact: true }).waitFor()
        }
      })

      await step('a tracking link for each account, and a promo code', async () => {
        await page.getByTestId('tab-links-button').click()
        await page.getByTestId('tab-links').waitFor()
        const table = page.getByTestId('links-table')
        for (const c of creators) {
          for (const a of c.accounts) {
            await pickOption(page, 'link-creator', c.name)
            // Accounts as sellers name them: "TikTok @handle", not the platform's key.
            await pickOption(page, 'link-account', `${PLATFORMS[a.platform]} @${a.handle}`)
            await page.getByTestId('link-destination').fill(`${srv.baseURL}/shop/mug?from=${a.platform}`)
            await page.getByTestId('link-submit').click()
            // The new link's row names the account; the form is ready for the next.
            const row = table.locator('tr', { hasText: `${PLATFORMS[a.platform]} @${a.handle}` }).filter({ has: page.getByTestId('link-short-url') })
            await row.waitFor()
            const code = await row.getByTestId('link-short-url').getAttribute('data-code')
            assert.ok(code, `the link of @${a.handle} has a code`)
            links.push({ creator: c, account: a, code })
          }
        }
        await expectCount(table.getByTestId('link-short-url'), 3)
        assert.equal(new Set(links.map((l) => l.code)).size, 3, 'each account has its own code')

        await pickOption(page, 'code-creator', lin.name)
        await page.getByTestId('code-input').fill(promo)
        await page.getByTestId('code-submit').click()
        await page.getByTestId('codes-table').getByText(promo, { exact: true }).waitFor()
      })

      await step('an API key is created in the settings and shown once', async () => {
        await page.getByTestId('nav-settings').click()
        await page.getByTestId('nav-apiKeys').click()
        await waitPath(page, '/settings/api-keys', WAIT)
        await page.getByTestId('api-keys-create').click()
        await page.getByTestId('api-key-name').fill('Shop')
        await page.getByTestId('api-key-submit').click()
        // A textarea: its text is its value.
        const value = page.getByTestId('api-key-value')
        const deadline = Date.now() + WAIT
        while (!apiKey && Date.now() < deadline) {
          apiKey = (await value.inputValue().catch(() => '')).trim()
          if (!apiKey) await new Promise((r) => setTimeout(r, 100))
        }
        assert.ok(apiKey, 'the new key is shown')
        await page.getByTestId('api-key-close').click()
        await page.getByTestId('api-keys-table').getByText('Shop', { exact: true }).waitFor()
      })

      await step('a shopper clicks the TikTok link: /r/<code> leads to the shop with a click id', async () => {
        const link = links.find((l) => l.account.platform === 'tiktok')
        const res = await fetch(`${srv.baseURL}/r/${link.code}`, { redirect: 'manual' })
        assert.equal(res.status, 302, await res.text())
        const to = new URL(res.headers.get('location'))
        assert.equal(`${to.origin}${to.pathname}`, `${srv.baseURL}/shop/mug`)
        assert.equal(to.searchParams.get('from'), 'tiktok')
        clickID = to.searchParams.get('cv_click')
        assert.ok(clickID, 'the redirect carries the click id')
        // Followed, the shop's page answers.
        const landing = await fetch(to)
        assert.equal(landing.status, 200)
      })

      await step('the shop posts two orders with the API key: the promo code (last month), the click id (today)', async () => {
        const post = async (body) => {
          const res = await fetch(`${srv.baseURL}/api/v1/conversions`, {
            method: 'POST',
            headers: { 'Content-Type': 'application/json', 'X-API-Key': apiKey },
            body: JSON.stringify(body),
          })
          const text = await res.text()
          assert.equal(res.status, 201, text)
          return JSON.parse(text)
        }
        orders = {
          promo: await post({ external_id: 'SO-1001', occurred_at: lastMonthAt, currency, amount_minor: 20000, promo_code: promo.toLowerCase() }),
        }
        // The click is written in batches: the order finds it once it has been flushed, so the
        // shop's retry (same external id) is what a real shop would do too.
        const deadline = Date.now() + WAIT
        for (;;) {
          const body = { external_id: `SO-1002-${Date.now()}`, occurred_at: new Date().toISOString(), currency, amount_minor: 10000, click_id: clickID }
          orders.click = await post(body)
          if (orders.click.creator_id) break
          assert.ok(Date.now() < deadline, `the click id order stayed unattributed: ${JSON.stringify(orders.click)}`)
          await new Promise((r) => setTimeout(r, 500))
        }
        assert.equal(orders.promo.creator_id, lin.id)
        assert.equal(orders.promo.rule, 'promo_code')
        assert.equal(orders.click.creator_id, lin.id)
        assert.equal(orders.click.rule, 'click')
        assert.equal(orders.click.account_id !== null, true)
        const commission = (o) => o.entries.filter((e) => e.kind === 'commission').reduce((s, e) => s + e.amount_minor, 0)
        assert.equal(commission(orders.promo), 2000)
        assert.equal(commission(orders.click), 1000)
      })

      await step('the dashboard shows the commission and the creator on top', async () => {
        await page.getByTestId('nav-dashboard').click()
        await waitPath(page, '/dashboard', WAIT)
        await page.getByTestId('range-90').click()
        await page.waitForURL((u) => u.pathname === '/dashboard' && [...u.searchParams.values()].some((v) => v.includes('90')))
        await see(page.getByTestId('kpi-commission-value'), money(3000))
        await see(page.getByTestId('kpi-gmv-value'), money(30000))
        await see(page.getByTestId('kpi-conversions-value'), '2')
        await see(page.getByTestId('kpi-clicks-value'), '1')
        await see(page.getByTestId('kpi-pending-value'), '2')
        const top = page.getByTestId(`dashboard-creators-row-${lin.id}`)
        await see(top.getByTestId('top-creator-link'), lin.name)
      })

      await step("the creator's page shows the commission of both orders", async () => {
        await page.getByTestId(`dashboard-creators-row-${lin.id}`).getByTestId('top-creator-link').click()
        await waitPath(page, `/creators/${lin.id}`, WAIT)
        await see(page.getByTestId('page-title'), lin.name)
        const card = page.getByTestId('creator-commission')
        await see(card.getByTestId('creator-commission-total'), money(3000))
        await expectCount(card.getByTestId('creator-commission-row'), 2)
        await see(card.getByTestId('creator-commission-row').filter({ hasText: LAST }).getByTestId('commission-amount'), money(2000))
        await see(card.getByTestId('creator-commission-row').filter({ hasText: CURRENT }).getByTestId('commission-amount'), money(1000))
        // The other creator has earned nothing yet, and the page says so.
        await page.getByTestId('nav-creators').click()
        await waitPath(page, '/creators', WAIT)
        await page.getByTestId('creators-table').getByRole('link', { name: jake.name, exact: true }).click()
        await waitPath(page, `/creators/${jake.id}`, WAIT)
        await see(page.getByTestId('page-title'), jake.name)
        await page.getByTestId('creator-commission').getByTestId('creator-commission-empty').waitFor()
      })

      await step("finance's part: approve last month's order and close the month", async () => {
        await page.getByTestId('nav-orders').click()
        await waitPath(page, '/orders', WAIT)
        const row = page.getByTestId('orders-table').getByTestId('order-row-SO-1001')
        await row.getByTestId('order-open').click()
        await see(page.getByTestId('order-drawer-title'), 'SO-1001')
        const drawer = page.getByTestId('order-drawer-body')
        await drawer.getByTestId('order-approve').click()
        await page.getByTestId('order-drawer-head').getByTestId('order-status-approved').waitFor()
        await page.locator('.ant-drawer-close:visible').click()
        await drawer.waitFor({ state: 'detached' })
        await row.getByTestId('order-status-approved').waitFor()

        await page.getByTestId('nav-payouts').click()
        await waitPath(page, '/payouts', WAIT)
        const periodRow = page.getByTestId('periods-table').getByTestId(`period-row-${LAST}`)
        await see(periodRow.getByTestId('period-status-open'), L.periods.statuses.open)
        await periodRow.getByTestId('period-close').click()
        await page.getByTestId('period-close-dialog').waitFor()
        await page.getByTestId('period-close-confirm').click()
        await see(periodRow.getByTestId('period-status-closed'), L.periods.statuses.closed)
      })

      await step('the commission workbook of the closed month downloads and reads back', async () => {
        await page.getByTestId('nav-reports').click()
        await waitPath(page, '/reports', WAIT)
        await pickOption(page, 'statements-period', LAST, true)
        await page.getByTestId('statements-range').getByTestId('period-status-closed').waitFor()
        const line = page.getByTestId('statements-table').getByTestId(`statement-row-${lin.id}-${currency}`)
        await see(line.getByTestId('statement-commission'), money(2000))
        await pickOption(page, 'workbook-lang', workbookLang)
        const [dl] = await Promise.all([page.waitForEvent('download'), page.getByTestId('workbook-download').click()])
        assert.equal(await dl.failure(), null)
        assert.match(dl.suggestedFilename(), new RegExp(`${LAST}.*\\.xlsx$`))
        const book = readXlsx(await readFile(await dl.path()))
        assert.ok(book.sheets.length >= 5, `sheets: ${book.sheets.map((s) => s.name)}`)
        assert.match(book.props.title ?? '', new RegExp(LAST), 'the document title names the month')
        assert.equal(book.props.subject, org)
        // Some sheet lists the order with its commission; another sums it up for the creator.
        const rowsWith = (needle) =>
          book.sheets.flatMap((s) => s.rows.filter((r) => r.some((v) => String(v ?? '').includes(needle))).map((r) => ({ sheet: s.name, row: r })))
        const entry = rowsWith('SO-1001')
        assert.equal(entry.length, 1, `the order appears once: ${JSON.stringify(entry)}`)
        assert.ok(entry[0].row.includes(lin.name), `the entry names the creator: ${JSON.stringify(entry[0].row)}`)
        assert.ok(entry[0].row.some((v) => v === 20 || v === '20.00'), `the entry has its commission: ${JSON.stringify(entry[0].row)}`)
        assert.equal(rowsWith('SO-1002').length, 0, "this month's order is not in last month's workbook")
        const summary = rowsWith(lin.name).filter((r) => r.sheet !== entry[0].sheet)
        assert.ok(summary.some((r) => r.row.some((v) => v === 20 || v === '20.00')), `a summary of the creator: ${JSON.stringify(summary)}`)
        const names = book.sheets.map((s) => s.name).join(' ')
        if (locale === 'zh-CN') assert.match(names, /[\u4e00-\u9fff]/, `Chinese sheet names: ${names}`)
        else assert.doesNotMatch(names, /[\u4e00-\u9fff]/, `English sheet names: ${names}`)
      })

      assert.deepEqual(errors, [], 'uncaught errors in the page')
    } finally {
      await context.close().catch(() => {})
      await browser.close().catch(() => {})
      await srv.stop()
    }
  })
}
