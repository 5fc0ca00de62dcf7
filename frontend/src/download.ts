/** Saves a Blob as a file through a temporary object URL. */
export function saveBlob(blob: Blob, filename: string) {
  const url = URL.createObjectURL(blob)
  const a = document.createElement('a')
  a.href = url
  a.download = filename
  document.body.appendChild(a)
  a.click()
  a.remove()
  setTimeout(() => URL.revokeObjectURL(url), 10_000)
}

/** How far a download is: bytes received, and the whole size when the server said it (Content-Length). */
export interface DownloadProgress {
  received: number
  total: number | null
}

/**
 * The file name of a Content-Disposition header: the RFC 5987 `filename*=UTF-8''…` form first (it
 * carries Chinese names), else the plain `filename="…"`; undefined without one.
 */
export function filenameFromDisposition(header: string | null | undefined): string | undefined {
  if (!header) return undefined
  const star = /filename\*\s*=\s*(?:UTF-8|utf-8)?'[^']*'([^;]+)/.exec(header)
  if (star) {
    try {
      return decodeURIComponent(star[1].trim().replace(/^"|"$/g, ''))
    } catch {
      // a malformed escape: fall back to the plain name
    }
  }
  const plain = /filename\s*=\s*("([^"]*)"|[^;]+)/i.exec(header)
  if (!plain) return undefined
  const name = (plain[2] ?? plain[1]).trim()
  return name || undefined
}

/** The size a Content-Length header announces; null when absent or not a number (a streamed answer). */
export function contentLength(header: string | null | undefined): number | null {
  if (!header || !/^\d+$/.test(header.trim())) return null
  return Number(header.trim())
}

/**
 * Reads a response body chunk by chunk, calling onProgress after each (at most every `everyMs`
 * milliseconds, and once at the end), and answers the whole body as a Blob. A body that cannot be
 * streamed (old browsers) is read at once.
 */
export async function readWithProgress(
  res: Response,
  onProgress: (p: DownloadProgress) => void,
  everyMs = 100,
  now: () => number = () => Date.now(),
): Promise<Blob> {
  const total = contentLength(res.headers.get('Content-Length'))
  const type = res.headers.get('Content-Type') ?? 'application/octet-stream'
  if (!res.body) {
    const blob = await res.blob()
    onProgress({ received: blob.size, total: total ?? blob.size })
    return blob
  }
  const reader = res.body.getReader()
  const chunks: Uint8Array<ArrayBuffer>[] = []
  let received = 0
  let last = -Infinity
  onProgress({ received: 0, total })
  for (;;) {
    const { done, value } = await reader.read()
    if (done) break
    chunks.push(value as Uint8Array<ArrayBuffer>)
    received += value.byteLength
    const t = now()
    if (t - last >= everyMs) {
      last = t
      onProgress({ received, total })
    }
  }
  onProgress({ received, total: total ?? received })
  return new Blob(chunks, { type })
}

/** A byte count for people: "812 B", "1.4 MB" (binary multiples, one decimal), in the UI language. */
export function formatBytes(n: number, lang: string): string {
  const units = ['B', 'KB', 'MB', 'GB']
  let value = n
  let unit = 0
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024
    unit++
  }
  const digits = unit === 0 ? 0 : 1
  return `${new Intl.NumberFormat(lang, { maximumFractionDigits: digits, minimumFractionDigits: digits }).format(value)} ${units[unit]}`
}

/** A finished download's share of its size, 0–100, or null when the size is unknown. */
export function progressPercent(p: DownloadProgress): number | null {
  if (p.total === null || p.total <= 0) return null
  return Math.min(100, Math.floor((p.received * 100) / p.total))
}
