import { COUNTRY_CODES } from './countryCodes'

export { COUNTRY_CODES }

/** The country's name in the UI language (Intl.DisplayNames), or the code when unknown. */
export function countryName(code: string, lang: string): string {
  try {
    return new Intl.DisplayNames([lang], { type: 'region' }).of(code) ?? code
  } catch {
    return code
  }
}

/** Options for a searchable country select: "US · United States", sorted by name in the language. */
export function countryOptions(lang: string): { value: string; label: string }[] {
  const collator = new Intl.Collator(lang)
  return COUNTRY_CODES.map((code) => ({ code, name: countryName(code, lang) }))
    .sort((a, b) => collator.compare(a.name, b.name))
    .map(({ code, name }) => ({ value: code, label: `${name} (${code})` }))
}

/** A language tag's name in the UI language: "es" → "Spanish" / "西班牙语". */
export function languageName(tag: string, lang: string): string {
  try {
    return new Intl.DisplayNames([lang], { type: 'language' }).of(tag) ?? tag
  } catch {
    return tag
  }
}

/** Languages offered in the creator form (any other tag can be typed). */
export const COMMON_LANGUAGES = ['en', 'es', 'pt', 'fr', 'de', 'it', 'ru', 'ar', 'tr', 'id', 'ms', 'th', 'vi', 'ja', 'ko', 'zh', 'hi', 'tl', 'pl', 'nl']

/** Currencies offered for payouts. */
export const COMMON_CURRENCIES = ['USD', 'EUR', 'GBP', 'CNY', 'HKD', 'JPY', 'KRW', 'SGD', 'MYR', 'THB', 'IDR', 'PHP', 'VND', 'AUD', 'CAD', 'MXN', 'BRL', 'AED', 'SAR', 'KWD', 'TRY']

