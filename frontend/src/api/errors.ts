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
