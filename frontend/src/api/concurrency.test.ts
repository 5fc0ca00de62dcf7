import { describe, expect, it } from 'vitest'
import { mergeUntouched } from './concurrency'

describe('mergeUntouched', () => {
  it('brings the latest values into the fields the user did not change, keeping what they typed', () => {
    const base = { name: 'Luna', country: 'US', email: '', tags: ['a'] }
    const latest = { name: 'Luna', country: 'CN', email: 'luna@example.com', tags: ['a', 'b'] }
    const current = { name: 'Luna Li', country: 'US', email: undefined, tags: ['a'] }
    expect(mergeUntouched(current, base, latest)).toEqual({ country: 'CN', email: 'luna@example.com', tags: ['a', 'b'] })
  })

  it('leaves a field the user changed even when someone else changed it too', () => {
    expect(mergeUntouched({ name: 'Mine' }, { name: 'Old' }, { name: 'Theirs' })).toEqual({})
  })
})
