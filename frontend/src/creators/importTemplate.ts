// The import template, generated in the browser: the headers the server accepts (in the UI
// language) and one example row. A UTF-8 BOM lets Excel open the Chinese headers correctly.

export const TEMPLATE_HEADERS = {
  'zh-CN': ['显示名称', '国家', '平台', '账号', '粉丝数', '邮箱', '微信', '语言', '状态', '标签', '机构', '结算币种', '备注'],
  'en-US': ['Display Name', 'Country', 'Platform', 'Handle', 'Followers', 'Email', 'WeChat', 'Languages', 'Status', 'Tags', 'Agency', 'Payout Currency', 'Notes'],
} as const

const EXAMPLE = {
  'zh-CN': ['Amy Chen', 'US', 'tiktok', '@amy.beauty', '125000', 'amy@example.com', '', 'en', '潜在', '美妆;护肤', '', 'USD', ''],
  'en-US': ['Amy Chen', 'US', 'tiktok', '@amy.beauty', '125000', 'amy@example.com', '', 'en', 'prospect', 'beauty;skincare', '', 'USD', ''],
} as const

/** One CSV field, quoted when it holds a comma, quote or line break. */
export function csvField(v: string): string {
  return /[",\r\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v
}

export function templateCsv(lang: string): string {
  const key = lang.startsWith('zh') ? 'zh-CN' : 'en-US'
  const rows = [TEMPLATE_HEADERS[key], EXAMPLE[key]]
  return '\uFEFF' + rows.map((r) => r.map(csvField).join(',')).join('\r\n') + '\r\n'
}
