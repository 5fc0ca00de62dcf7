// End-to-end: the real server binary, a fresh SQLite database, Debian's Chromium.
//
//   CARAVAN_BIN=/tmp/caravan npm run e2e
//
// The binary must have been built after `npm run build` (the UI is embedded at go build time).
// CHROMIUM_PATH overrides /usr/bin/chromium.
import { spawn } from 'node:child_process'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, test } from 'node:test'
import assert from 'node:assert/strict'
import { chromium } from 'playwright-core'

const here = new URL('.', import.meta.url)
const en = JSON.parse(await readFile(new URL('../src/i18n/locales/en-US.json', here), 'utf8'))
const zh = JSON.parse(await readFile(new URL('../src/i18n/locales/zh-CN.json', here), 'utf8'))

const TIMEOUT = 15_000

let server // ChildProcess
let serverLog = ''
let dir
let browser
let baseURL

function freePort() {
  return new Promise((resolve, reject) => {
    const srv = createServer()
    srv.unref()
    srv.on('error', reject)
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address()
      srv.close(() => resolve(port))
    })
  })
}

async function waitReady(url, ms) {
  const deadline = Date.now() + ms
  let last = ''
  while (Date.now() < deadline) {
    if (server.exitCode !== null || server.signalCode !== null) {
      throw new Error(`caravan exited early (code ${server.exitCode}, signal ${server.signalCode}):\n${serverLog}`)
    }
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(2000) })
      if (res.status === 200) return
      last = `HTTP ${res.status}`
    } catch (e) {
      last = String(e?.cause?.code ?? e)
    }
    await new Promise((r) => setTimeout(r, 200))
  }
  throw new Error(`${url} did not answer 200 within ${ms / 1000}s (last: ${last}).\nServer output:\n${serverLog}`)
}

function stopServer() {
  if (!server || server.exitCode !== null || server.signalCode !== null) return Promise.resolve()
  return new Promise((resolve) => {
    const killer = setTimeout(() => server.kill('SIGKILL'), 5000)
    server.once('exit', () => {
      clearTimeout(killer)
      resolve()
    })
    server.kill('SIGTERM')
  })
}

/** Polls until the locator's text equals (or matches) the expectation. */
async function expectText(locator, expected, timeout = TIMEOUT) {
  const deadline = Date.now() + timeout
  let actual
  while (Date.now() < deadline) {
    actual = (await locator.textContent({ timeout: Math.max(1, deadline - Date.now()) }).catch(() => null))?.trim()
    if (expected instanceof RegExp ? expected.test(actual ?? '') : actual === expected) return
    await new Promise((r) => setTimeout(r, 100))
  }
  assert.fail(`expected text ${expected} but found ${JSON.stringify(actual)}`)
}

async function waitPath(page, path, timeout = TIMEOUT) {
  await page.waitForURL((u) => u.pathname === path, { timeout })
}

