import { describe, expect, it } from 'vitest'
import { earnings } from './earnings'

describe('earnings', () => {
  it('adds commission, reversals (negative) and adjustments in the base currency', () => {
    expect(
      earnings([
        { base_amount_minor: 2000, fx_missing: false },
        { base_amount_minor: 1000, fx_missing: false },
        { base_amount_minor: -500, fx_missing: false },
        { base_amount_minor: 525, fx_missing: false },
      ]),
    ).toEqual({ base_minor: 3025, missing: 0, counted: 4 })
  })

  it('leaves out the entries without an FX rate and counts them apart', () => {
    expect(
      earnings([
        { base_amount_minor: 2000, fx_missing: false },
        { base_amount_minor: null, fx_missing: true },
        { base_amount_minor: 0, fx_missing: true },
      ]),
    ).toEqual({ base_minor: 2000, missing: 2, counted: 1 })
  })

  it('is zero for a creator with no entries', () => {
    expect(earnings([])).toEqual({ base_minor: 0, missing: 0, counted: 0 })
  })
})
