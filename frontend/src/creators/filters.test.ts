import { describe, expect, it } from 'vitest'
import { EMPTY_FILTERS, activeFilterCount, filtersFromSearch, filtersToQuery, filtersToSearch, type CreatorFilters } from './filters'

const full: CreatorFilters = {
  q: 'amy beauty',
  status: ['active', 'paused'],
  country: ['US', 'GB'],
  platform: ['tiktok'],
  tier: ['micro', 'mid'],
  agency_id: 'ag-1',
  tag: ['beauty', 'skin care'],
  min_followers: 1000,
  max_followers: 500000,
  exposed: true,
  sort: '-followers',
}

describe('creator filters in the URL', () => {
  it('round-trips every filter through the query string', () => {
    const qs = filtersToSearch(full).toString()
    expect(filtersFromSearch(new URLSearchParams(qs))).toEqual(full)
  })

  it('leaves out empty values and the default sort', () => {
    expect(filtersToSearch(EMPTY_FILTERS).toString()).toBe('')
    expect(filtersToSearch({ ...EMPTY_FILTERS, q: '  ', status: ['active'] }).toString()).toBe('status=active')
  })

  it('uses the API parameter names, tags repeated', () => {
    const qs = filtersToSearch(full).toString()
    expect(qs).toBe(
      'q=amy+beauty&status=active%2Cpaused&country=US%2CGB&platform=tiktok&tier=micro%2Cmid&agency_id=ag-1' +
        '&tag=beauty&tag=skin+care&min_followers=1000&max_followers=500000&exposed=true&sort=-followers',
    )
  })

  it('reads an empty query as no filters', () => {
    expect(filtersFromSearch(new URLSearchParams())).toEqual({ ...EMPTY_FILTERS, min_followers: undefined, max_followers: undefined })
  })

  it('drops values it does not know instead of failing the list', () => {
    const f = filtersFromSearch(
      new URLSearchParams('status=active,bogus&tier=giga&sort=random&min_followers=-3&max_followers=1e9&country=us,USA'),
    )
    expect(f.status).toEqual(['active'])
    expect(f.tier).toEqual([])
    expect(f.sort).toBe('-created_at')
    expect(f.min_followers).toBeUndefined()
    expect(f.max_followers).toBeUndefined()
    expect(f.country).toEqual(['US'])
  })

  it('accepts repeated parameters as well as comma lists, without duplicates', () => {
    const f = filtersFromSearch(new URLSearchParams('status=active&status=paused,active&tag=a&tag=a&tag=b'))
    expect(f.status).toEqual(['active', 'paused'])
    expect(f.tag).toEqual(['a', 'b'])
  })

  it('keeps a pasted profile URL as the search text', () => {
    const url = 'https://www.tiktok.com/@amy.beauty?lang=en'
    const qs = filtersToSearch({ ...EMPTY_FILTERS, q: url }).toString()
    expect(filtersFromSearch(new URLSearchParams(qs)).q).toBe(url)
  })

  it('builds the API query and counts the active filters', () => {
    expect(filtersToQuery(full)).toMatchObject({ status: 'active,paused', tag: ['beauty', 'skin care'], sort: '-followers' })
    expect(filtersToQuery(EMPTY_FILTERS).status).toBeUndefined()
    expect(activeFilterCount(full)).toBe(9)
    expect(filtersToQuery(full).exposed).toBe('true')
    expect(filtersToQuery(EMPTY_FILTERS).exposed).toBeUndefined()
    expect(filtersFromSearch(new URLSearchParams('exposed=yes')).exposed).toBe(false)
    expect(activeFilterCount({ ...EMPTY_FILTERS, q: 'x' })).toBe(0)
  })
})
