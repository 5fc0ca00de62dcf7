// End-to-end: the month-end of finance, in Chinese and in English. Through the API: two creators with
// PayPal payout details, a campaign with a 10 % plan, an approved order of 100.00 USD for each in a
// past month (the server runs on the real clock: last month for the Chinese run, the month before
// for the English one). In the browser, as the finance user: close the month (with the confirmation
// that says what locking means), read its statement, record an adjustment (refused in the closed month
// with the translated 409, accepted in the current one), create the payout batch, mark one payout
// paid, meet the translated 409 on the payout a colleague paid meanwhile, download the payout CSV
// (its text is checked) and the commission workbook (a zip by its first bytes, with progress), read
// the audit log's entries with their before/after, and check the pages at 390 px.
//
//   CARAVAN_BIN=/tmp/caravan node --test e2e/finance.test.mjs
import { readFile } from 'node:fs/promises'
import { after, before, test } from 'node:test'
import assert from 'node:assert/strict'
import { en, expandRow, expectCount, expectText, launchBrowser, logIn, newContext, setUp, startServer, waitPath, zh } from './helpers.mjs'

let srv
let browser
let token

const ZONE = 'Asia/Shanghai'
const owner = { name: 'Zhou Min', email: 'owner@example.com', password: 'correct horse battery' }
const finance = { name: 'Finance Fang', email: 'finance@example.com', password: 'finance horse battery', role: 'finance' }

