// Shared pieces of the end-to-end tests: the real server binary on a fresh SQLite database in a
// temporary directory, Debian's Chromium, and polling assertions.
//
// The binary comes from CARAVAN_BIN and must have been built after `npm run build` (the UI is
// embedded at go build time). CHROMIUM_PATH overrides /usr/bin/chromium.
import { spawn } from 'node:child_process'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import assert from 'node:assert/strict'
import { chromium } from 'playwright-core'

const here = new URL('.', import.meta.url)
export const en = JSON.parse(await readFile(new URL('../src/i18n/locales/en-US.json', here), 'utf8'))
export const zh = JSON.parse(await readFile(new URL('../src/i18n/locales/zh-CN.json', here), 'utf8'))

// Generous: CI runs on a loaded 2-core machine, where a cold page can take 10 s; a wait returns as soon as it holds.
export const TIMEOUT = 30_000

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

/**
 * Starts the server on a free port with a database in a new temporary directory. Returns
 * { baseURL, dir, log(), stop() }; stop() ends the server and removes the directory.
 * prepare(bin, databaseURL), when given, runs before the server starts (e.g. `caravan demo`).
 */
export async function startServer({ prepare } = {}) {
  const bin = process.env.CARAVAN_BIN
  if (!bin) {
    throw new Error(
      'CARAVAN_BIN is not set. Build the server first, e.g.\n' +
        '  (cd frontend && npm run build) && go build -o /tmp/caravan ./cmd/caravan\n' +
        'then run: CARAVAN_BIN=/tmp/caravan npm run e2e',
    )
  }
  const dir = await mkdtemp(join(tmpdir(), 'caravan-e2e-'))
  const databaseURL = `sqlite:${join(dir, 'e2e.db')}`
  if (prepare) {
    try {
      await prepare(bin, databaseURL)
    } catch (e) {
      await rm(dir, { recursive: true, force: true })
      throw e
    }
  }
  const port = await freePort()
  const baseURL = `http://127.0.0.1:${port}`
  let log = ''
  const server = spawn(bin, ['serve', '--addr', `127.0.0.1:${port}`, '--database-url', databaseURL], {
    env: { ...process.env, CARAVAN_LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  server.stdout.on('data', (d) => (log += d))
  server.stderr.on('data', (d) => (log += d))
  server.on('error', (e) => (log += `\nspawn error: ${e.message}`))

  const exited = () => server.exitCode !== null || server.signalCode !== null
  const stop = async () => {
    if (!exited()) {
      await new Promise((resolve) => {
        const killer = setTimeout(() => server.kill('SIGKILL'), 5000)
        server.once('exit', () => {
          clearTimeout(killer)
          resolve()
        })
        server.kill('SIGTERM')
      })
    }
    await rm(dir, { recursive: true, force: true })
  }

  try {
    const url = `${baseURL}/readyz`
    const deadline = Date.now() + 30_000
    let last = ''
    for (;;) {
      if (exited()) throw new Error(`caravan exited early (code ${server.exitCode}, signal ${server.signalCode}):\n${log}`)
      try {
        const res = await fetch(url, { signal: AbortSignal.timeout(2000) })
        if (res.status === 200) break
        last = `HTTP ${res.status}`
      } catch (e) {
        last = String(e?.cause?.code ?? e)
      }
      if (Date.now() > deadline) throw new Error(`${url} did not answer 200 within 30s (last: ${last}).\nServer output:\n${log}`)
      await new Promise((r) => setTimeout(r, 200))
    }
    const index = await (await fetch(`${baseURL}/`)).text()
    assert.ok(
      !index.includes('built without the web UI'),
      'the server answered the placeholder page: run `npm run build` before `go build` so the UI is embedded',
    )
  } catch (e) {
    await stop()
    throw e
  }
  return { baseURL, dir, log: () => log, stop }
}

export function launchBrowser() {
  return chromium.launch({
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
}

/**
 * A browser context that asks for reduced motion, as a user may in the system settings: the UI then
 * turns antd's zooms and slides off, so a click never lands on a dialog that is still moving (a click
 * on the mask around a zooming dialog cancels it). Options are Playwright's; timeout is each wait's.
 */
export async function newContext(browser, options, timeout = TIMEOUT) {
  const context = await browser.newContext({ reducedMotion: 'reduce', ...options })
  context.setDefaultTimeout(timeout)
  return context
}

/**
 * Sets a new server up through the API (setup-login.test.mjs covers the setup page): the organization
 * ({ org_name, base_currency, timezone }) and its owner ({ name, email, password }). Answers the owner's access token.
 */
export async function setUp(baseURL, org, owner) {
  const res = await fetch(`${baseURL}/api/v1/setup`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', 'X-Requested-With': 'caravan' },
    body: JSON.stringify({ ...org, ...owner }),
  })
  const text = await res.text()
  assert.equal(res.status, 201, text)
  return JSON.parse(text).access_token
}

/** Opens the login page and signs in as user ({ email, password }); the caller waits for where it lands. */
export async function logIn(page, user) {
  await page.goto('/login')
  await page.getByTestId('login-email').fill(user.email)
  await page.getByTestId('login-password').fill(user.password)
  await page.getByTestId('login-submit').click()
}

/** Polls until the locator's text equals (or matches) the expectation. */
export async function expectText(locator, expected, timeout = TIMEOUT) {
  const deadline = Date.now() + timeout
  let actual
  while (Date.now() < deadline) {
    actual = (await locator.textContent({ timeout: Math.max(1, deadline - Date.now()) }).catch(() => null))?.trim()
    if (expected instanceof RegExp ? expected.test(actual ?? '') : actual === expected) return
    await new Promise((r) => setTimeout(r, 100))
  }
  assert.fail(`expected text ${expected} but found ${JSON.stringify(actual)}`)
}

/**
 * Expands a table row and waits for what the expansion shows. The icon is clicked again only while it
 * still says collapsed: a click that lands while the table reloads, or on a row that a reload then
 * replaces, is lost, and clicking blindly again would fold a row that did open.
 */
export async function expandRow(row, shown, timeout = TIMEOUT) {
  const icon = row.locator('.ant-table-row-expand-icon')
  const deadline = Date.now() + timeout
  while (Date.now() < deadline) {
    const left = Math.max(1, deadline - Date.now())
    if ((await icon.getAttribute('aria-expanded', { timeout: left }).catch(() => null)) === 'false') {
      await icon.click({ timeout: left }).catch(() => {})
    }
    if (await shown.waitFor({ timeout: Math.min(2000, left) }).then(() => true, () => false)) return
  }
  assert.fail(`the row did not open on ${shown}`)
}

/** Polls until the locator matches exactly n elements. */
export async function expectCount(locator, n, timeout = TIMEOUT) {
  const deadline = Date.now() + timeout
  let count
  while (Date.now() < deadline) {
    count = await locator.count()
    if (count === n) return
    await new Promise((r) => setTimeout(r, 100))
  }
  assert.fail(`expected ${n} elements but found ${count} on ${locator.page().url()}`)
}

export async function waitPath(page, path, timeout = TIMEOUT) {
  await page.waitForURL((u) => u.pathname === path, { timeout })
}
