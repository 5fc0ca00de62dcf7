// UI language: zh-CN or en-US. The first choice follows the browser, then the user's pick is
// remembered in localStorage under caravan.lang.
import i18n from 'i18next'
import { initReactI18next } from 'react-i18next'
import enUS from './locales/en-US.json'
import zhCN from './locales/zh-CN.json'

export const LANGUAGES = ['zh-CN', 'en-US'] as const
export type Language = (typeof LANGUAGES)[number]
export const STORAGE_KEY = 'caravan.lang'

export function isLanguage(v: unknown): v is Language {
  return typeof v === 'string' && (LANGUAGES as readonly string[]).includes(v)
}

/** Maps a BCP 47 tag (navigator.language) to a supported language: zh* → zh-CN, else en-US. */
export function languageFromTag(tag: string | undefined | null): Language {
  return tag && tag.toLowerCase().startsWith('zh') ? 'zh-CN' : 'en-US'
}

function storage(): Storage | undefined {
  try {
    return globalThis.localStorage
  } catch {
    return undefined // storage disabled (privacy mode): fall back to detection every time
  }
}

/** The stored choice if any, else the browser's language. */
export function detectLanguage(): Language {
  const stored = storage()?.getItem(STORAGE_KEY)
  if (isLanguage(stored)) return stored
  return languageFromTag(globalThis.navigator?.language)
}

export function setLanguage(lang: Language): Promise<unknown> {
  storage()?.setItem(STORAGE_KEY, lang)
  return i18n.changeLanguage(lang)
}

export function currentLanguage(): Language {
  return isLanguage(i18n.language) ? i18n.language : 'en-US'
}

i18n.on('languageChanged', (lng) => {
  if (typeof document !== 'undefined') document.documentElement.lang = lng
})

void i18n.use(initReactI18next).init({
  resources: {
    'en-US': { translation: enUS },
    'zh-CN': { translation: zhCN },
  },
  lng: detectLanguage(),
  fallbackLng: 'en-US',
  supportedLngs: [...LANGUAGES],
  interpolation: { escapeValue: false }, // React escapes
  returnNull: false,
})

export default i18n
