// Money arrives as integer minor units with a currency. It is turned into an exact decimal string
// (no float arithmetic) and handed to Intl.NumberFormat, which accepts decimal strings.

/** The number of decimals of a currency (JPY 0, CNY 2, KWD 3), as Intl knows it. */
export function currencyDecimals(currency: string): number {
  try {
    return new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ?? 2
  } catch {
    return 2
  }
}

/** An integer count of 10^-decimals units as an exact decimal string: (12345, 2) → "123.45". */
export function minorToDecimal(minor: number | bigint, decimals: number): string {
  if (typeof minor === 'number' && !Number.isSafeInteger(minor)) throw new RangeError(`not an integer amount: ${minor}`)
  const big = BigInt(minor)
  const negative = big < 0n
  const digits = (negative ? -big : big).toString().padStart(decimals + 1, '0')
  const whole = digits.slice(0, digits.length - decimals)
  const frac = decimals > 0 ? '.' + digits.slice(digits.length - decimals) : ''
  return (negative ? '-' : '') + whole + frac
}

/** Formats minor units of a currency for the UI language: (123456, 'USD', 'en-US') → "$1,234.56". */
export function formatMoney(minor: number, currency: string, lang: string): string {
  const decimals = currencyDecimals(currency)
  const value = minorToDecimal(minor, decimals)
  try {
    const nf = new Intl.NumberFormat(lang, {
      style: 'currency',
      currency,
      minimumFractionDigits: decimals,
      maximumFractionDigits: decimals,
    })
    // Intl.NumberFormat formats a decimal string exactly (ES2023); the cast is for older lib types.
    return nf.format(value as unknown as number)
  } catch {
    return `${value} ${currency}`
  }
}

/** Basis points as a percentage: 1250 → "12.5%". */
export function formatBps(bps: number, lang: string): string {
  const value = minorToDecimal(bps, 4) // 1250 bps = 0.1250
  return new Intl.NumberFormat(lang, { style: 'percent', maximumFractionDigits: 2 }).format(value as unknown as number)
}

/** A percentage typed in a form (12.5) as basis points (1250), rounding away float noise. */
export function percentToBps(percent: number): number {
  return Math.round(percent * 100)
}

/** Basis points as the number a percentage input shows: 1250 → 12.5. */
export function bpsToPercent(bps: number): number {
  return Number(minorToDecimal(bps, 2))
}

/** A follower count in short form for the UI language: 1234567 → "1.2M" / "123.5万". */
export function formatCount(n: number, lang: string): string {
  return new Intl.NumberFormat(lang, { notation: 'compact', maximumFractionDigits: 1 }).format(n)
}
