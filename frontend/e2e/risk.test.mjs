// End-to-end: the platform risk where people work. A platform marked at risk in a creator's country
// shows on their account chips, in their header and in the list, and the list's exposed filter
// narrows to them — on a laptop and on a phone.
//
//   CARAVAN_BIN=/tmp/caravan npm run e2e
import { after, before, test } from 'node:test'
import assert from 'node:assert/strict'
import { expectText, launchBrowser, logIn, newContext, setUp, startServer, waitPath, zh } from './helpers.mjs'

let srv
let browser
let token
let ann
let cat

const owner = { name: 'He Ping', email: 'owner@example.com', password: 'correct horse battery' }

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
  token = await setUp(srv.baseURL, { org_name: 'Xiamen Tea', base_currency: 'USD', timezone: 'Asia/Shanghai' }, owner)
  ann = await api('POST', '/api/v1/creators', {
    display_name: 'Ann Lee',
    country: 'US',
    accounts: [{ platform: 'tiktok', handle: 'ann.lee' }, { platform: 'youtube', handle: 'annlee' }],
  })
  cat = await api('POST', '/api/v1/creators', { display_name: 'Cat Moss', country: 'GB', accounts: [{ platform: 'tiktok', handle: 'cat.moss' }] })
  await api('PUT', '/api/v1/platforms/tiktok/risk', { country: 'US', level: 'at_risk' })
})

after(async () => {
  await browser?.close().catch(() => {})
  await srv?.stop()
})

for (const width of [1440, 390]) {
  test(`risk (zh-CN, ${width} px): tags on the exposed creator, the exposed filter`, async () => {
    const context = await newContext(browser, { baseURL: srv.baseURL, locale: 'zh-CN', viewport: { width, height: 900 } })
    const page = await context.newPage()
    const pageErrors = []
    page.on('pageerror', (e) => pageErrors.push(e.message))
    try {
      await logIn(page, owner)
      await waitPath(page, '/dashboard')

      await page.goto('/creators')
      const row = (c) => (width > 1000 ? page.getByTestId(`creator-row-${c.id}`) : page.getByTestId('creator-card').filter({ hasText: c.display_name }))
      await row(ann).getByTestId('creator-risk').waitFor()
      await expectText(row(ann).getByTestId('creator-risk'), zh.risk.at_risk)
      // The TikTok chip says so, the YouTube one does not.
      await expectText(row(ann).getByTestId('platform-tag-tiktok').getByTestId('account-risk'), new RegExp(zh.risk.at_risk))
      assert.equal(await row(ann).getByTestId('platform-tag-youtube').getByTestId('account-risk').count(), 0)
      // TikTok is not marked in Britain.
      await row(cat).waitFor()
      assert.equal(await row(cat).getByTestId('creator-risk').count(), 0)

      // The exposed filter leaves Ann only, and stays in the URL.
      await page.getByTestId('creators-filters-toggle').click()
      await page.getByTestId('filter-exposed').click()
      await page.waitForURL((u) => u.searchParams.get('exposed') === 'true')
      await expectText(page.getByTestId('creators-total'), zh.common.total.replace('{{count}}', '1'))
      await row(ann).waitFor()
      assert.equal(await row(cat).count(), 0)

      // The profile's header and its accounts table.
      await page.goto(`/creators/${ann.id}`)
      await expectText(page.getByTestId('page-title'), ann.display_name)
      await expectText(page.getByTestId('creator-risk'), zh.risk.at_risk)
      await page.getByTestId('accounts-table').getByTestId('account-risk').first().waitFor()
      await page.goto(`/creators/${cat.id}`)
      await expectText(page.getByTestId('page-title'), cat.display_name)
      assert.equal(await page.getByTestId('creator-risk').count(), 0)
      assert.deepEqual(pageErrors, [])
    } finally {
      await context.close()
    }
  })
}
