import { describe, expect, it } from 'vitest'
import { FIRST_PAGE, canGoBack, currentCursor, pageNumber, popCursor, pushCursor } from './cursorStack'

describe('cursor stack', () => {
  it('starts on the first page without a cursor', () => {
    expect(currentCursor(FIRST_PAGE)).toBeUndefined()
    expect(pageNumber(FIRST_PAGE)).toBe(1)
    expect(canGoBack(FIRST_PAGE)).toBe(false)
  })

  it('goes forward with next_cursor and back to the exact previous cursor', () => {
    let s = pushCursor(FIRST_PAGE, 'c2')
    s = pushCursor(s, 'c3')
    expect(currentCursor(s)).toBe('c3')
    expect(pageNumber(s)).toBe(3)
    s = popCursor(s)
    expect(currentCursor(s)).toBe('c2')
    s = popCursor(s)
    expect(currentCursor(s)).toBeUndefined()
    expect(popCursor(s)).toBe(s) // cannot go before the first page
  })

  it('does not move when there is no next page', () => {
    expect(pushCursor(FIRST_PAGE, null)).toBe(FIRST_PAGE)
    expect(pushCursor(FIRST_PAGE, '')).toBe(FIRST_PAGE)
  })

  it('never mutates the stack it was given', () => {
    const s = pushCursor(FIRST_PAGE, 'a')
    const copy = [...s]
    pushCursor(s, 'b')
    popCursor(s)
    expect(s).toEqual(copy)
  })
})
