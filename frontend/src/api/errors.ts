// Turning API errors into what the user reads: translated for known codes, the server's
// message otherwise, and field errors placed next to the form fields they concern.
import type { FormInstance } from 'antd'
import type { TFunction } from 'i18next'
import { ApiError } from './client'

const TRANSLATED = new Set([
  'invalid_credentials',
  'rate_limited',
  'validation_failed',
  'setup_done',
  'conflict',
  'internal',
  'network',
  'forbidden',
  'not_found',
  'unauthenticated',
])

export function errorMessage(err: unknown, t: TFunction): string {
  if (err instanceof ApiError) {
    if (err.code === 'rate_limited') {
      return err.retryAfter !== undefined
        ? t('errors.rate_limited', { seconds: err.retryAfter })
        : t('errors.rate_limited_generic')
    }
    // A conflict's message says what clashes (which email is taken): keep it as the detail.
    if (err.code === 'conflict' && err.message) return `${t('errors.conflict')} (${err.message})`
    if (TRANSLATED.has(err.code)) return t(`errors.${err.code}`)
    if (err.status >= 500) return t('errors.internal')
    return err.message
  }
  return err instanceof Error ? err.message : String(err)
}

/**
 * Puts the server's field errors on the matching form fields. Returns the field errors that
 * matched no field, so the caller can show them in the general message.
 */
export function applyFieldErrors(
  form: FormInstance,
  err: unknown,
  fieldNames: readonly string[],
): Record<string, string> {
  if (!(err instanceof ApiError)) return {}
  const known = new Set(fieldNames)
  const unmatched: Record<string, string> = {}
  const fields: { name: string; errors: string[] }[] = []
  for (const [name, msg] of Object.entries(err.fields)) {
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
  rename: Record<string, string> = {},
): Record<string, string> {
  if (!(err instanceof ApiError)) return {}
  const unmatched: Record<string, string> = {}
  const fields: { name: (string | number)[]; errors: string[] }[] = []
  for (const [key, msg] of Object.entries(err.fields)) {
    const path = fieldPath(key)
    if (typeof path[0] === 'string' && rename[path[0]]) path[0] = rename[path[0]]
    if (typeof path[0] === 'string' && topNames.includes(path[0])) fields.push({ name: path, errors: [msg] })
    else unmatched[key] = msg
  }
  if (fields.length) form.setFields(fields)
  return unmatched
}
