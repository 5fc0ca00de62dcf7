import { ApiError } from '../api/client'
import type { ImportCellError } from '../api/types'

/** What every import answers, dry run or not: the rows read and the problems by row and column. */
export interface ImportOutcome {
  dry_run: boolean
  rows: number
  errors: ImportCellError[]
}

/** The counts of an import beyond the common ones (created, updated, saved…), zero when nothing was read. */
export type ImportZero<R extends ImportOutcome> = Omit<R, keyof ImportOutcome>

/** The counts an import answers (rows, created, saved…): its number-valued fields. */
export type ImportCountKey<R extends ImportOutcome> = { [K in keyof R]: R[K] extends number ? K : never }[keyof R] & string

/**
 * A refused real import (422 import_failed) lists its problems in the error's details and the rows
 * read in its params; shown as a failed check (dry_run true) with the other counts at zero.
 * Undefined for any other error.
 */
export function refusedImport<R extends ImportOutcome>(err: unknown, zero: ImportZero<R>): R | undefined {
  if (err instanceof ApiError && err.code === 'import_failed' && Array.isArray(err.details)) {
    const rows = typeof err.params.rows === 'number' ? err.params.rows : 0
    return { ...zero, dry_run: true, rows, errors: err.details as ImportCellError[] } as R
  }
  return undefined
}

/** The import dialog: the chosen file, the last check (dry run), the finished import and the last error. */
export interface ImportState<R extends ImportOutcome> {
  file: File | null
  dry: R | null
  done: R | null
  error: string | null
}

export type ImportAction<R extends ImportOutcome> =
  /** A file was chosen: it replaces the old one and everything known about it. */
  | { type: 'pick'; file: File }
  /** The file was removed or the dialog closed. */
  | { type: 'clear' }
  /** A setting the server reads with the file changed: the last check no longer holds. */
  | { type: 'stale' }
  /** The server answered a check or an import. */
  | { type: 'answered'; result: R }
  /** The server refused; result carries the problems of a refused import (see refusedImport). */
  | { type: 'failed'; error: string; result?: R }

export function emptyImport<R extends ImportOutcome>(): ImportState<R> {
  return { file: null, dry: null, done: null, error: null }
}

export function importReducer<R extends ImportOutcome>(state: ImportState<R>, action: ImportAction<R>): ImportState<R> {
  switch (action.type) {
    case 'pick':
      return { ...emptyImport<R>(), file: action.file }
    case 'clear':
      return emptyImport<R>()
    case 'stale':
      return { ...state, dry: null, error: null }
    case 'answered':
      return action.result.dry_run ? { ...state, dry: action.result, error: null } : { ...state, done: action.result, error: null }
    case 'failed':
      return { ...state, dry: action.result ?? state.dry, error: action.error }
  }
}

/** The step the dialog shows: 0 choose a file, 1 checked, 2 imported. */
export function importStep(state: ImportState<ImportOutcome>): 0 | 1 | 2 {
  return state.done ? 2 : state.dry ? 1 : 0
}

/** Import is offered once a check found no problems in the chosen file. */
export function canImport(state: ImportState<ImportOutcome>): boolean {
  return !!state.file && !!state.dry && state.dry.errors.length === 0
}

/** What the summary shows: the finished import, else the last check. */
export function importShown<R extends ImportOutcome>(state: ImportState<R>): R | null {
  return state.done ?? state.dry
}

/** A row key for the problems table (a row can have several problems, in several columns). */
export function cellErrorKey(e: ImportCellError): string {
  return `${e.row}-${e.column}-${e.message}`
}

/**
 * The label of a common count: a check says what would happen ("To create"), a finished import what
 * did ("Created"). Other counts name their label themselves.
 */
export function countLabelKey(key: string, done: boolean): string {
  switch (key) {
    case 'created':
      return done ? 'import.createdDone' : 'import.created'
    case 'updated':
      return done ? 'import.updatedDone' : 'import.updated'
    default:
      return `import.${key}` // rows, skipped
  }
}

/** Columns for n counts: as few rows as possible, at most four a row, the rows evenly filled. */
export function countColumns(n: number): number {
  if (n <= 0) return 1
  return Math.ceil(n / Math.ceil(n / 4))
}