async function call(method, path, body, headers = {}) {
  const res = await fetch(`${srv.baseURL}${path}`, {
    method,
    headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${token}`, ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  })
  const text = await res.text()
  return { status: res.status, body: text ? JSON.parse(text) : undefined, text }
}

async function api(method, path, body, headers) {
  const res = await call(method, path, body, headers)
  assert.ok(res.status >= 200 && res.status < 300, `${method} ${path}: ${res.status} ${res.text}`)
  return res.body
}

/** This month in the organization's zone, as YYYY-MM, and a month n months from it. */
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
const CURRENT = monthInZone(Date.now())

before(async () => {
  srv = await startServer()
  browser = await launchBrowser()
  token = await setUp(srv.baseURL, { org_name: 'Ningbo Bright Home', base_currency: 'CNY', timezone: ZONE }, owner)
  await api('POST', '/api/v1/users', finance)
  await api('PUT', '/api/v1/fx-rates', { on: '2025-01-01', currency: 'USD', base_currency: 'CNY', rate: '7.1' })
})

after(async () => {
  await browser?.close().catch(() => {})
  await srv?.stop()
})

const escapeRe = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')

/** A locale's sentence with its {{params}} filled in. */
const fill = (template, params) => template.replace(/\{\{(\w+)\}\}/g, (_, k) => String(params[k]))

async function pickOption(page, testid, text, search = false) {
  await page.getByTestId(testid).click()
  if (search) await page.keyboard.type(text)
  await page.locator('.ant-select-dropdown:visible .ant-select-item-option', { hasText: text }).first().click()
}

async function signIn(user, locale, width = 1440) {
  const context = await newContext(browser, { baseURL: srv.baseURL, locale, viewport: { width, height: 900 }, acceptDownloads: true })
  const page = await context.newPage()
  const errors = []
  page.on('pageerror', (e) => errors.push(e.message))
  await logIn(page, user)
  return { context, page, errors }
}

/** Clicks the button and answers the download it starts: its file name and bytes. */
async function download(page, click) {
  const [dl] = await Promise.all([
    page.waitForEvent('download').catch(async (e) => {
      // Say why: the message the page showed (a translated API error) and the server's log.
      const shown = await page.locator('.ant-message-notice').allTextContents().catch(() => [])
      throw new Error(`${e.message}\npage said: ${JSON.stringify(shown)}\nserver log:\n${srv.log().slice(-2000)}`)
    }),
    click(),
  ])
  const failure = await dl.failure()
  assert.equal(failure, null, `download failed: ${failure}`)
  return { name: dl.suggestedFilename(), bytes: await readFile(await dl.path()) }
}

/** The page's content area does not scroll sideways: wide tables scroll inside their card. */
async function noOverflow(page, what) {
  const overflow = await page.evaluate(() => {
    const content = document.querySelector('.ant-layout-content')
    return content.scrollWidth - content.clientWidth
  })
  assert.equal(overflow, 0, `${what} overflows the phone's width by ${overflow}px`)
}

for (const [locale, L, suffix, month] of [
  ['zh-CN', zh, 'zh', addMonths(CURRENT, -1)],
  ['en-US', en, 'en', addMonths(CURRENT, -2)],
]) {
  test(`finance month-end (${locale}): close ${month}, statement, adjustment, payouts, files, workbook, audit log`, async (t) => {
    // --- data through the API: two creators, each with an approved 100.00 USD order in `month` ---
    const campaign = await api('POST', '/api/v1/campaigns', {
      name: `Winter tea ${suffix}`,
      status: 'active',
      starts_on: '2025-01-01',
      plan: { type: 'percent', rate_bps: 1000 },
    })
    const creators = []
    for (const name of ['Luna', 'Mia']) {
      const handle = `${name.toLowerCase()}.${suffix}`
      const c = await api('POST', '/api/v1/creators', {
        display_name: `${name} Park ${suffix}`,
        country: 'US',
        email: `${handle}@example.com`,
        payout_currency: 'USD',
        payout_method: 'paypal',
        payout_account: `${handle}@example.com`,
        accounts: [{ platform: 'tiktok', handle }],
      })
      await api('POST', `/api/v1/campaigns/${campaign.id}/creators`, { creator_id: c.id })
      const code = `${name.toUpperCase()}10${suffix.toUpperCase()}`
      await api('POST', '/api/v1/promo-codes', { code, creator_id: c.id, campaign_id: campaign.id })
      const order = await api('POST', '/api/v1/conversions', {
        external_id: `SO-${suffix}-${name}`,
        occurred_at: `${month}-15T04:00:00Z`,
        currency: 'USD',
        amount_minor: 10000,
        promo_code: code,
      })
      assert.equal(order.creator_id, c.id)
      const approved = await api('POST', `/api/v1/conversions/${order.id}/approve`, undefined, { 'If-Match': `"${order.version}"` })
      assert.equal(approved.status, 'approved')
      creators.push(c)
    }
    const [luna, mia] = creators
    const periods = await api('GET', '/api/v1/periods')
    assert.equal(periods.current, CURRENT)
    assert.equal(periods.items.find((p) => p.period === month)?.status, 'open')

    const { context, page, errors } = await signIn(finance, locale)
    const periodRow = page.getByTestId('periods-table').getByTestId(`period-row-${month}`)
    try {
      await t.test('finance opens the periods and closes the month after a confirmation', async () => {
        await waitPath(page, '/commissions')
        await page.getByTestId('nav-payouts').click()
        await waitPath(page, '/payouts')
        await expectText(page.getByTestId('page-title'), L.nav.payouts)
        await expectText(periodRow.getByTestId('period-status-open'), L.periods.statuses.open)
        await expectText(periodRow.getByTestId('period-entries'), '2')
        // The current month cannot be closed: it says so instead of offering the button.
        const currentRow = page.getByTestId('periods-table').getByTestId(`period-row-${CURRENT}`)
        await expectText(currentRow, new RegExp(L.periods.notEnded))
        assert.equal(await currentRow.getByTestId('period-close').count(), 0)

        await periodRow.getByTestId('period-close').click()
        const dialog = page.getByTestId('period-close-dialog')
        await expectText(dialog, new RegExp(escapeRe(fill(L.periods.closeMeans.lockEntries, { period: month }))))
        await expectText(dialog, new RegExp(addMonths(month, 1)))
        // Cancel first: nothing happens.
        await page.getByTestId('period-close-cancel').click()
        await dialog.waitFor({ state: 'detached' })
        await expectText(periodRow.getByTestId('period-status-open'), L.periods.statuses.open)

        await periodRow.getByTestId('period-close').click()
        await page.getByTestId('period-close-confirm').click()
        await expectText(periodRow.getByTestId('period-status-closed'), L.periods.statuses.closed)
        assert.equal(await periodRow.getByTestId('period-close').count(), 0)
        // Finance does not reopen: that is for owners.
        assert.equal(await periodRow.getByTestId('period-reopen').count(), 0)
        const after = await api('GET', '/api/v1/periods')
        assert.equal(after.items.find((p) => p.period === month)?.status, 'closed')
      })

      await t.test('the statement of the closed month shows each creator and the totals', async () => {
        await periodRow.getByTestId('period-statements').click()
        await page.waitForURL((u) => u.pathname === '/reports' && u.searchParams.get('period') === month)
        await expectText(page.getByTestId('page-title'), L.nav.reports)
        await page.getByTestId('statements-range').getByTestId('period-status-closed').waitFor()
        const row = page.getByTestId('statements-table').getByTestId(`statement-row-${luna.id}-USD`)
        await expectText(row.getByTestId('statement-creator'), luna.display_name)
        await expectText(row.getByTestId('statement-gmv'), /100\.00/)
        await expectText(row.getByTestId('statement-commission'), /10\.00/)
        await expectText(row.getByTestId('statement-payable'), /10\.00/)
        await expectText(row.getByTestId('statement-pending'), /0\.00/)
        await expectText(row.getByTestId('statement-base-payable'), /71\.00/)
        const total = page.getByTestId('statement-total-USD')
        await expectText(total.getByTestId('statement-total-payable'), /20\.00/)
        await expectText(total.getByTestId('statement-total-commission'), /20\.00/)
        await expectText(page.getByTestId('statement-base-total-amount'), /142\.00/)
        assert.equal(await page.getByTestId('statements-open-warning').count(), 0)
      })

      await t.test('an adjustment into the closed month is refused (409, translated); into this month it is recorded', async () => {
        await page.getByTestId('nav-payouts').click()
        await waitPath(page, '/payouts')
        await page.getByTestId('tab-adjustments-button').click()
        await page.waitForURL((u) => u.searchParams.get('tab') === 'adjustments')
        await pickOption(page, 'adjustment-creator', luna.display_name, true)
        await page.getByTestId('adjustment-amount').fill('5.25')
        await page.getByTestId('adjustment-reason').fill(`Livestream bonus ${suffix}`)
        await page.getByTestId('adjustment-period').fill(month)
        await page.getByTestId('adjustment-submit').click()
        await expectText(page.getByTestId('adjustment-error'), fill(L.errors.period_closed, { period: month }))

        await page.getByTestId('adjustment-period').fill(CURRENT)
        await page.getByTestId('adjustment-submit').click()
        const row = page.getByTestId('adjustments-table').getByTestId('adjustment-row').filter({ hasText: luna.display_name })
        await expectText(row.getByTestId('adjustment-row-amount'), /5\.25/)
        await expectText(row.getByTestId('adjustment-row-period'), CURRENT)
        await expectCount(page.getByTestId('adjustment-error'), 0)
        const entries = await api('GET', `/api/v1/commissions?kind=adjustment&creator_id=${luna.id}`)
        assert.equal(entries.items.length, 1)
        assert.equal(entries.items[0].amount_minor, 525)
        assert.equal(entries.items[0].currency, 'USD')
        assert.equal(entries.items[0].period, CURRENT)
      })

      await t.test('a payout batch is created for the closed month', async () => {
        await page.goto(`/payouts?tab=batches&period=${month}`)
        await page.getByTestId('payout-batch-card').waitFor()
        await page.getByTestId('payout-batch-create').click()
        await expectText(page.getByTestId('payout-batch-result'), new RegExp(fill(L.payouts.created, { count: 2, period: month })))
        for (const c of creators) {
          const row = page.getByTestId('payouts-table').getByTestId(`payout-row-${c.id}-USD`)
          await expectText(row.getByTestId('payout-amount'), /10\.00/)
          await expectText(row.getByTestId('payout-status-pending'), L.payouts.statuses.pending)
        }
        await expectText(page.getByTestId('payouts-total'), fill(L.common.total, { count: 2 }))
      })

      await t.test('a payout is marked paid with its reference; one paid meanwhile answers a clear 409', async () => {
        const lunaRow = page.getByTestId('payouts-table').getByTestId(`payout-row-${luna.id}-USD`)
        await lunaRow.getByTestId('payout-mark-paid').click()
        await expectText(page.getByTestId('payout-paid-summary'), new RegExp(luna.display_name))
        const reference = `PAYPAL-${suffix}-0001`
        await page.getByTestId('payout-paid-reference').fill(reference)
        await page.getByTestId('payout-paid-submit').click()
        await expectText(lunaRow.getByTestId('payout-status-paid'), L.payouts.statuses.paid)
        await expectText(lunaRow.getByTestId('payout-reference'), reference)

        // A colleague pays Mia's payout while this page still shows it as to pay.
        const miaPayout = (await api('GET', `/api/v1/payouts?period=${month}&creator_id=${mia.id}`)).items[0]
        const paidOn = `${CURRENT}-01`
        await api('POST', `/api/v1/payouts/${miaPayout.id}/paid`, { reference: `WISE-${suffix}-7`, paid_on: paidOn })
        const miaRow = page.getByTestId('payouts-table').getByTestId(`payout-row-${mia.id}-USD`)
        await miaRow.getByTestId('payout-mark-paid').click()
        await expectText(page.getByTestId('payout-paid-summary'), new RegExp(mia.display_name))
        await page.getByTestId('payout-paid-reference').fill(`PAYPAL-${suffix}-0002`)
        await page.getByTestId('payout-paid-submit').click()
        await expectText(page.getByTestId('payout-paid-error'), fill(L.errors.payout_paid, { paid_on: paidOn, reference: `WISE-${suffix}-7` }))
        await page.keyboard.press('Escape')
        await expectText(miaRow.getByTestId('payout-status-paid'), L.payouts.statuses.paid)
        // The conversions are paid now.
        const orders = await api('GET', `/api/v1/conversions?creator_id=${luna.id}`)
        assert.equal(orders.items[0].status, 'paid')
      })

      await t.test('the payout CSV downloads with both payouts', async () => {
        await pickOption(page, 'payout-file-format', L.payouts.formats.csv)
        await pickOption(page, 'payout-file-status', L.payouts.fileStatuses.all)
        const { name, bytes } = await download(page, () => page.getByTestId('payout-file-download').click())
        assert.equal(name, `payouts-${month}.csv`)
        const text = bytes.toString('utf8')
        const lines = text.trim().split(/\r?\n/)
        assert.match(lines[0], /^Payout ID,Creator,Country,Method,Account/)
        assert.equal(lines.length, 3, text)
        const lunaLine = lines.find((l) => l.includes(luna.display_name))
        assert.ok(lunaLine, text)
        assert.match(lunaLine, new RegExp(`paypal,luna\\.${suffix}@example\\.com`))
        assert.match(lunaLine, /,USD,10\.00,/)
        assert.match(lunaLine, new RegExp(`,paid,[0-9-]+,PAYPAL-${suffix}-0001,${luna.id}$`))
      })

      await t.test('the commission workbook downloads in the chosen language as an .xlsx (zip)', async () => {
        await page.getByTestId('nav-reports').click()
        await waitPath(page, '/reports')
        await pickOption(page, 'statements-period', month, true)
        await page.getByTestId('statements-range').getByTestId('period-status-closed').waitFor()
        await page.getByTestId('statements-table').getByTestId(`statement-row-${luna.id}-USD`).waitFor()
        await pickOption(page, 'workbook-lang', locale === 'zh-CN' ? '中文' : 'English')
        const { name, bytes } = await download(page, () => page.getByTestId('workbook-download').click())
        assert.match(name, /\.xlsx$/)
        assert.deepEqual([...bytes.subarray(0, 4)], [0x50, 0x4b, 0x03, 0x04], `${name} is not a zip: ${bytes.subarray(0, 64).toString()}`)
        assert.ok(bytes.length > 2000, `${name} has only ${bytes.length} bytes`)
        // The creator's own statement workbook, in English by default.
        const row = page.getByTestId('statements-table').getByTestId(`statement-row-${luna.id}-USD`)
        const statement = await download(page, () => row.getByTestId('statement-download').click())
        assert.deepEqual([...statement.bytes.subarray(0, 4)], [0x50, 0x4b, 0x03, 0x04], `${statement.name} is not a zip`)
      })

      await t.test('the audit log lists the close, the adjustment, the batch and the payments with before/after', async () => {
        await page.getByTestId('nav-audit').click()
        await waitPath(page, '/audit-log')
        await expectText(page.getByTestId('page-title'), L.nav.audit)
        const table = page.getByTestId('audit-table')
        for (const action of ['period.close', 'adjustment.create', 'payout.batch', 'payout.paid']) {
          await expectText(table.getByTestId(`audit-row-${action}`).first().getByTestId('audit-action'), L.audit.actions[action.replace('.', '_')])
        }
        await expectText(table.getByTestId('audit-row-period.close').first().getByTestId('audit-who'), fill(L.audit.you, { name: finance.name }))
        // Only the payments; the one paid in the browser shows its before and after.
        await pickOption(page, 'audit-action-filter', 'payout.paid', true)
        await page.waitForURL((u) => u.searchParams.get('action') === 'payout.paid')
        await expectText(page.getByTestId('audit-total'), fill(L.common.total, { count: locale === 'zh-CN' ? 2 : 4 }))
        await expectCount(table.getByTestId('audit-row-period.close'), 0)
        const lunaPaid = table.locator('[data-testid="audit-row-payout.paid"]', { hasText: `PAYPAL-${suffix}-0001` })
        const details = page.getByTestId('audit-details')
        await expandRow(lunaPaid, details)
        await expectText(details.getByTestId('audit-before'), 'pending')
        await expectText(details.getByTestId('audit-after'), 'paid')
        // Filter by the object: the period's entries.
        await page.getByTestId('audit-clear-filters').click()
        await page.waitForURL((u) => u.pathname === '/audit-log' && u.search === '')
        await page.getByTestId('audit-target-filter').locator('input').fill(month)
        await page.getByTestId('audit-target-filter').locator('input').press('Enter')
        await page.waitForURL((u) => u.searchParams.get('target_id') === month)
        await expectCount(table.getByTestId('audit-target'), 2)
        await expectText(table.getByTestId('audit-row-period.close').getByTestId('audit-target'), new RegExp(`${month}$`))
        await expectText(table.getByTestId('audit-row-payout.batch').getByTestId('audit-target'), new RegExp(`${month}$`))
      })

      await t.test('the finance pages fit a 390 px phone', async () => {
        await page.setViewportSize({ width: 390, height: 844 })
        for (const route of [`/payouts`, `/payouts?tab=batches&period=${month}`, '/payouts?tab=adjustments', `/reports?period=${month}`, '/audit-log']) {
          await page.goto(route)
          await page.getByTestId('page-title').waitFor()
          await page.waitForLoadState('networkidle')
          await noOverflow(page, route)
        }
      })

      assert.deepEqual(errors, [])
    } finally {
      await context.close()
    }
  })
}

test('owners reopen a closed month with a reason; the audit log keeps it', async () => {
  const month = addMonths(CURRENT, -1) // closed by the Chinese run
  const { context, page, errors } = await signIn(owner, 'en-US')
  try {
    await waitPath(page, '/dashboard')
    await page.goto('/payouts')
    const row = page.getByTestId('periods-table').getByTestId(`period-row-${month}`)
    await row.getByTestId('period-reopen').click()
    await page.getByTestId('period-reopen-confirm').click()
    await expectText(page.locator('.ant-form-item-explain-error').first(), en.periods.reasonRequired)
    await page.getByTestId('period-reopen-reason').fill('Late supplier invoice')
    await page.getByTestId('period-reopen-confirm').click()
    await expectText(row.getByTestId('period-status-open'), en.periods.statuses.open)
    const log = await api('GET', `/api/v1/audit-log?action=period.reopen&target_id=${month}`)
    assert.equal(log.items.length, 1)
    assert.equal(log.items[0].details.reason, 'Late supplier invoice')
    assert.deepEqual(errors, [])
  } finally {
    await context.close()
  }
})
