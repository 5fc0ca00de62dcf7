import { describe, expect, it } from 'vitest'
import i18n from '../i18n'
import en from '../i18n/locales/en-US.json'
import zh from '../i18n/locales/zh-CN.json'
import { ApiError } from './client'
import { errorMessage, fieldErrorText, isVersionMismatch, translateCode } from './errors'

const err = (code: string, message = 'server sentence', extra: Partial<ConstructorParameters<typeof ApiError>[0]> = {}) =>
  new ApiError({ status: 400, code, message, ...extra })

describe('errorMessage', () => {
  it('translates the common codes', async () => {
    await i18n.changeLanguage('zh-CN')
    const t = i18n.t.bind(i18n)
    expect(errorMessage(err('invalid_credentials', 'invalid email or password', { status: 401 }), t)).toBe('邮箱或密码错误。')
    expect(errorMessage(err('rate_limited', 'slow down', { status: 429, retryAfter: 30 }), t)).toBe('尝试次数过多，请 30 秒后再试。')
    expect(errorMessage(err('rate_limited', 'slow down', { status: 429 }), t)).toBe('尝试次数过多，请稍后再试。')
    await i18n.changeLanguage('en-US')
    expect(errorMessage(err('setup_done', 'already', { status: 409 }), i18n.t.bind(i18n))).toBe(
      'Setup has already been completed.',
    )
  })

  it('fills the text with the answer’s params, in the user’s language', async () => {
    const taken = err('account_taken', 'the tiktok account "luna" already belongs to creator "Luna"', {
      status: 409,
      params: { platform: 'tiktok', handle: 'luna', creator_id: 'c1', creator_name: 'Luna Li' },
    })
    await i18n.changeLanguage('zh-CN')
    expect(errorMessage(taken, i18n.t.bind(i18n))).toBe('tiktok 账号 @luna 已归属达人 Luna Li。')
    await i18n.changeLanguage('en-US')
    expect(errorMessage(taken, i18n.t.bind(i18n))).toBe('The tiktok account @luna already belongs to Luna Li.')
    const stale = err('version_mismatch', 'reload', { status: 412, params: { current_version: 8 } })
    expect(errorMessage(stale, i18n.t.bind(i18n))).toContain('version 8')
  })

  it('uses the _generic text when a param the text needs is missing, never a raw {{placeholder}}', async () => {
    await i18n.changeLanguage('zh-CN')
    const t = i18n.t.bind(i18n)
    const raced = err('account_taken', 'taken', { status: 409, params: { platform: 'youtube', handle: 'amy' } })
    expect(errorMessage(raced, t)).toBe('youtube 账号 @amy 已归属其他达人。')
    expect(errorMessage(err('version_mismatch', 'x', { status: 412 }), t)).toBe('您打开后，有其他人修改了这条记录。')
    expect(errorMessage(err('unavailable', 'db down', { status: 503, retryAfter: 5 }), t)).toBe('服务暂时不可用，请 5 秒后重试。')
    expect(errorMessage(err('unavailable', 'db down', { status: 503 }), t)).toBe('服务暂时不可用，请稍后重试。')
    // A 503 whose code the UI does not know still reads as "temporarily unavailable".
    expect(errorMessage(err('weird', 'stack trace', { status: 503, retryAfter: 2 }), t)).toBe('服务暂时不可用，请 2 秒后重试。')
  })

  it('shows the server message only for codes no locale knows', async () => {
    await i18n.changeLanguage('en-US')
    const t = i18n.t.bind(i18n)
    expect(errorMessage(err('payload_shape_from_the_future', 'body exceeds 1 MiB', { status: 413 }), t)).toBe('body exceeds 1 MiB')
    expect(errorMessage(err('conflict', 'email already in use', { status: 409 }), t)).toBe(t('errors.conflict'))
    expect(errorMessage(err('weird', 'stack trace', { status: 500 }), t)).toBe(t('errors.internal'))
    expect(translateCode('Not A Code', t)).toBeUndefined()
  })

  it('recognises the 412 of a stale version', () => {
    expect(isVersionMismatch(err('version_mismatch', 'x', { status: 412 }))).toBe(true)
    expect(isVersionMismatch(err('conflict', 'x', { status: 409 }))).toBe(false)
  })
})

describe('fieldErrorText', () => {
  it('translates field codes, with the password minimum', async () => {
    await i18n.changeLanguage('zh-CN')
    const t = i18n.t.bind(i18n)
    const e = err('validation_failed', 'some fields are invalid', {
      status: 422,
      fields: { password: 'password_too_short', email: 'must be a valid email address', note: 'something new' },
      fieldCodes: { email: 'invalid_email', note: 'invalid' },
    })
    expect(fieldErrorText(e, 'password', t)).toBe('密码至少需要 10 个字符。')
    expect(fieldErrorText(e, 'email', t)).toBe('请输入有效的邮箱地址。')
    expect(fieldErrorText(e, 'note', t)).toBe('something new')
    const taken = err('account_taken', 'taken', {
      status: 409,
      fields: { 'accounts[0].handle': 'is taken by Amy' },
      fieldCodes: { 'accounts[0].handle': 'invalid' },
      params: { platform: 'tiktok', handle: 'luna', creator_name: 'Amy' },
    })
    expect(fieldErrorText(taken, 'accounts[0].handle', t)).toBe('tiktok 账号 @luna 已归属达人 Amy。')
  })
})

describe('locales', () => {
  it('translate every code the UI itself produces or checks', () => {
    for (const code of ['network', 'unauthenticated', 'forbidden', 'not_found', 'conflict', 'version_mismatch', 'validation_failed',
      'rate_limited', 'unavailable', 'internal', 'bad_request', 'choose_organization', 'password_too_short', 'password_common']) {
      expect((en.errors as Record<string, string>)[code], `en-US errors.${code}`).toBeTruthy()
      expect((zh.errors as Record<string, string>)[code], `zh-CN errors.${code}`).toBeTruthy()
    }
  })

  it('use the same placeholders in both languages', () => {
    const vars = (s: string) => [...s.matchAll(/\{\{(\w+)\}\}/g)].map((m) => m[1]).sort()
    for (const [k, v] of Object.entries(en.errors)) {
      expect(vars((zh.errors as Record<string, string>)[k] ?? ''), k).toEqual(vars(v))
    }
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
