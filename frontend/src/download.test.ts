import { describe, expect, it } from 'vitest'
import { contentLength, filenameFromDisposition, formatBytes, progressPercent, readWithProgress, type DownloadProgress } from './download'

function streamed(chunks: Uint8Array[], headers: Record<string, string> = {}): Response {
  const body = new ReadableStream<Uint8Array>({
    start(c) {
      for (const ch of chunks) c.enqueue(ch)
      c.close()
    },
  })
  return new Response(body, { headers })
}

describe('file names', () => {
  it('prefers the UTF-8 name, falls back to the plain one', () => {
    expect(filenameFromDisposition(`attachment; filename="payouts-2026-10.csv"`)).toBe('payouts-2026-10.csv')
    expect(filenameFromDisposition(`attachment; filename=plain.xlsx`)).toBe('plain.xlsx')
    expect(
      filenameFromDisposition(`attachment; filename="commissions.xlsx"; filename*=UTF-8''%E4%BD%A3%E9%87%91%E6%8A%A5%E8%A1%A8.xlsx`),
    ).toBe('佣金报表.xlsx')
    expect(filenameFromDisposition(`attachment; filename*=UTF-8''%E4%BD%A3%ZZ; filename="safe.xlsx"`)).toBe('safe.xlsx')
    expect(filenameFromDisposition(null)).toBeUndefined()
    expect(filenameFromDisposition('attachment')).toBeUndefined()
  })

  it('reads a Content-Length', () => {
    expect(contentLength('1024')).toBe(1024)
    expect(contentLength(null)).toBeNull()
    expect(contentLength('abc')).toBeNull()
  })
})

describe('reading with progress', () => {
  it('reports bytes as chunks arrive and answers the whole body', async () => {
    const seen: DownloadProgress[] = []
    let clock = 0
    const res = streamed([new Uint8Array([0x50, 0x4b]), new Uint8Array([3, 4, 5]), new Uint8Array([6])], {
      'Content-Length': '6',
      'Content-Type': 'application/zip',
    })
    const blob = await readWithProgress(res, (p) => seen.push(p), 100, () => (clock += 100))
    expect(blob.size).toBe(6)
    expect(blob.type).toBe('application/zip')
    expect(new Uint8Array(await blob.arrayBuffer())).toEqual(new Uint8Array([0x50, 0x4b, 3, 4, 5, 6]))
    expect(seen[0]).toEqual({ received: 0, total: 6 })
    expect(seen.map((p) => p.received)).toEqual([0, 2, 5, 6, 6])
    expect(seen.at(-1)).toEqual({ received: 6, total: 6 })
  })

  it('reports less often than every chunk when chunks come fast, and knows the size at the end', async () => {
    const seen: DownloadProgress[] = []
    const res = streamed(Array.from({ length: 50 }, () => new Uint8Array(10)))
    await readWithProgress(res, (p) => seen.push(p), 100, () => 5)
    expect(seen.length).toBeLessThan(5)
    expect(seen.at(-1)).toEqual({ received: 500, total: 500 })
  })
})

describe('sizes for people', () => {
  it('formats bytes in binary multiples', () => {
    expect(formatBytes(812, 'en-US')).toBe('812 B')
    expect(formatBytes(1536, 'en-US')).toBe('1.5 KB')
    expect(formatBytes(5 * 1024 * 1024, 'en-US')).toBe('5.0 MB')
    expect(progressPercent({ received: 50, total: 200 })).toBe(25)
    expect(progressPercent({ received: 50, total: null })).toBeNull()
  })
})
