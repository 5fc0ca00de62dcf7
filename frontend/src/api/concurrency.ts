// Optimistic concurrency: every PATCH sends the version the user saw (If-Match); a 412
// version_mismatch means someone else changed the record meanwhile. The form stays open with what
// the user typed; "Reload" fetches the latest record and mergeUntouched brings the other person's
// changes into the fields the user did not touch, so saving again sends only the user's changes.

function same(a: unknown, b: unknown): boolean {
  if (a === b) return true
  if ((a === undefined || a === null || a === '') && (b === undefined || b === null || b === '')) return true
  return JSON.stringify(a) === JSON.stringify(b)
}

/**
 * The form values to set after a reload: for each field the user left as it was (current equals
 * base, the values the form opened with), the latest value; fields the user changed keep their text.
 */
export function mergeUntouched<T extends object>(current: Partial<T>, base: T, latest: T): Partial<T> {
  const out: Partial<T> = {}
  for (const k of Object.keys(latest) as (keyof T)[]) {
    if (same(current[k], base[k]) && !same(base[k], latest[k])) out[k] = latest[k]
  }
  return out
}
