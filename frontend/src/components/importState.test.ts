import { describe, expect, it } from 'vitest'
import { ApiError } from '../api/client'
import en from '../i18n/locales/en-US.json'
import type { ImportCellError, ImportResult, OrderImportResult } from '../api/types'
import {
  canImport,
  cellErrorKey,
  countColumns,
  countLabelKey,
  emptyImport,
  importReducer,
  importShown,
  importStep,
  refusedImport,
  type ImportState,
} from './importState'

const problem: ImportCellError = { row: 3, column: 'Country', message: 'unknown country' }
const checked = (errors: ImportCellError[] = []): ImportResult => ({ dry_run: true, rows: 2, created: 1, updated: 1, skipped: 0, errors })
const imported: ImportResult = { dry_run: false, rows: 2, created: 1, updated: 1, skipped: 0, errors: [] }
const file = (name = 'creators.csv') => new File(['a,b\n'], name, { type: 'text/csv' })

function refused(details: unknown, params: Record<string, unknown> = { rows: 7 }) {
  return new ApiError({ status: 422, code: 'import_failed', message: 'import failed', params, details })
}

describe('refusedImport', () => {
  it('reads a refused import as a failed check, the other counts at zero', () => {
    const zero = { created: 0, updated: 0, skipped: 0 }
    expect(refusedImport<ImportResult>(refused([problem]), zero)).toEqual({ ...zero, dry_run: true, rows: 7, errors: [problem] })
  })

  it('keeps the fields of a richer result', () => {
    const zero = { layout: '', source: '', orders: 0, created: 0, updated: 0, skipped: 0, unattributed: 0 }
    const res = refusedImport<OrderImportResult>(refused([problem], {}), zero)
    expect(res).toEqual({ ...zero, dry_run: true, rows: 0, errors: [problem] })
  })

  it('is undefined for any other error', () => {
    const zero = { created: 0, updated: 0, skipped: 0 }
    expect(refusedImport<ImportResult>(new ApiError({ status: 422, code: 'validation_failed', message: 'x', details: [problem] }), zero)).toBeUndefined()
    expect(refusedImport<ImportResult>(refused('not a list'), zero)).toBeUndefined()
    expect(refusedImport<ImportResult>(new Error('network'), zero)).toBeUndefined()
  })
})

describe('importReducer', () => {
  const start = (): ImportState<ImportResult> => emptyImport<ImportResult>()

  it('goes file, check, import', () => {
    const f = file()
    let s = importReducer(start(), { type: 'pick', file: f })
    expect(s).toEqual({ file: f, dry: null, done: null, error: null })
    expect(importStep(s)).toBe(0)
    expect(canImport(s)).toBe(false)

    s = importReducer(s, { type: 'answered', result: checked() })
    expect(importStep(s)).toBe(1)
    expect(canImport(s)).toBe(true)
    expect(importShown(s)).toEqual(checked())

    s = importReducer(s, { type: 'answered', result: imported })
    expect(importStep(s)).toBe(2)
    expect(importShown(s)).toBe(imported)
    expect(s.dry).toEqual(checked())
  })

  it('offers no import while the check found problems', () => {
    const s = importReducer(importReducer(start(), { type: 'pick', file: file() }), { type: 'answered', result: checked([problem]) })
    expect(importStep(s)).toBe(1)
    expect(canImport(s)).toBe(false)
  })

  it('a new file forgets the old check, result and error', () => {
    let s = importReducer(start(), { type: 'pick', file: file('a.csv') })
    s = importReducer(s, { type: 'answered', result: checked() })
    s = importReducer(s, { type: 'failed', error: 'boom' })
    const b = file('b.csv')
    expect(importReducer(s, { type: 'pick', file: b })).toEqual({ file: b, dry: null, done: null, error: null })
    expect(importReducer(s, { type: 'clear' })).toEqual(emptyImport())
  })

  it('a changed setting makes the check stale but keeps the file', () => {
    const f = file()
    let s = importReducer(start(), { type: 'pick', file: f })
    s = importReducer(s, { type: 'answered', result: checked() })
    s = importReducer(s, { type: 'failed', error: 'boom' })
    s = importReducer(s, { type: 'stale' })
    expect(s).toEqual({ file: f, dry: null, done: null, error: null })
  })

  it('a refusal shows its problems; another error keeps the last check', () => {
    let s = importReducer(start(), { type: 'pick', file: file() })
    s = importReducer(s, { type: 'answered', result: checked() })
    s = importReducer(s, { type: 'failed', error: 'unavailable' })
    expect(s.error).toBe('unavailable')
    expect(s.dry).toEqual(checked())
    expect(canImport(s)).toBe(true)

    const refusal = { ...checked([problem]), created: 0, updated: 0 }
    s = importReducer(s, { type: 'failed', error: 'import failed', result: refusal })
    expect(s.dry).toBe(refusal)
    expect(canImport(s)).toBe(false)

    // A later answer clears the error.
    s = importReducer(s, { type: 'answered', result: checked() })
    expect(s.error).toBeNull()
  })
})

describe('summary helpers', () => {
  it('labels what a check would do and what an import did', () => {
    expect(countLabelKey('created', false)).toBe('import.created')
    expect(countLabelKey('created', true)).toBe('import.createdDone')
    expect(countLabelKey('updated', true)).toBe('import.updatedDone')
    expect(countLabelKey('rows', true)).toBe('import.rows')
    expect(countLabelKey('skipped', false)).toBe('import.skipped')
    const has = (k: string) => k.split('.').reduce<unknown>((o, p) => (o as Record<string, unknown> | undefined)?.[p], en)
    for (const key of ['rows', 'created', 'updated', 'skipped'])
      for (const done of [false, true]) expect(has(countLabelKey(key, done)), countLabelKey(key, done)).toBeTypeOf('string')
  })

  it('lays the counts out in even rows of at most four', () => {
    expect([0, 1, 2, 3, 4, 5, 6, 7, 8, 9].map(countColumns)).toEqual([1, 1, 2, 3, 4, 3, 3, 4, 4, 3])
  })

  it('keys a problem by row, column and message', () => {
    expect(cellErrorKey(problem)).toBe('3-Country-unknown country')
  })
})
