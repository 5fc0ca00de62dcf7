import { describe, expect, it } from 'vitest'
import type { DayFigure, NamedFigure } from '../api/types'
import {
  addDays,
  customRangeProblem,
  dailySeries,
  daysBetween,
  fillDays,
  hasActivity,
  isDay,
  maxOf,
  platformSlices,
  presetRange,
  rangeFromParams,
  rangeParams,
  shareBps,
  sortMarks,
  sumMinor,
  toMajor,
  todayIn,
} from './figures'

const day = (d: string, gmv = 0, clicks = 0, conversions = 0): DayFigure => ({
  day: d,
  gmv_minor: gmv,
  commission_minor: 0,
  clicks,
  conversions,
  conversion_rate_bps: 0,
})

const named = (key: string, gmv: number): NamedFigure => ({
  key,
  name: key,
  gmv_minor: gmv,
  commission_minor: 0,
  clicks: 0,
  conversions: 0,
  conversion_rate_bps: 0,
})

describe('days', () => {
  it('knows real calendar days', () => {
    expect(isDay('2024-02-29')).toBe(true)
    expect(isDay('2025-02-29')).toBe(false)
    expect(isDay('2025-13-01')).toBe(false)
    expect(isDay('2025-1-01')).toBe(false)
    expect(isDay(null)).toBe(false)
  })

  it('adds days across months and years', () => {
    expect(addDays('2026-03-01', -1)).toBe('2026-02-28')
    expect(addDays('2024-03-01', -1)).toBe('2024-02-29')
    expect(addDays('2025-12-31', 1)).toBe('2026-01-01')
    expect(addDays('2026-01-10', 0)).toBe('2026-01-10')
    expect(() => addDays('nope', 1)).toThrow()
  })

  it('counts days with both ends included', () => {
    expect(daysBetween('2026-01-01', '2026-01-01')).toBe(1)
    expect(daysBetween('2026-01-01', '2026-01-30')).toBe(30)
    expect(daysBetween('2024-01-01', '2024-12-31')).toBe(366)
    expect(daysBetween('2026-01-02', '2026-01-01')).toBe(0)
  })

  it("takes today in the organization's time zone", () => {
    // 2026-03-01 20:30 UTC is already 2 March in Shanghai and still 1 March in New York.
    const now = new Date('2026-03-01T20:30:00Z')
    expect(todayIn('Asia/Shanghai', now)).toBe('2026-03-02')
    expect(todayIn('America/New_York', now)).toBe('2026-03-01')
    expect(todayIn('Not/AZone', now)).toBe('2026-03-01')
    expect(todayIn(undefined, now)).toBe('2026-03-01')
  })
})

describe('the range in the URL', () => {
  const today = '2026-03-10'
  const sp = (q: string) => new URLSearchParams(q)

  it('defaults to the last 30 days, today included', () => {
    expect(rangeFromParams(sp(''), today)).toEqual({ preset: 30, from: '2026-02-09', to: today })
    expect(rangeFromParams(sp('days=12'), today).preset).toBe(30)
  })

  it('reads a preset', () => {
    expect(rangeFromParams(sp('days=7'), today)).toEqual({ preset: 7, from: '2026-03-04', to: today })
    expect(rangeFromParams(sp('days=90'), today)).toEqual(presetRange(90, today))
    expect(daysBetween(presetRange(90, today).from, today)).toBe(90)
  })

  it('reads a custom range and refuses a bad one', () => {
    expect(rangeFromParams(sp('from=2025-12-01&to=2025-12-31'), today)).toEqual({ preset: 'custom', from: '2025-12-01', to: '2025-12-31' })
    expect(rangeFromParams(sp('from=2025-12-31&to=2025-12-01'), today).preset).toBe(30)
    expect(rangeFromParams(sp('from=2024-01-01&to=2025-12-31'), today).preset).toBe(30)
    expect(rangeFromParams(sp('from=2025-02-30&to=2025-03-01'), today).preset).toBe(30)
  })

  it('writes back what it reads', () => {
    for (const q of ['', 'days=7', 'days=90', 'from=2025-12-01&to=2025-12-31']) {
      expect(new URLSearchParams(rangeParams(rangeFromParams(sp(q), today))).toString()).toBe(q)
    }
  })

  it('says what is wrong with a custom range', () => {
    expect(customRangeProblem('', '2026-01-01')).toBe('incomplete')
    expect(customRangeProblem('2026-01-02', '2026-01-01')).toBe('order')
    expect(customRangeProblem('2024-01-01', '2025-01-01')).toBe('tooLong')
    expect(customRangeProblem('2025-01-01', '2026-01-01')).toBe(null)
  })
})

