import { describe, expect, it } from 'vitest'
import i18n from '../i18n'
import { ApiError } from './client'
import { errorMessage } from './errors'

const err = (code: string, message = 'server sentence', extra: Partial<ConstructorParameters<typeof ApiError>[0]> = {}) =>
  new ApiError({ status: 400, code, message, ...extra })

describe('errorMessage', () => {
  it('translates the common codes', async () => {
    await i18n.changeLanguage('zh-CN')
    const t = i18n.t.bind(i18n)
    expect(errorMessage(err('invalid_credentials', 'invalid email or password', { status: 401 }), t)).toBe('邮箱或密码错误。')
    expect(errorMessage(err('rate_limited', 'slow down', { status: 429, retryAfter: 30 }), t)).toBe('尝试次数过多，请 30 秒后再试。')
    await i18n.changeLanguage('en-US')
    expect(errorMessage(err('setup_done', 'already', { status: 409 }), i18n.t.bind(i18n))).toBe(
      'Setup has already been completed.',
    )
  })

  it('shows the server message for codes it does not know, and keeps conflict details', async () => {
    await i18n.changeLanguage('en-US')
    const t = i18n.t.bind(i18n)
    expect(errorMessage(err('payload_too_large', 'body exceeds 1 MiB', { status: 413 }), t)).toBe('body exceeds 1 MiB')
    expect(errorMessage(err('conflict', 'email already in use', { status: 409 }), t)).toContain('email already in use')
    expect(errorMessage(err('weird', 'stack trace', { status: 503 }), t)).toBe(t('errors.internal'))
  })
})

describe('fieldPath', () => {
  it('turns server field keys into form name paths', async () => {
    const { fieldPath } = await import('./errors')
    expect(fieldPath('display_name')).toEqual(['display_name'])
    expect(fieldPath('accounts[0].handle')).toEqual(['accounts', 0, 'handle'])
    expect(fieldPath('accounts[12].platform')).toEqual(['accounts', 12, 'platform'])
    expect(fieldPath('tags[3]')).toEqual(['tags', 3])
  })
})
