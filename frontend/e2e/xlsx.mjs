// Reads an .xlsx back in the end-to-end tests, with node alone: the zip's central directory, the
// entries inflated with node:zlib, and the few parts of SpreadsheetML a test looks at (sheet names,
// shared and inline strings, numbers, formulas, document properties). Enough to check what the
// server wrote; not a general spreadsheet reader.
import { inflateRawSync } from 'node:zlib'

/** The files of a zip archive: name → bytes. Sizes come from the central directory, so entries
 * written with data descriptors (a streaming writer) read as well as any other. */
export function unzip(buf) {
  let eocd = -1
  for (let i = buf.length - 22; i >= Math.max(0, buf.length - 22 - 0xffff); i--) {
    if (buf.readUInt32LE(i) === 0x06054b50) {
      eocd = i
      break
    }
  }
  if (eocd < 0) throw new Error(`not a zip: no end of central directory in ${buf.length} bytes`)
  const count = buf.readUInt16LE(eocd + 10)
  let p = buf.readUInt32LE(eocd + 16)
  const files = new Map()
  for (let n = 0; n < count; n++) {
    if (buf.readUInt32LE(p) !== 0x02014b50) throw new Error(`zip: bad central directory entry at ${p}`)
    const method = buf.readUInt16LE(p + 10)
    const size = buf.readUInt32LE(p + 20)
    const nameLen = buf.readUInt16LE(p + 28)
    const extraLen = buf.readUInt16LE(p + 30)
    const commentLen = buf.readUInt16LE(p + 32)
    const local = buf.readUInt32LE(p + 42)
    const name = buf.toString('utf8', p + 46, p + 46 + nameLen)
    if (buf.readUInt32LE(local) !== 0x04034b50) throw new Error(`zip: bad local header of ${name}`)
    const start = local + 30 + buf.readUInt16LE(local + 26) + buf.readUInt16LE(local + 28)
    const data = buf.subarray(start, start + size)
    if (method === 0) files.set(name, data)
    else if (method === 8) files.set(name, inflateRawSync(data))
    else throw new Error(`zip: ${name} uses compression method ${method}`)
    p += 46 + nameLen + extraLen + commentLen
  }
  return files
}

const unescapeXml = (s) =>
  s
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&#x([0-9a-f]+);/gi, (_, h) => String.fromCodePoint(parseInt(h, 16)))
    .replace(/&#(\d+);/g, (_, d) => String.fromCodePoint(Number(d)))
    .replace(/&amp;/g, '&')

/** The text of every <t> in a fragment (rich text keeps its runs in several). */
const texts = (xml) => [...xml.matchAll(/<t(?:\s[^>]*)?>([\s\S]*?)<\/t>/g)].map((m) => unescapeXml(m[1])).join('')

const attr = (tag, name) => tag.match(new RegExp(`\\s${name}="([^"]*)"`))?.[1]

/** A1 → [row index, column index], both from 0. */
function cellIndex(ref) {
  const m = /^([A-Z]+)(\d+)$/.exec(ref)
  let col = 0
  for (const ch of m[1]) col = col * 26 + ch.charCodeAt(0) - 64
  return [Number(m[2]) - 1, col - 1]
}

/**
 * Reads a workbook: { sheets: [{ name, rows }], sheet(name), props: { title, subject, creator, language } }.
 * rows[r][c] is a string, a number, '=FORMULA' for a formula without a cached value, or undefined.
 */
export function readXlsx(bytes) {
  const files = unzip(bytes)
  const text = (name) => {
    const f = files.get(name)
    return f ? f.toString('utf8') : undefined
  }
  const shared = [...(text('xl/sharedStrings.xml') ?? '').matchAll(/<si>([\s\S]*?)<\/si>/g)].map((m) => texts(m[1]))
  const rels = new Map(
    [...(text('xl/_rels/workbook.xml.rels') ?? '').matchAll(/<Relationship\s[^>]*>/g)].map((m) => [attr(m[0], 'Id'), attr(m[0], 'Target')]),
  )
  const workbook = text('xl/workbook.xml')
  if (!workbook) throw new Error(`not a workbook: ${[...files.keys()].join(', ')}`)
  const sheets = [...workbook.matchAll(/<sheet\s[^>]*>/g)].map((m) => {
    const name = unescapeXml(attr(m[0], 'name'))
    const target = rels.get(attr(m[0], 'r:id'))
    const path = target.startsWith('/') ? target.slice(1) : `xl/${target}`
    const xml = text(path) ?? ''
    const rows = []
    for (const c of xml.matchAll(/<c\s([^>]*?)(?:\/>|>([\s\S]*?)<\/c>)/g)) {
      const head = ` ${c[1]}`
      const body = c[2] ?? ''
      const [r, col] = cellIndex(attr(head, 'r'))
      const type = attr(head, 't')
      const v = body.match(/<v>([\s\S]*?)<\/v>/)?.[1]
      const f = body.match(/<f(?:\s[^>]*)?>([\s\S]*?)<\/f>/)?.[1]
      let value
      if (type === 's') value = shared[Number(v)]
      else if (type === 'inlineStr') value = texts(body)
      else if (type === 'str' || type === 'e') value = v === undefined ? (f !== undefined ? `=${unescapeXml(f)}` : undefined) : unescapeXml(v)
      else if (type === 'b') value = v === '1'
      else if (v !== undefined) value = Number(v)
      else if (f !== undefined) value = `=${unescapeXml(f)}`
      ;(rows[r] ??= [])[col] = value
    }
    for (let i = 0; i < rows.length; i++) rows[i] ??= []
    return { name, rows }
  })
  const core = text('docProps/core.xml') ?? ''
  const prop = (tag) => {
    const m = core.match(new RegExp(`<${tag}(?:\\s[^>]*)?>([\\s\\S]*?)</${tag}>`))
    return m ? unescapeXml(m[1]) : undefined
  }
  return {
    sheets,
    sheet: (name) => sheets.find((s) => s.name === name),
    props: { title: prop('dc:title'), subject: prop('dc:subject'), creator: prop('dc:creator'), language: prop('dc:language') },
  }
}
