import { describe, expect, it } from 'vitest'
import { bpsToPercent, currencyDecimals, formatBps, formatMoney, minorToDecimal, percentToBps } from './money'

// Intl output may use a narrow no-break space; compare with plain spaces.
const plain = (s: string) => s.replace(/[\u00a0\u202f]/g, ' ')

describe('money from minor units', () => {
  it('knows the decimals of each currency', () => {
    expect(currencyDecimals('USD')).toBe(2)
    expect(currencyDecimals('CNY')).toBe(2)
    expect(currencyDecimals('JPY')).toBe(0)
    expect(currencyDecimals('KWD')).toBe(3)
  })

  it('builds exact decimal strings without floats', () => {
    expect(minorToDecimal(12345, 2)).toBe('123.45')
    expect(minorToDecimal(5, 2)).toBe('0.05')
    expect(minorToDecimal(-5, 2)).toBe('-0.05')
    expect(minorToDecimal(0, 3)).toBe('0.000')
    expect(minorToDecimal(1234, 0)).toBe('1234')
    expect(minorToDecimal(1, 3)).toBe('0.001')
    // A float sum would show 0.30000000000000004; integer minor units do not.
    expect(minorToDecimal(10 + 20, 2)).toBe('0.30')
    expect(minorToDecimal(9007199254740991, 2)).toBe('90071992547409.91')
    expect(() => minorToDecimal(1.5, 2)).toThrow(RangeError)
  })

  it('formats USD, JPY (0 decimals) and KWD (3 decimals)', () => {
    expect(formatMoney(123456, 'USD', 'en-US')).toBe('$1,234.56')
    expect(formatMoney(123456, 'JPY', 'en-US')).toBe('¥123,456')
    expect(plain(formatMoney(1234567, 'KWD', 'en-US'))).toBe('KWD 1,234.567')
    expect(formatMoney(-50, 'USD', 'en-US')).toBe('-$0.50')
    expect(formatMoney(0, 'CNY', 'zh-CN')).toBe('¥0.00')
    expect(formatMoney(9007199254740991, 'USD', 'en-US')).toBe('$90,071,992,547,409.91')
  })

  it('formats basis points as percentages', () => {
    expect(formatBps(1250, 'en-US')).toBe('12.5%')
    expect(formatBps(10000, 'en-US')).toBe('100%')
    expect(formatBps(1, 'en-US')).toBe('0.01%')
    expect(bpsToPercent(1250)).toBe(12.5)
    expect(percentToBps(12.5)).toBe(1250)
    expect(percentToBps(0.07)).toBe(7) // 0.07 * 100 = 7.000000000000001
  })
})
