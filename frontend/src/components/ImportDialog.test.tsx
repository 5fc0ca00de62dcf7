import { QueryClient, QueryClientProvider } from '@tanstack/react-query'
import { App as AntApp } from 'antd'
import { act } from 'react'
import { createRoot, type Root } from 'react-dom/client'
import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest'
import { ApiError } from '../api/client'
import type { ImportResult } from '../api/types'
import '../i18n'
import { ImportDialog, type ImportDialogProps } from './ImportDialog'

// React's act() outside a testing library.
;(globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean }).IS_REACT_ACT_ENVIRONMENT = true

beforeAll(() => {
  // antd measures (tables) and asks for media queries (responsive layouts); jsdom has neither.
  globalThis.ResizeObserver ??= class {
    observe() {}
    unobserve() {}
    disconnect() {}
  }
  const computed = window.getComputedStyle.bind(window)
  window.getComputedStyle = (el: Element) => computed(el) // jsdom has no pseudo-elements
  if (!window.matchMedia) {
    window.matchMedia = (query: string) =>
      ({
        matches: false,
        media: query,
        onchange: null,
        addListener: () => {},
        removeListener: () => {},
        addEventListener: () => {},
        removeEventListener: () => {},
        dispatchEvent: () => false,
      }) as MediaQueryList
  }
})

let root: Root
let host: HTMLElement

beforeEach(() => {
  host = document.createElement('div')
  document.body.appendChild(host)
  root = createRoot(host)
})

afterEach(async () => {
  await act(async () => root.unmount())
  document.body.innerHTML = ''
})

const byId = (id: string) => document.querySelector<HTMLElement>(`[data-testid="${id}"]`)
const text = (id: string) => byId(id)?.textContent

async function render(props: Partial<ImportDialogProps<ImportResult>> & Pick<ImportDialogProps<ImportResult>, 'send'>) {
  const client = new QueryClient({ defaultOptions: { mutations: { retry: false } } })
  await act(async () =>
    root.render(
      <QueryClientProvider client={client}>
        <AntApp>
          <ImportDialog<ImportResult>
            open
            onClose={() => {}}
            title="Import things"
            testId="thing-import"
            zero={{ created: 0, updated: 0, skipped: 0 }}
            help="help"
            counts={['rows', 'created', 'updated', 'skipped']}
            ready={() => 'all good'}
            doneMessage={(r) => `done ${r.created}`}
            {...props}
          />
        </AntApp>
      </QueryClientProvider>,
    ),
  )
}

async function choose(name = 'things.csv') {
  const input = document.querySelector<HTMLInputElement>('.ant-modal input[type=file]')!
  const file = new File(['a,b\n1,2\n'], name, { type: 'text/csv' })
  Object.defineProperty(input, 'files', { value: [file], configurable: true })
  await act(async () => {
    input.dispatchEvent(new Event('change', { bubbles: true }))
  })
  return file
}

async function click(id: string) {
  await act(async () => {
    byId(id)!.click()
  })
  // let the mutation settle
  await act(async () => {
    await new Promise((r) => setTimeout(r, 0))
  })
}

describe('ImportDialog', () => {
  it('checks, then imports, then says what was done', async () => {
    const send = vi.fn(async (_f: File, dryRun: boolean): Promise<ImportResult> => ({
      dry_run: dryRun,
      rows: 6,
      created: 2,
      updated: 1,
      skipped: 0,
      errors: [],
    }))
    const onDone = vi.fn()
    await render({ send, onDone, testIds: { dry: 'thing-import-dry-result' } })
    expect(byId('thing-import-run')).toBeNull()
    expect((byId('thing-import-check') as HTMLButtonElement).disabled).toBe(true)

    const file = await choose()
    await click('thing-import-check')
    expect(send).toHaveBeenLastCalledWith(file, true)
    expect(byId('thing-import-dry-result')).not.toBeNull()
    expect(text('thing-import-rows')).toBe('6')
    expect(text('thing-import-created')).toBe('2')
    expect(byId('thing-import-dry-result')!.textContent).toContain('To create')
    expect(byId('thing-import-dry-result')!.textContent).toContain('all good')
    expect(onDone).not.toHaveBeenCalled()

    await click('thing-import-run')
    expect(send).toHaveBeenLastCalledWith(file, false)
    expect(byId('thing-import-done')!.textContent).toContain('Created')
    expect(byId('thing-import-done')!.textContent).not.toContain('all good')
    expect(onDone).toHaveBeenCalledTimes(1)
    expect(byId('thing-import-check')).toBeNull()
    expect(text('thing-import-close')).toBe('Close')
  })

  it('lists the problems of a refused import and offers no import', async () => {
    const problems = [{ row: 3, column: 'Country', message: 'unknown country' }]
    const send = vi.fn(async (): Promise<ImportResult> => {
      throw new ApiError({ status: 422, code: 'import_failed', message: 'import failed', params: { rows: 4 }, details: problems })
    })
    await render({ send })
    await choose()
    await click('thing-import-check')
    expect(byId('thing-import-error')).not.toBeNull()
    expect(text('thing-import-rows')).toBe('4')
    expect(byId('thing-import-errors')!.textContent).toContain('unknown country')
    expect((byId('thing-import-run') as HTMLButtonElement).disabled).toBe(true)
  })

  it('a changed setting asks for a new check', async () => {
    const send = vi.fn(async (_f: File, dryRun: boolean): Promise<ImportResult> => ({ dry_run: dryRun, rows: 1, created: 1, updated: 0, skipped: 0, errors: [] }))
    await render({
      send,
      fields: (stale) => (
        <button type="button" data-testid="thing-import-setting" onClick={stale}>
          change
        </button>
      ),
    })
    await choose()
    await click('thing-import-check')
    expect(byId('thing-import-run')).not.toBeNull()
    await click('thing-import-setting')
    expect(byId('thing-import-run')).toBeNull()
    expect(byId('thing-import-dry')).toBeNull()
    expect((byId('thing-import-check') as HTMLButtonElement).disabled).toBe(false)
  })
})
