import { beforeEach, describe, expect, it, vi } from 'vitest'
import en from './locales/en-US.json'
import zh from './locales/zh-CN.json'

function keys(obj: object, prefix = ''): string[] {
  return Object.entries(obj).flatMap(([k, v]) =>
    v && typeof v === 'object' ? keys(v as object, `${prefix}${k}.`) : [`${prefix}${k}`],
  )
}

function setNavigatorLanguage(lang: string) {
  vi.spyOn(window.navigator, 'language', 'get').mockReturnValue(lang)
}

/** A fresh copy of the module, so its start-up detection runs again. */
async function loadI18n() {
  vi.resetModules()
  return import('./index')
}

beforeEach(() => {
  localStorage.clear()
  vi.restoreAllMocks()
})

describe('language detection', () => {
  it('maps browser tags: zh* to zh-CN, anything else to en-US', async () => {
    const { languageFromTag } = await loadI18n()
    expect(languageFromTag('zh')).toBe('zh-CN')
    expect(languageFromTag('zh-CN')).toBe('zh-CN')
    expect(languageFromTag('zh-Hant-TW')).toBe('zh-CN')
    expect(languageFromTag('en-GB')).toBe('en-US')
    expect(languageFromTag('fr-FR')).toBe('en-US')
    expect(languageFromTag(undefined)).toBe('en-US')
  })

  it('starts in Chinese for a Chinese browser', async () => {
    setNavigatorLanguage('zh-TW')
    const { default: i18n } = await loadI18n()
    expect(i18n.language).toBe('zh-CN')
    expect(i18n.t('nav.creators')).toBe('达人')
  })

  it('starts in English for any other browser', async () => {
    setNavigatorLanguage('de-DE')
    const { default: i18n } = await loadI18n()
    expect(i18n.language).toBe('en-US')
    expect(i18n.t('nav.creators')).toBe('Creators')
  })
})

describe('language persistence', () => {
  it('remembers the chosen language in localStorage and uses it over the browser language', async () => {
    setNavigatorLanguage('zh-CN')
    let mod = await loadI18n()
    expect(mod.default.language).toBe('zh-CN')
    await mod.setLanguage('en-US')
    expect(localStorage.getItem(mod.STORAGE_KEY)).toBe('en-US')
    expect(mod.default.t('roles.manager')).toBe('Manager')
    expect(document.documentElement.lang).toBe('en-US')

    mod = await loadI18n() // a reload
    expect(mod.default.language).toBe('en-US')
  })

  it('ignores a stored value that is not a supported language', async () => {
    setNavigatorLanguage('zh-CN')
    localStorage.setItem('caravan.lang', 'klingon')
    const { default: i18n } = await loadI18n()
    expect(i18n.language).toBe('zh-CN')
  })
})

describe('resources', () => {
  it('has the same keys in both languages, none empty', () => {
    expect(keys(zh).sort()).toEqual(keys(en).sort())
    for (const k of keys(en)) {
      const get = (o: object) => k.split('.').reduce<unknown>((acc, p) => (acc as Record<string, unknown>)[p], o)
      expect(get(en), k).not.toBe('')
      expect(get(zh), k).not.toBe('')
    }
  })

  it('translates the roles as the product names them', () => {
    expect(zh.roles).toEqual({ owner: '所有者', admin: '管理员', manager: '运营', finance: '财务', viewer: '只读' })
  })
})