before(async () => {
  const bin = process.env.CARAVAN_BIN
  if (!bin) {
    throw new Error(
      'CARAVAN_BIN is not set. Build the server first, e.g.\n' +
        '  (cd frontend && npm run build) && go build -o /tmp/caravan ./cmd/caravan\n' +
        'then run: CARAVAN_BIN=/tmp/caravan npm run e2e',
    )
  }
  dir = await mkdtemp(join(tmpdir(), 'caravan-e2e-'))
  const port = await freePort()
  baseURL = `http://127.0.0.1:${port}`
  server = spawn(bin, ['serve', '--addr', `127.0.0.1:${port}`, '--database-url', `sqlite:${join(dir, 'e2e.db')}`], {
    env: { ...process.env, CARAVAN_LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  server.stdout.on('data', (d) => (serverLog += d))
  server.stderr.on('data', (d) => (serverLog += d))
  server.on('error', (e) => (serverLog += `\nspawn error: ${e.message}`))
  await waitReady(`${baseURL}/readyz`, 30_000)

  const index = await (await fetch(`${baseURL}/`)).text()
  assert.ok(
    !index.includes('built without the web UI'),
    'the server answered the placeholder page: run `npm run build` before `go build` so the UI is embedded',
  )

  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium',
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  })
})

after(async () => {
  await browser?.close().catch(() => {})
  await stopServer()
  if (dir) await rm(dir, { recursive: true, force: true })
})

test('setup, logout, login, reload, deep link, language switch', async (t) => {
  // A Chinese browser: the UI must start in Chinese.
  const context = await browser.newContext({ baseURL, locale: 'zh-CN' })
  context.setDefaultTimeout(TIMEOUT)
  const page = await context.newPage()
  const pageErrors = []
  page.on('pageerror', (e) => pageErrors.push(e.message))

  const org = `Ningbo Sunrise ${Date.now()}`
  const owner = { name: 'Li Wei', email: 'owner@example.com', password: 'correct horse battery' }

  try {
    await t.test('first visit shows the setup page in the browser language', async () => {
      await page.goto('/')
      await page.getByTestId('setup-page').waitFor()
      await expectText(page.getByTestId('page-title'), zh.setup.title)
    })

    await t.test('the language selector on the setup page switches to English and is remembered', async () => {
      await page.getByTestId('lang-en-US').click()
      await expectText(page.getByTestId('page-title'), en.setup.title)
      await expectText(page.getByTestId('setup-submit'), en.setup.submit)
      assert.equal(await page.evaluate(() => localStorage.getItem('caravan.lang')), 'en-US')
      assert.equal(await page.evaluate(() => document.documentElement.lang), 'en-US')
    })

    await t.test('setup creates the organization and lands on the dashboard', async () => {
      await page.getByTestId('setup-org-name').fill(org)
      await page.getByTestId('setup-name').fill(owner.name)
      await page.getByTestId('setup-email').fill(owner.email)
      await page.getByTestId('setup-password').fill(owner.password)
      await page.getByTestId('setup-password-confirm').fill(owner.password)
      await page.getByTestId('setup-submit').click()
      await waitPath(page, '/dashboard')
      await expectText(page.getByTestId('dashboard-org-name'), org)
      await expectText(page.getByTestId('dashboard-currency'), /^CNY/)
      await expectText(page.getByTestId('dashboard-timezone'), 'Asia/Shanghai')
      await expectText(page.getByTestId('header-org-name'), org)
      await expectText(page.getByTestId('header-role'), en.roles.owner)
    })

    await t.test('the header language selector switches the menu to Chinese', async () => {
      await expectText(page.getByTestId('nav-creators'), en.nav.creators)
      await page.getByTestId('lang-zh-CN').click()
      await expectText(page.getByTestId('nav-creators'), zh.nav.creators)
      await expectText(page.getByTestId('logout-button'), zh.header.logout)
    })

    await t.test('logout returns to the login page', async () => {
      await page.getByTestId('logout-button').click()
      await waitPath(page, '/login')
      await page.getByTestId('login-page').waitFor()
      await expectText(page.getByTestId('page-title'), zh.login.title)
      // The session is gone for real: a reload stays on the login page.
      await page.reload()
      await page.getByTestId('login-page').waitFor()
    })

    await t.test('a wrong password is refused with a translated message', async () => {
      await page.getByTestId('login-email').fill(owner.email)
      await page.getByTestId('login-password').fill('not the password')
      await page.getByTestId('login-submit').click()
      await expectText(page.getByTestId('login-error'), zh.errors.invalid_credentials)
    })

    await t.test('login through the login page shows the dashboard', async () => {
      await page.getByTestId('login-password').fill(owner.password)
      await page.getByTestId('login-submit').click()
      await waitPath(page, '/dashboard')
      await expectText(page.getByTestId('dashboard-org-name'), org)
    })

    await t.test('a reload keeps the session (silent refresh) and the token is not in storage', async () => {
      await page.reload()
      await expectText(page.getByTestId('dashboard-org-name'), org)
      assert.equal(await page.getByTestId('login-page').count(), 0)
      const stored = await page.evaluate(() => JSON.stringify({ ...localStorage, ...sessionStorage }))
      assert.ok(!/eyJ[\w-]+\.[\w-]+/.test(stored), `a JWT was found in web storage: ${stored}`)
    })

    await t.test('a deep link opens its page directly', async () => {
      await page.goto('/creators')
      await page.getByTestId('page-creators').waitFor()
      await page.getByTestId('coming-soon').waitFor()
      await expectText(page.getByTestId('page-title'), zh.nav.creators)
      await expectText(page.getByTestId('header-org-name'), org)
    })

    await t.test('settings: the owner sees users and can create an API key shown once', async () => {
      await page.goto('/settings/users')
      await page.getByTestId('users-table').getByText(owner.email).waitFor()

      await page.goto('/settings/api-keys')
      await page.getByTestId('api-keys-create').click()
      await page.getByTestId('api-key-name').fill('e2e script')
      await expectText(page.getByTestId('api-key-submit'), zh.common.create)
      await page.getByTestId('api-key-submit').click()
      const keyBox = page.getByTestId('api-key-value')
      await keyBox.waitFor()
      const key = await keyBox.inputValue()
      assert.ok(key.length >= 16, `expected a key, got ${JSON.stringify(key)}`)
      await page.getByTestId('api-key-close').click()
      await keyBox.waitFor({ state: 'detached' })
      await page.getByTestId('api-keys-table').getByText('e2e script').waitFor()
      assert.equal(await page.getByText(key).count(), 0, 'the key must not be shown again after the modal closes')
    })

    assert.deepEqual(pageErrors, [], 'uncaught errors in the page')
  } catch (e) {
    if (serverLog) console.error(`--- caravan output ---\n${serverLog}`)
    throw e
  } finally {
    await context.close()
  }
})
