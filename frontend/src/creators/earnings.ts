// What a creator has earned, from their ledger entries (GET /api/v1/commissions?creator_id=…): the sum
// in the organization's base currency of every commission, reversal and adjustment entry, each
// converted at its day's rate by the server. Entries without a rate cannot be added up: counted apart.
import type { LedgerEntry } from '../api/types'

export interface Earnings {
  /** Base-currency minor units: commission minus reversals plus adjustments. */
  base_minor: number
  /** Entries without a base amount (no FX rate on their day): left out of base_minor. */
  missing: number
  /** Entries that were added up. */
  counted: number
}

export function earnings(entries: readonly Pick<LedgerEntry, 'base_amount_minor' | 'fx_missing'>[]): Earnings {
  let base = 0
  let missing = 0
  let counted = 0
  for (const e of entries) {
    if (e.fx_missing || e.base_amount_minor === null) {
      missing++
      continue
    }
    // Reversals carry negative amounts already: the sum is what the creator is owed.
    base += e.base_amount_minor
    counted++
  }
  return { base_minor: base, missing, counted }
}
