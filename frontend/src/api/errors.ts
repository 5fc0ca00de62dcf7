// Turning API errors into what the user reads: translated for known codes, the server's
// message otherwise, and field errors placed next to the form fields they concern.
import type { FormInstance } from 'antd'
import type { TFunction } from 'i18next'
import { PASSWORD_MAX, PASSWORD_MIN } from '../auth/password'
import { ApiError } from './client'

const MISSING = '\u0000missing'

/**
 * The translation of errors.<code> filled with params, or undefined when the locale has no text for
 * the code. When the answer lacks a param the text uses (no Retry-After for {{seconds}}, no
 * creator_name), errors.<code>_generic is used instead if there is one.
 */
export function translateCode(code: string, t: TFunction, params: Record<string, unknown> = {}): string | undefined {
  if (!/^[a-z][a-z0-9_]*$/.test(code)) return undefined
  // Defaults for params a code's text uses but an answer may leave out (password_too_short's min).
  const opts = { min: PASSWORD_MIN, max: PASSWORD_MAX, ...params, defaultValue: MISSING }
  const text = t(`errors.${code}`, opts) as string
  if (text === MISSING) return undefined
  if (!text.includes('{{')) return text
  const generic = t(`errors.${code}_generic`, opts) as string
  return generic !== MISSING && !generic.includes('{{') ? generic : text.replace(/\{\{[^}]*\}\}/g, '…')
}

/** Whether err is the 412 of a write over a version that someone else has since changed. */
export function isVersionMismatch(err: unknown): err is ApiError {
  return err instanceof ApiError && (err.status === 412 || err.code === 'version_mismatch')
}

/**
 * What the user reads for an error: the text of errors.<code> in their language, filled with the
 * answer's params (and seconds from Retry-After); the server's English message only for a code
 * the locales do not know (a test keeps every code the server can send translated).
 */
export function errorMessage(err: unknown, t: TFunction): string {
  if (err instanceof ApiError) {
    const params = err.retryAfter ? { seconds: err.retryAfter, ...err.params } : err.params
    const text = translateCode(err.code, t, params)
    if (text !== undefined) return text
    if (err.status === 503) return translateCode('unavailable', t, params)!
    if (err.status >= 500) return t('errors.internal')
    return err.message
  }
  return err instanceof Error ? err.message : String(err)
}

/**
 * The text for one field error: its field code translated (password_too_short, required…), else the
 * message when it is itself a known code, else the error's own translated code, else the server's
 * message.
 */
export function fieldErrorText(err: ApiError, field: string, t: TFunction): string {
  const msg = err.fields[field] ?? ''
  for (const code of [err.fieldCodes[field], msg]) {
    if (!code || code === 'invalid') continue
    const text = translateCode(code, t, err.params)
    if (text !== undefined) return text
  }
  // A field flagged by an error that is itself specific (account_taken on accounts[0].handle): its
  // translated sentence says more than the server's English field note.
  if (err.code !== 'validation_failed') {
    const text = translateCode(err.code, t, err.params)
    if (text !== undefined) return text
  }
  return msg || translateCode(err.fieldCodes[field] ?? 'invalid', t) || ''
}

/**
 * Puts the server's field errors on the matching form fields. Returns the field errors that
 * matched no field, so the caller can show them in the general message.
 */
export function applyFieldErrors(
  form: FormInstance,
  err: unknown,
  fieldNames: readonly string[],
  t: TFunction,
): Record<string, string> {
  if (!(err instanceof ApiError)) return {}
  const known = new Set(fieldNames)
  const unmatched: Record<string, string> = {}
  const fields: { name: string; errors: string[] }[] = []
  for (const name of Object.keys(err.fields)) {
    const msg = fieldErrorText(err, name, t)
    if (known.has(name)) fields.push({ name, errors: [msg] })
    else unmatched[name] = msg
  }
  if (fields.length) form.setFields(fields)
  return unmatched
}

/** A server field key as a form name path: "accounts[0].handle" → ["accounts", 0, "handle"]. */
export function fieldPath(key: string): (string | number)[] {
  const out: (string | number)[] = []
  for (const part of key.split('.')) {
    const m = /^([^[\]]*)((?:\[\d+\])*)$/.exec(part)
    if (!m) {
      out.push(part)
      continue
    }
    if (m[1]) out.push(m[1])
    for (const idx of m[2].matchAll(/\[(\d+)\]/g)) out.push(Number(idx[1]))
  }
  return out
}

/**
 * Like applyFieldErrors for forms with nested fields (lists): a server key goes on the form item
 * whose path it names when its first segment is one of topNames; `rename` maps server names to
 * form names (default_rate_bps → default_rate_percent).
 */
export function applyNestedFieldErrors(
  form: FormInstance,
  err: unknown,
  topNames: readonly string[],
  t: TFunction,
  rename: Record<string, string> = {},
): Record<string, string> {
  if (!(err instanceof ApiError)) return {}
  const unmatched: Record<string, string> = {}
  const fields: { name: (string | number)[]; errors: string[] }[] = []
  for (const key of Object.keys(err.fields)) {
    const msg = fieldErrorText(err, key, t)
    const path = fieldPath(key)
    if (typeof path[0] === 'string' && rename[path[0]]) path[0] = rename[path[0]]
    if (typeof path[0] === 'string' && topNames.includes(path[0])) fields.push({ name: path, errors: [msg] })
    else unmatched[key] = msg
  }
  if (fields.length) form.setFields(fields)
  return unmatched
}
