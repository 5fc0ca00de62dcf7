// End-to-end: creators, import and platform risk in the real browser against the real server.
//
//   CARAVAN_BIN=/tmp/caravan npm run e2e
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { after, before, test } from 'node:test'
import assert from 'node:assert/strict'
import { en, expectText, launchBrowser, logIn, newContext, setUp, startServer, waitPath } from './helpers.mjs'

let srv
let browser

const owner = { name: 'Zhang Min', email: 'owner@example.com', password: 'correct horse battery' }

before(async () => {
  srv = await startServer()
  browser = await launchBrowser()
  await setUp(srv.baseURL, { org_name: 'Yiwu Goods', base_currency: 'USD', timezone: 'Asia/Shanghai' }, owner)
})

after(async () => {
  await browser?.close().catch(() => {})
  await srv?.stop()
})

/** Picks an option of an antd Select by typing into its search and pressing Enter. */
async function pickOption(page, testid, search) {
  await page.getByTestId(testid).click()
  await page.keyboard.type(search)
  await page.locator('.ant-select-dropdown:visible .ant-select-item-option-active').waitFor()
  await page.keyboard.press('Enter')
}

test('creators: create, search, detail, note, import, platform risk', async (t) => {
  const context = await newContext(browser, { baseURL: srv.baseURL, locale: 'en-US', viewport: { width: 1440, height: 900 } })
  const page = await context.newPage()
  const pageErrors = []
  page.on('pageerror', (e) => pageErrors.push(e.message))

  const creator = { name: 'Olivia Sparks', handle: 'olivia.sparks.e2e' }
  const imported = '王小美'

  try {
    await t.test('sign in', async () => {
      await logIn(page, owner)
      await waitPath(page, '/dashboard')
    })

    await t.test('create a creator with a TikTok account through the form', async () => {
      await page.getByTestId('nav-creators').click()
      await waitPath(page, '/creators')
      await expectText(page.getByTestId('creators-total'), en.common.total.replace('{{count}}', '0'))
      await page.getByTestId('creators-create').click()
      await page.getByTestId('creator-name').fill(creator.name)
      await pickOption(page, 'creator-country', 'United States')
      // No platform is picked first: a pasted profile address sets it, whatever the site.
      await page.getByTestId('account-handle-0').fill(`https://www.youtube.com/@${creator.handle}`)
      await expectText(page.getByTestId('account-platform-0'), 'YouTube')
      await page.getByTestId('account-handle-0').fill(`https://www.tiktok.com/@${creator.handle}?lang=en`)
      await expectText(page.getByTestId('account-platform-0'), 'TikTok')
      await page.getByTestId('account-followers-0').fill('25000')
      await page.getByTestId('creator-submit').click()
      await page.getByTestId('creator-name').waitFor({ state: 'hidden' })
      await expectText(page.getByTestId('creators-total'), en.common.total.replace('{{count}}', '1'))
    })

    await t.test('find the creator by searching the handle and open the detail page', async () => {
      const search = page.getByTestId('creators-search').locator('input')
      await search.fill('@' + creator.handle)
      await search.press('Enter')
      await page.waitForURL((u) => u.searchParams.get('q') === '@' + creator.handle)
      const link = page.getByTestId('creators-table').getByRole('link', { name: creator.name })
      await link.waitFor()
      // The filters live in the URL: a reload keeps the search.
      await page.reload()
      await link.waitFor()
      await link.click()
      await page.getByTestId('page-creator').waitFor()
      await expectText(page.getByTestId('page-title'), creator.name)
      await page.getByTestId('accounts-table').getByText('@' + creator.handle).waitFor()
    })

    await t.test('the timeline tells the creation with the account it came with, in one line', async () => {
      const created = page.getByTestId('timeline-event-created')
      await expectText(
        created.first().locator('div').first(),
        en.timeline.createdWith.replace('{{name}}', creator.name).replace('{{accounts}}', `TikTok @${creator.handle}`),
      )
      assert.equal(await created.count(), 1)
      assert.equal(await page.getByTestId('timeline-event-account_added').count(), 0)
    })

    await t.test('a note appears in the timeline with who wrote it', async () => {
      const text = 'Sent samples of the summer collection'
      await page.getByTestId('note-input').fill(text)
      await page.getByTestId('note-submit').click()
      const note = page.getByTestId('timeline-event-note').first()
      await expectText(note, new RegExp(`^${text}.*${owner.name}`))
    })

    await t.test('the page is polished: tab title, favicon, no stray margin', async () => {
      await page.getByTestId('nav-creators').click()
      await waitPath(page, '/creators')
      await page.getByTestId('creators-table').getByRole('link', { name: creator.name }).waitFor()
      assert.equal(await page.title(), `${en.nav.creators} · ${en.app.name}`)
      assert.equal(await page.locator('link[rel=icon]').getAttribute('href'), '/favicon.svg')
      const icon = await page.request.get('/favicon.svg')
      assert.equal(icon.status(), 200)
      assert.match(icon.headers()['content-type'] ?? '', /svg/)
      const fit = await page.evaluate(() => ({
        margin: getComputedStyle(document.body).margin,
        overflowX: document.documentElement.scrollWidth - window.innerWidth,
        overflowY: document.documentElement.scrollHeight - window.innerHeight,
      }))
      assert.deepEqual(fit, { margin: '0px', overflowX: 0, overflowY: 0 }, 'the creators page fits the window')
    })

    await t.test('import a CSV with Chinese headers and localized values: dry run, then import', async () => {
      const csv = join(srv.dir, 'creators.csv')
      // Country names and platform names as sellers write them; Lena has more accounts than the list shows.
      await writeFile(
        csv,
        `显示名称,国家,平台,账号,粉丝数,标签\n${imported},美国,TikTok,@wangxiaomei,8000,美妆\n${imported},United States,YouTube,@wangxiaomei_yt,3000,美妆\n` +
          `Lena,英国,tiktok,@lena.scandi.home.decor,100,\nLena,英国,youtube,@lenascandinavianhomedecorvlog,100,\n` +
          `Lena,英国,instagram,@lena.scandinavian.home.decor,100,\nLena,英国,小红书,lena,100,\n`,
      )
      await page.goto('/creators')
      await page.getByTestId('creators-import').click()
      await page.locator('.ant-modal input[type=file]').setInputFiles(csv)
      await page.getByTestId('import-check').click()
      await page.getByTestId('import-dry-result').waitFor()
      await expectText(page.getByTestId('import-created'), '2')
      await expectText(page.getByTestId('import-rows'), '6')
      await page.getByTestId('import-dry-result').getByText(en.import.created, { exact: true }).waitFor()
      await page.getByTestId('import-run').click()
      await page.getByTestId('import-done').waitFor()
      await expectText(page.getByTestId('import-created'), '2')
      // After the import the summary says what was done, not what will be.
      await page.getByTestId('import-done').getByText(en.import.createdDone, { exact: true }).waitFor()
      await page.getByTestId('import-done').getByText(en.import.updatedDone, { exact: true }).waitFor()
      await page.getByTestId('import-close').click()
      await page.getByTestId('creators-table').getByRole('link', { name: imported }).waitFor()
      await expectText(page.getByTestId('creators-total'), en.common.total.replace('{{count}}', '3'))
      // Four accounts: three chips, then +1.
      const lena = page.getByTestId('creators-table').locator('tr', { has: page.getByRole('link', { name: 'Lena' }) })
      await expectText(lena.getByTestId('creator-accounts-more'), '+1')
      assert.equal(await lena.getByTestId('creator-accounts-cell').locator('[data-testid^=platform-tag-]').count(), 3)
      // Followers, country and date keep to one line at 1440 px.
      for (const col of [5, 2, 8]) {
        const cell = lena.locator(`td:nth-child(${col})`)
        // Lines of text: the tops of the text's boxes, those a few pixels apart being one line.
        const lines = await cell.evaluate((td) => {
          const tops = []
          const walk = document.createTreeWalker(td, NodeFilter.SHOW_TEXT)
          for (let n = walk.nextNode(); n; n = walk.nextNode()) {
            const r = document.createRange()
            r.selectNodeContents(n)
            for (const box of r.getClientRects()) if (!tops.some((t) => Math.abs(t - box.top) < 5)) tops.push(box.top)
          }
          return tops.length
        })
        assert.equal(lines, 1, `column ${col} wraps: ${await cell.textContent()}`)
      }
    })

    await t.test('choose the columns and save a view: both come back after a reload, for this user', async () => {
      const table = page.getByTestId('creators-table')
      const header = (label) => table.locator('th', { hasText: label })
      // Each account chip stays inside its cell (a long handle once ran over the followers).
      const lena = table.locator('tr', { has: page.getByRole('link', { name: 'Lena' }) })
      const cell = await lena.getByTestId('creator-accounts-cell').locator('xpath=ancestor::td').boundingBox()
      for (const chip of await lena.getByTestId('creator-accounts-cell').locator('[data-testid^=platform-tag-]').all()) {
        const box = await chip.boundingBox()
        assert.ok(box.x + box.width <= cell.x + cell.width + 1, `a chip ends at ${box.x + box.width}, its cell at ${cell.x + cell.width}`)
      }

      await header(en.creators.tags).waitFor()
      await page.getByTestId('creators-columns-button').click()
      const chooser = page.getByTestId('creators-columns')
      await chooser.waitFor()
      // The name links to the profile: it cannot be hidden.
      assert.ok(await chooser.locator('label', { has: page.getByTestId('column-display_name') }).locator('input').isDisabled())
      await page.getByTestId('column-tags').click()
      await page.getByTestId('column-created_at').click()
      await header(en.creators.tags).waitFor({ state: 'detached' })
      await header(en.creators.createdAt).waitFor({ state: 'detached' })
      await expectText(page.getByTestId('creators-columns-button'), /6\/8/)
      await page.keyboard.press('Escape')

      const search = page.getByTestId('creators-search').locator('input')
      await search.fill('Lena')
      await search.press('Enter')
      await page.waitForURL((u) => u.searchParams.get('q') === 'Lena')
      await page.getByTestId('creators-views-button').click()
      await page.getByTestId('views-empty').waitFor()
      await page.getByTestId('view-name').fill('Lena only')
      await page.getByTestId('view-save').click()
      await expectText(page.getByTestId('creators-views').getByTestId('view-apply'), 'Lena only')
      await expectText(page.getByTestId('creators-views-button'), 'Lena only')
      await page.keyboard.press('Escape')

      // A reload keeps both: the columns and, the filters being the same, the view's name.
      const meAnswer = page.waitForResponse((r) => new URL(r.url()).pathname === '/api/v1/me')
      await page.reload()
      const meResponse = await meAnswer
      const me = await meResponse.json()
      await table.getByRole('link', { name: 'Lena' }).waitFor()
      await expectText(page.getByTestId('creators-views-button'), 'Lena only').catch(async (e) => {
        // Once seen in CI under load, not reproduced since: say what the page had.
        const had = await page.evaluate(() => ({ url: location.href, storage: { ...localStorage } }))
        throw new Error(`${e.message}\n/api/v1/me answered ${meResponse.status()}; the page had ${JSON.stringify(had)}`)
      })
      assert.equal(await header(en.creators.tags).count(), 0)
      const stored = JSON.parse(await page.evaluate((k) => localStorage.getItem(k), `caravan.creators.table.${me.user.id}`))
      assert.deepEqual(stored.views.map((v) => [v.name, v.search]), [['Lena only', 'q=Lena']])

      // Back to everyone with all the columns; the saved view brings the filter and its columns back.
      await page.getByTestId('creators-clear').click()
      await page.waitForURL((u) => !u.searchParams.has('q'))
      await page.getByTestId('creators-columns-button').click()
      await page.getByTestId('columns-reset').click()
      await header(en.creators.tags).waitFor()
      await page.keyboard.press('Escape')
      await expectText(page.getByTestId('creators-views-button'), en.creators.table.views)
      // On a loaded machine a click during the menu's opening animation was once lost (CI, 2026-12-02): the
      // menu is opened if it is not, and the view applied again, up to three times.
      for (let attempt = 1; ; attempt++) {
        if (!(await page.getByTestId('creators-views').isVisible())) await page.getByTestId('creators-views-button').click()
        await page.getByTestId('creators-views').getByTestId('view-apply').click()
        try {
          await page.waitForURL((u) => u.searchParams.get('q') === 'Lena', { timeout: 10_000 })
          break
        } catch (err) {
          if (attempt === 3) throw err
        }
      }
      await header(en.creators.tags).waitFor({ state: 'detached' })
      await expectText(page.getByTestId('creators-total'), en.common.total.replace('{{count}}', '1'))

      // Deleted, it is gone; the columns stay as they are.
      await page.getByTestId('creators-views-button').click()
      await page.getByTestId('creators-views').getByTestId('view-delete').click()
      await page.getByTestId('views-empty').waitFor()
      await page.keyboard.press('Escape')
      await page.getByTestId('creators-columns-button').click()
      await page.getByTestId('columns-reset').click()
      await header(en.creators.tags).waitFor()
      await page.keyboard.press('Escape')
    })

    await t.test('mark TikTok banned in the US and see who can move their audience', async () => {
      await page.getByTestId('nav-platforms').click()
      await waitPath(page, '/platforms')
      await page.getByTestId('risk-set-tiktok').click()
      await pickOption(page, 'risk-country', 'United States')
      await page.getByTestId('risk-level-banned').click()
      await page.getByTestId('risk-submit').click()
      await page.getByTestId('platform-marks-tiktok').getByText(en.risk.banned).waitFor()

      const mark = page.getByTestId('exposure-mark-tiktok-US')
      await mark.waitFor()
      await expectText(mark.getByTestId('with-alt-count'), '1')
      await expectText(mark.getByTestId('without-alt-count'), '1')
      // The imported creator also has YouTube; the one created in the form has only TikTok.
      await mark.getByTestId('with-alternative').getByRole('link', { name: imported }).waitFor()
      await mark.getByTestId('with-alternative').getByText('@wangxiaomei_yt').waitFor()
      const stuck = mark.getByTestId('without-alternative').getByRole('link', { name: creator.name })
      await stuck.click()
      await page.getByTestId('page-creator').waitFor()
      await expectText(page.getByTestId('page-title'), creator.name)
    })

    await t.test('adding an account by pasting a YouTube address needs no platform', async () => {
      await page.getByTestId('add-account-handle').fill(`https://www.youtube.com/@${creator.handle}`)
      await expectText(page.getByTestId('add-account-platform'), 'YouTube')
      await page.getByTestId('add-account-submit').click()
      await page.getByTestId('accounts-table').getByTestId('platform-tag-youtube').waitFor()
      assert.equal(await page.getByTestId('add-account-error').count(), 0)
    })

    assert.deepEqual(pageErrors, [], 'uncaught errors in the page')
  } catch (e) {
    console.error(`--- caravan output ---\n${srv.log()}`)
    await page.screenshot({ path: join(process.env.E2E_SHOTS ?? '/tmp', 'caravan-e2e-failure.png'), fullPage: true }).catch(() => {})
    throw e
  } finally {
    await context.close()
  }
})
