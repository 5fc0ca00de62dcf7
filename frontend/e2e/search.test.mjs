// End-to-end: a search over a catalogue larger than a search's walk (5,000 creators) that matches
// many of them answers with an estimated total, which the list says is one, in English and in
// Chinese; a search matching few is counted exactly.
//
//   CARAVAN_BIN=/tmp/caravan npm run e2e
import { after, before, test } from 'node:test'
import assert from 'node:assert/strict'
import { en, expectText, launchBrowser, logIn, newContext, setUp, startServer, waitPath, zh } from './helpers.mjs'

let srv
let browser

const owner = { name: 'Chen Jing', email: 'owner@example.com', password: 'correct horse battery' }
const lunas = 6000
const rares = 12

before(async () => {
  srv = await startServer()
  browser = await launchBrowser()
  const token = await setUp(srv.baseURL, { org_name: 'Ningbo Lamps', base_currency: 'USD', timezone: 'Asia/Shanghai' }, owner)
  // The catalogue through the import endpoint: every name holds "luna", twelve also "rare bird".
  const rows = ['Display Name,Country,Platform,Handle']
  for (let i = 0; i < rares; i++) rows.push(`Rare Bird Luna ${i},GB,youtube,rarebird${i}`)
  for (let i = 0; i < lunas; i++) rows.push(`Luna Lamp ${i},US,tiktok,lunalamp${i}`)
  const form = new FormData()
  form.append('file', new Blob([rows.join('\n')], { type: 'text/csv' }), 'creators.csv')
  const imported = await fetch(`${srv.baseURL}/api/v1/creators/import`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${token}` },
    body: form,
  })
  const body = await imported.text()
  assert.equal(imported.status, 200, body)
  assert.equal(JSON.parse(body).created, lunas + rares)
})

after(async () => {
  await browser?.close().catch(() => {})
  await srv?.stop()
})

test('a search matching thousands of creators says its total is an estimate', async (t) => {
  for (const [locale, L] of [
    ['en-US', en],
    ['zh-CN', zh],
  ]) {
    const context = await newContext(browser, { baseURL: srv.baseURL, locale, viewport: { width: 1440, height: 900 } })
    const page = await context.newPage()
    const pageErrors = []
    page.on('pageerror', (e) => pageErrors.push(e.message))
    try {
      await logIn(page, owner)
      await waitPath(page, '/dashboard')
      await t.test(`${locale}: "luna" is about ${lunas}, "rare bird" exactly ${rares}`, async () => {
        await page.getByTestId('nav-creators').click()
        await waitPath(page, '/creators')
        await expectText(page.getByTestId('creators-total'), L.common.total.replace('{{count}}', String(lunas + rares)))
        const search = page.getByTestId('creators-search').locator('input')
        await search.fill('luna')
        await search.press('Enter')
        await page.waitForURL((u) => u.searchParams.get('q') === 'luna')
        // Every creator matches "luna": the walk fills its page from the newest 51 and estimates them
        // all, 6,012 to two significant digits.
        await expectText(page.getByTestId('creators-total'), L.common.totalAbout.replace('{{count}}', String(lunas)))
        await search.fill('rare bird')
        await search.press('Enter')
        await page.waitForURL((u) => u.searchParams.get('q') === 'rare bird')
        await expectText(page.getByTestId('creators-total'), L.common.total.replace('{{count}}', String(rares)))
        assert.deepEqual(pageErrors, [])
      })
    } finally {
      await context.close()
    }
  }
})
