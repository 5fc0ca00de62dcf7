// The generic order file's template, generated in the browser: headers the server accepts (in the
// UI language) and one example order of two SKU lines. A UTF-8 BOM lets Excel open Chinese headers.
import { csvField } from '../creators/importTemplate'

export const ORDER_TEMPLATE_HEADERS = {
  'zh-CN': ['订单号', '下单时间', '币种', '金额', '折扣', '平台', '达人账号', '优惠码', 'SKU', '数量', '退款金额'],
  'en-US': ['Order ID', 'Order Date', 'Currency', 'Amount', 'Discount', 'Platform', 'Handle', 'Promo Code', 'SKU', 'Quantity', 'Refunded'],
} as const

const EXAMPLE = [
  ['SO-10001', '2026-11-03 09:15', 'USD', '25.00', '5.00', 'tiktok', '@amy.beauty', 'AMY10', 'CUP-01', '1', ''],
  ['SO-10001', '2026-11-03 09:15', 'USD', '12.50', '', 'tiktok', '@amy.beauty', 'AMY10', 'CUP-02', '1', ''],
]

export function orderTemplateCsv(lang: string): string {
  const key = lang.startsWith('zh') ? 'zh-CN' : 'en-US'
  const rows = [ORDER_TEMPLATE_HEADERS[key], ...EXAMPLE]
  return '\uFEFF' + rows.map((r) => r.map(csvField).join(',')).join('\r\n') + '\r\n'
}
