// Keyset paging can only go forward, so "previous" replays the cursor of the page before: the stack
// holds the cursor of every page visited, the first page's being undefined.

export type CursorStack = readonly (string | undefined)[]

export const FIRST_PAGE: CursorStack = [undefined]

/** The cursor of the page shown. */
export const currentCursor = (s: CursorStack): string | undefined => s[s.length - 1]

/** 1-based number of the page shown. */
export const pageNumber = (s: CursorStack): number => s.length

export const canGoBack = (s: CursorStack): boolean => s.length > 1

/** Goes to the next page, whose cursor is the current page's next_cursor. */
export function pushCursor(s: CursorStack, next: string | null | undefined): CursorStack {
  return next ? [...s, next] : s
}

export function popCursor(s: CursorStack): CursorStack {
  return s.length > 1 ? s.slice(0, -1) : s
}
