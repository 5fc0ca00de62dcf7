import { describe, expect, it } from 'vitest'
import { formatDate, formatDateTime } from './format'

describe('formatDate', () => {
  it('writes the day alone, in the language', () => {
    const iso = '2026-03-08T12:00:00Z'
    expect(formatDate(iso, 'en-US')).toBe('Mar 8, 2026')
    expect(formatDate(iso, 'zh-CN')).toBe('2026年3月8日')
    expect(formatDateTime(iso, 'en-US')).toMatch(/^Mar 8, 2026/)
  })
  it('leaves what is not a date as it is', () => {
    expect(formatDate(null, 'en-US')).toBe('')
    expect(formatDate('soon', 'en-US')).toBe('soon')
  })
})