describe("the chart's series", () => {
  it('fills every day of the range, zeros for missing days', () => {
    const filled = fillDays([day('2026-03-02', 500, 3)], '2026-03-01', '2026-03-03')
    expect(filled.map((d) => d.day)).toEqual(['2026-03-01', '2026-03-02', '2026-03-03'])
    expect(filled.map((d) => d.gmv_minor)).toEqual([0, 500, 0])
    expect(filled.map((d) => d.clicks)).toEqual([0, 3, 0])
  })

  it('ignores days outside the range and keeps order', () => {
    const filled = fillDays([day('2026-03-03', 1), day('2026-02-01', 9), day('2026-03-01', 2)], '2026-03-01', '2026-03-03')
    expect(filled.map((d) => d.gmv_minor)).toEqual([2, 0, 1])
  })

  it('draws GMV in major units and keeps the exact minor amounts', () => {
    const s = dailySeries([day('2026-03-01', 71000, 1, 1), day('2026-03-02', 1, 0, 0)], '2026-03-01', '2026-03-02', 'CNY')
    expect(s.days).toEqual(['2026-03-01', '2026-03-02'])
    expect(s.gmv).toEqual([710, 0.01])
    expect(s.gmvMinor).toEqual([71000, 1])
    expect(s.clicks).toEqual([1, 0])
    expect(s.conversions).toEqual([1, 0])
    expect(toMajor(1234, 'JPY')).toBe(1234)
    expect(toMajor(-1234, 'KWD')).toBe(-1.234)
  })

  it('knows an empty range', () => {
    expect(hasActivity(dailySeries([], '2026-03-01', '2026-03-07', 'USD'))).toBe(false)
    expect(hasActivity(dailySeries([day('2026-03-02', 0, 1)], '2026-03-01', '2026-03-07', 'USD'))).toBe(true)
  })
})

describe('sums and shares', () => {
  it('sums minor units exactly', () => {
    expect(sumMinor([10, 20, -5])).toBe(25)
    // Float addition would give 0.30000000000000004 in major units; integers stay exact.
    expect(sumMinor([10, 20])).toBe(30)
    expect(sumMinor([Number.MAX_SAFE_INTEGER, -1])).toBe(Number.MAX_SAFE_INTEGER - 1)
    expect(() => sumMinor([Number.MAX_SAFE_INTEGER, 1])).toThrow()
    expect(() => sumMinor([0.5])).toThrow()
  })

  it('computes shares in basis points, rounded down', () => {
    expect(shareBps(1, 3)).toBe(3333)
    expect(shareBps(2, 3)).toBe(6666)
    expect(shareBps(5, 5)).toBe(10_000)
    expect(shareBps(5, 0)).toBe(0)
    expect(shareBps(-5, 10)).toBe(0)
    expect(shareBps(Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER)).toBe(10_000)
  })

  it('slices GMV by platform, with the rest as the unknown platform', () => {
    const slices = platformSlices([named('tiktok', 6000), named('youtube', 3000), named('instagram', 0)], 10_000)
    expect(slices).toEqual([
      { key: 'tiktok', gmvMinor: 6000, shareBps: 6000 },
      { key: 'youtube', gmvMinor: 3000, shareBps: 3000 },
      { key: '', gmvMinor: 1000, shareBps: 1000 },
    ])
    expect(platformSlices([named('tiktok', 10_000)], 10_000)).toHaveLength(1)
    expect(platformSlices([], 0)).toEqual([])
  })

  it('takes the largest value for table bars, never below 1', () => {
    expect(maxOf([3, 9, 2])).toBe(9)
    expect(maxOf([])).toBe(1)
    expect(maxOf([0, -4])).toBe(1)
  })
})

describe('risk marks', () => {
  it('come worst first: banned, then the most creators', () => {
    const m = (platform: string, country: string, level: 'at_risk' | 'banned', creators: number) => ({ platform, country, level, creators })
    const sorted = sortMarks([m('tiktok', 'US', 'at_risk', 3), m('youtube', 'RU', 'banned', 1), m('tiktok', 'IN', 'banned', 9), m('instagram', 'US', 'at_risk', 3)])
    expect(sorted.map((x) => `${x.platform}-${x.country}`)).toEqual(['tiktok-IN', 'youtube-RU', 'instagram-US', 'tiktok-US'])
  })
})
