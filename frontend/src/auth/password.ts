// The password rule the server applies (NIST SP 800-63B): at least PASSWORD_MIN characters, at
// most PASSWORD_MAX, any character, no composition rules, and not one of the common passwords the
// server lists (only the server knows that list: it answers password_common).
import type { FormRule } from 'antd'
import type { TFunction } from 'i18next'

export const PASSWORD_MIN = 10
export const PASSWORD_MAX = 256

/** Counts characters as the server does (code points, not UTF-16 units). */
export function passwordLength(pw: string): number {
  return Array.from(pw).length
}

/** The form rules of a new password field: required, length in characters, not only spaces. */
export function newPasswordRules(t: TFunction): FormRule[] {
  return [
    { required: true, message: t('common.required') },
    {
      validator: (_, value: unknown) => {
        if (typeof value !== 'string' || value === '') return Promise.resolve()
        const n = passwordLength(value)
        if (n < PASSWORD_MIN) return Promise.reject(new Error(t('errors.password_too_short', { min: PASSWORD_MIN })))
        if (n > PASSWORD_MAX) return Promise.reject(new Error(t('errors.password_too_long', { max: PASSWORD_MAX })))
        if (value.trim() === '') return Promise.reject(new Error(t('errors.password_common')))
        return Promise.resolve()
      },
    },
  ]
}
