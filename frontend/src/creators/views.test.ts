import { describe, expect, it } from 'vitest'
import { addView, CREATOR_COLUMNS, cleanColumns, currentView, DEFAULT_PREFS, loadPrefs, MAX_VIEWS, prefsKey, removeView, savePrefs } from './views'

function memoryStorage(): Storage {
  const m = new Map<string, string>()
  return {
    getItem: (k) => m.get(k) ?? null,
    setItem: (k, v) => void m.set(k, v),
    removeItem: (k) => void m.delete(k),
    clear: () => m.clear(),
    key: (i) => [...m.keys()][i] ?? null,
    get length() {
      return m.size
    },
  }
}

describe('creator table columns', () => {
  it('keeps known columns in the table order, the name always in', () => {
    expect(cleanColumns(['tags', 'nonsense', 'country'])).toEqual(['display_name', 'country', 'tags'])
    expect(cleanColumns([])).toEqual(['display_name'])
  })
})

describe('creator table preferences', () => {
  it('are kept per user', () => {
    const s = memoryStorage()
    savePrefs(s, 'u1', { columns: ['display_name', 'followers'], views: [] })
    expect(loadPrefs(s, 'u1').columns).toEqual(['display_name', 'followers'])
    expect(loadPrefs(s, 'u2')).toEqual(DEFAULT_PREFS)
    expect(s.getItem(prefsKey('u1'))).toContain('followers')
  })

  it('fall back to the defaults when the stored value is broken, and drop what they do not know', () => {
    const s = memoryStorage()
    s.setItem(prefsKey('u1'), '{not json')
    expect(loadPrefs(s, 'u1')).toEqual(DEFAULT_PREFS)
    s.setItem(prefsKey('u1'), JSON.stringify({ columns: ['gone'], views: [{ name: '' }, { name: 'US', search: 'country=US', columns: ['x'] }, 3] }))
    expect(loadPrefs(s, 'u1')).toEqual({ columns: ['display_name'], views: [{ name: 'US', search: 'country=US', columns: ['display_name'] }] })
  })

  it('survive a storage that refuses to write', () => {
    const refusing = { setItem: () => { throw new Error('QuotaExceededError') } }
    expect(() => savePrefs(refusing, 'u1', DEFAULT_PREFS)).not.toThrow()
    expect(loadPrefs(undefined, 'u1')).toEqual(DEFAULT_PREFS)
  })
})

describe('saved views', () => {
  it('are added newest first, replace one of the same name, and are removed by name', () => {
    let p = addView(DEFAULT_PREFS, ' US beauty ', '?country=US&tag=beauty', ['display_name', 'accounts'])
    p = addView(p, 'Exposed', 'exposed=true', [...CREATOR_COLUMNS])
    expect(p.views.map((v) => v.name)).toEqual(['Exposed', 'US beauty'])
    expect(p.views[1]).toEqual({ name: 'US beauty', search: 'country=US&tag=beauty', columns: ['display_name', 'accounts'] })
    p = addView(p, 'us BEAUTY', 'country=US', ['display_name'])
    expect(p.views.map((v) => v.name)).toEqual(['us BEAUTY', 'Exposed'])
    expect(removeView(p, 'Exposed').views.map((v) => v.name)).toEqual(['us BEAUTY'])
    expect(addView(p, '   ', 'x=1', ['display_name'])).toBe(p)
  })

  it(`keep at most ${MAX_VIEWS}`, () => {
    let p = DEFAULT_PREFS
    for (let i = 0; i < MAX_VIEWS + 5; i++) p = addView(p, `v${i}`, `q=${i}`, ['display_name'])
    expect(p.views).toHaveLength(MAX_VIEWS)
    expect(p.views[0].name).toBe(`v${MAX_VIEWS + 4}`)
  })

  it('the current view is the one with the same filters (in any order) and the same columns', () => {
    const p = addView(DEFAULT_PREFS, 'US exposed', 'country=US&exposed=true', ['display_name', 'accounts'])
    expect(currentView(p, 'exposed=true&country=US', ['accounts', 'display_name'])?.name).toBe('US exposed')
    expect(currentView(p, 'exposed=true&country=US', ['display_name'])).toBeUndefined()
    expect(currentView(p, 'country=US', ['display_name', 'accounts'])).toBeUndefined()
  })
})
