// End-to-end: the real server binary, a fresh SQLite database, Debian's Chromium.
//
//   CARAVAN_BIN=/tmp/caravan npm run e2e
//
// The binary must have been built after `npm run build` (the UI is embedded at go build time).
// CHROMIUM_PATH overrides /usr/bin/chromium. Server and browser helpers are in helpers.mjs.
import { after, before, test } from 'node:test'
import assert from 'node:assert/strict'
import { en, expectText, launchBrowser, logIn, newContext, startServer, waitPath, zh } from './helpers.mjs'

// The organization's owner, set up by the first test and signed in again by the next.
const owner = { name: 'Li Wei', email: 'owner@example.com', password: 'correct horse battery' }

let srv // { baseURL, log, stop }
let browser
let baseURL

before(async () => {
  srv = await startServer()
  baseURL = srv.baseURL
  browser = await launchBrowser()
})

after(async () => {
  await browser?.close().catch(() => {})
  await srv?.stop()
})

test('setup, logout, login, reload, deep link, language switch', async (t) => {
  // A Chinese browser: the UI must start in Chinese.
  const context = await newContext(browser, { baseURL, locale: 'zh-CN' })
  const page = await context.newPage()
  const pageErrors = []
  page.on('pageerror', (e) => pageErrors.push(e.message))

  const org = `Ningbo Sunrise ${Date.now()}`

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
      await expectText(page.getByTestId('page-title'), zh.nav.creators)
      await expectText(page.getByTestId('header-org-name'), org)
      await page.goto('/orders')
      await page.getByTestId('page-orders').waitFor()
      await expectText(page.getByTestId('page-title'), zh.nav.orders)
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
    if (srv?.log()) console.error(`--- caravan output ---\n${srv.log()}`)
    throw e
  } finally {
    await context.close()
  }
})

// Runs after the test above has set the organization up.
test('the system setting "reduce motion" turns the dialogs\' animation off', async () => {
  for (const [reducedMotion, animates] of [
    ['no-preference', true],
    ['reduce', false],
  ]) {
    const context = await newContext(browser, { baseURL, locale: 'en-US', reducedMotion })
    try {
      const page = await context.newPage()
      await logIn(page, owner)
      await waitPath(page, '/dashboard')
      await page.goto('/settings/api-keys')
      await page.getByTestId('api-keys-create').waitFor()
      // Watch for antd's running motions (ant-zoom-enter-active, wave-motion-appear-active, …) while the
      // dialog opens; without motion the dialog still passes a "prepare" step that moves nothing.
      await page.evaluate(() => {
        const moving = (el) => el instanceof Element && /-(appear|enter)-active(\s|$)/.test(el.className?.toString?.() ?? '')
        window.__moved = []
        new MutationObserver((records) => {
          for (const r of records) {
            const els = r.type === 'attributes' ? [r.target] : [...r.addedNodes].flatMap((n) => (n instanceof Element ? [n, ...n.querySelectorAll('*')] : []))
            window.__moved.push(...els.filter(moving).map((el) => el.className.toString()))
          }
        }).observe(document.body, { subtree: true, childList: true, attributes: true, attributeFilter: ['class'] })
      })
      await page.getByTestId('api-keys-create').click()
      await page.getByTestId('api-key-name').waitFor()
      await page.waitForTimeout(500) // past the zoom's 300 ms
      const moved = await page.evaluate(() => window.__moved)
      assert.equal(moved.length > 0, animates, `reducedMotion ${reducedMotion}: ${JSON.stringify(moved)}`)
    } finally {
      await context.close()
    }
  }
})
