// End-to-end: the menu and the buttons follow the capabilities /api/v1/me sends. A viewer reads
// but sees no create, edit or import buttons and no money sections; finance lands on its own home.
//
//   CARAVAN_BIN=/tmp/caravan npm run e2e
import { after, before, test } from 'node:test'
import assert from 'node:assert/strict'
import { expectText, launchBrowser, logIn, newContext, setUp, startServer, waitPath, zh } from './helpers.mjs'

let srv
let browser
let token
let creatorId

const owner = { name: 'Wu Lan', email: 'owner@example.com', password: 'correct horse battery' }
const viewer = { name: 'Viewer Vi', email: 'viewer@example.com', password: 'viewer horse battery', role: 'viewer' }
const finance = { name: 'Finance Fei', email: 'finance@example.com', password: 'finance horse battery', role: 'finance' }
const manager = { name: 'Manager Ma', email: 'manager@example.com', password: 'manager horse battery', role: 'manager' }
let agencies

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
  token = await setUp(srv.baseURL, { org_name: 'Suzhou Silk', base_currency: 'USD', timezone: 'Asia/Shanghai' }, owner)
  await api('POST', '/api/v1/users', viewer)
  await api('POST', '/api/v1/users', finance)
  await api('POST', '/api/v1/users', manager)
  agencies = [await api('POST', '/api/v1/agencies', { name: 'Starlight MCN', country: 'CN' }), await api('POST', '/api/v1/agencies', { name: 'Blue Wave', country: 'CN' })]
  creatorId = (
    await api('POST', '/api/v1/creators', {
      display_name: 'Ava Stone',
      country: 'US',
      agency_id: agencies[0].id,
      accounts: [{ platform: 'tiktok', handle: 'ava.stone' }],
    })
  ).id
})

after(async () => {
  await browser?.close().catch(() => {})
  await srv?.stop()
})

async function signIn(user, locale = 'en-US') {
  const context = await newContext(browser, { baseURL: srv.baseURL, locale, viewport: { width: 1440, height: 900 } })
  const page = await context.newPage()
  await logIn(page, user)
  return { context, page }
}

test('viewer: reads everything it may, without write buttons or money sections', async () => {
  const { context, page } = await signIn(viewer)
  try {
    await waitPath(page, '/dashboard')
    await page.getByTestId('nav-creators').waitFor()
    for (const hidden of ['nav-payouts', 'nav-reports', 'nav-settings']) assert.equal(await page.getByTestId(hidden).count(), 0, hidden)
    await page.getByTestId('nav-creators').click()
    await page.getByTestId('creator-link').first().waitFor()
    await page.getByTestId('creators-export').waitFor()
    for (const hidden of ['creators-create', 'creators-import']) assert.equal(await page.getByTestId(hidden).count(), 0, hidden)
    await page.goto(`/creators/${creatorId}`)
    await page.getByTestId('page-title').waitFor()
    for (const hidden of ['creator-edit', 'creator-delete', 'account-add-form']) assert.equal(await page.getByTestId(hidden).count(), 0, hidden)
    await page.goto('/campaigns')
    await page.getByTestId('page-title').waitFor()
    assert.equal(await page.getByTestId('campaigns-create').count(), 0)
    await page.goto('/products')
    await page.getByTestId('page-title').waitFor()
    for (const hidden of ['products-create', 'products-import']) assert.equal(await page.getByTestId(hidden).count(), 0, hidden)
    // A section it may not open is a 403 page, not a broken one.
    await page.goto('/reports')
    await page.getByTestId('forbidden').waitFor()
  } finally {
    await context.close()
  }
})

test('finance: lands on the commissions and sees the money sections', async () => {
  const { context, page } = await signIn(finance)
  try {
    await waitPath(page, '/commissions')
    await page.getByTestId('page-commissions').waitFor()
    for (const shown of ['nav-commissions', 'nav-payouts', 'nav-reports']) await page.getByTestId(shown).waitFor()
    await page.getByTestId('nav-creators').click()
    await page.getByTestId('creator-link').first().waitFor()
    assert.equal(await page.getByTestId('creators-create').count(), 0)
  } finally {
    await context.close()
  }
})

/** Opens an antd Select and clicks the option showing text (typing it first). */
async function pickOption(page, testid, text) {
  await page.getByTestId(testid).click()
  await page.keyboard.type(text)
  await page.locator('.ant-select-dropdown:visible .ant-select-item-option', { hasText: text }).first().click()
}

test('owner (zh-CN): sets the 负责人 and the agency; the timeline names both agencies', async () => {
  const { context, page } = await signIn(owner, 'zh-CN')
  try {
    await waitPath(page, '/dashboard')
    await page.goto(`/creators/${creatorId}`)
    await page.getByTestId('creator-edit').click()
    await pickOption(page, 'creator-owner', manager.name)
    await pickOption(page, 'creator-agency', 'Blue Wave')
    await page.getByTestId('creator-edit-submit').click()
    const line = zh.timeline.agencyChanged.replace('{{from}}', 'Starlight MCN').replace('{{to}}', 'Blue Wave')
    await expectText(page.getByTestId('timeline-event-agency_changed').first().locator('div').first(), line)
    await page.getByTestId('nav-creators').click()
    await expectText(page.getByTestId(`creator-row-${creatorId}`).locator('td').nth(6), new RegExp(manager.name))
  } finally {
    await context.close()
  }
})

test('manager: sees the 负责人 read-only in the form (the users list is not theirs)', async () => {
  const { context, page } = await signIn(manager)
  try {
    await waitPath(page, '/dashboard')
    await page.goto(`/creators/${creatorId}`)
    await page.getByTestId('creator-edit').click()
    await expectText(page.getByTestId('creator-owner-readonly'), manager.name)
    assert.equal(await page.getByTestId('creator-owner').count(), 0)
  } finally {
    await context.close()
  }
})
