// The FX-rate import template: the headers the server reads (English or Chinese) and two example rows.

/** A CSV a finance clerk fills in: date, currency, base currency, rate (1 currency = rate base). */
export function fxTemplateCsv(base: string, chinese: boolean): string {
  const other = base === 'USD' ? 'CNY' : 'USD'
  const example = other === 'USD' ? ['7.1012', '7.0987'] : ['0.1408', '0.1409']
  const header = chinese ? ['日期', '币种', '本位币', '汇率'] : ['Date', 'Currency', 'Base Currency', 'Rate']
  const rows = [header, ['2026-01-01', other, base, example[0]], ['2026-01-02', other, base, example[1]]]
  // A BOM so Excel opens the Chinese headers as UTF-8.
  return '\ufeff' + rows.map((r) => r.join(',')).join('\r\n') + '\r\n'
}
