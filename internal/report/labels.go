package report

import (
	"strings"

	"github.com/caravan-crm/caravan/internal/apperr"
	"github.com/caravan-crm/caravan/internal/platform"
)

// Languages of the workbooks.
const (
	LangEN = "en"
	LangZH = "zh-CN"
)

// ParseLang reads a lang parameter (en, en-US, zh, zh-CN, any case); empty gives the first language
// of acceptLanguage that is ours, else def.
func ParseLang(lang, acceptLanguage, def string) (string, error) {
	switch l := strings.ToLower(strings.TrimSpace(lang)); {
	case l == "":
	case l == "en" || strings.HasPrefix(l, "en-"):
		return LangEN, nil
	case l == "zh" || strings.HasPrefix(l, "zh-"):
		return LangZH, nil
	default:
		return "", apperr.BadRequest("invalid_parameter", "lang must be en or zh-CN")
	}
	for _, part := range strings.Split(acceptLanguage, ",") {
		tag, _, _ := strings.Cut(strings.ToLower(strings.TrimSpace(part)), ";")
		switch {
		case tag == "zh" || strings.HasPrefix(tag, "zh-"):
			return LangZH, nil
		case tag == "en" || strings.HasPrefix(tag, "en-"):
			return LangEN, nil
		}
	}
	return def, nil
}

// words are the workbooks' words in each language: sheet names, headers, enumerated values, and the
// phrases of explanations (the same as the UI's locale files, so a clerk reads what she sees on
// screen). A Ningbo finance clerk's words: 账期, 结账, 冲销, 本位币, 机构分成, 应付.
var words = map[string]map[string]string{
	LangEN: {
		// sheets
		"sheet.cover": "Cover", "sheet.summary": "Summary", "sheet.entries": "Entries", "sheet.campaigns": "By campaign",
		"sheet.platforms": "By platform", "sheet.agencies": "By agency", "sheet.fx": "FX rates",
		"sheet.statement": "Statement", "sheet.orders": "Orders",
		// cover
		"cover.title": "Commission workbook", "cover.org": "Organization", "cover.period": "Period", "cover.range": "Dates",
		"cover.status": "Status", "cover.closedAt": "Closed at", "cover.generated": "Generated at", "cover.zone": "Time zone",
		"cover.base": "Base currency", "cover.entries": "Ledger entries", "cover.rounding": "Rounding",
		"cover.payable": "Payable", "cover.sheets": "Sheets",
		"rounding": "Each ledger entry is rounded once, half away from zero, to its currency's minor unit (JPY 0 decimals; CNY, USD, EUR 2; KWD 3); " +
			"every total is the sum of rounded entries. Base-currency amounts use the FX rate of the order's day (the latest on or before it), " +
			"rounded once; a reversal uses the rate of the entry it reverses, so a full refund nets to zero in both currencies.",
		"payableRule": "Payable = commission + reversals + adjustments − agency share, over orders approved or paid (adjustments always count); " +
			"pending is the same sum over orders awaiting approval.",
		"sheetsList": "Summary: one row per creator and currency, totals per currency. Entries: every ledger entry with its explanation. " +
			"By campaign, By platform, By agency: the same figures grouped. FX rates: the rates the entries used.",
		"statement.title": "Commission statement", "statement.from": "From", "statement.to": "Creator", "statement.creatorID": "Creator ID",
		// statuses, kinds
		"period.open": "Open", "period.closed": "Closed", "period.mixed": "Partly closed",
		"kind.commission": "Commission", "kind.reversal": "Reversal", "kind.adjustment": "Adjustment",
		"status.pending": "Pending", "status.approved": "Approved", "status.paid": "Paid", "status.rejected": "Rejected", "status.reversed": "Reversed",
		"none.campaign": "(no campaign)", "none.platform": "(no platform)", "none.agency": "(no agency)", "total": "Total",
		"totalBase": "Total payable in base currency",
		// headers
		"h.creator": "Creator", "h.creatorID": "Creator ID", "h.currency": "Currency", "h.conversions": "Orders", "h.gmv": "GMV",
		"h.commission": "Commission", "h.reversals": "Reversals", "h.adjustments": "Adjustments", "h.agencyShare": "Agency share",
		"h.payable": "Payable", "h.pending": "Pending", "h.basePayable": "Payable (base currency)", "h.net": "Net commission",
		"h.entryID": "Entry ID", "h.order": "Order number", "h.source": "Order source", "h.orderDate": "Order date", "h.entryDate": "Entry date",
		"h.period": "Period", "h.platform": "Platform", "h.account": "Account", "h.campaign": "Campaign", "h.kind": "Kind",
		"h.status": "Order status", "h.rate": "Rate", "h.base": "Commission base", "h.amount": "Amount", "h.baseAmount": "Base amount",
		"h.baseCurrency": "Base currency", "h.fxRate": "FX rate", "h.explanation": "Explanation", "h.agency": "Agency",
		"h.shareRate": "Agency share rate", "h.creators": "Creators", "h.fxDay": "Rate of", "h.entries": "Entries",
		"h.toCreator": "Net to creators",
		// explanations
		"x.sep": "; ", "x.rate": "{rate} × {base} ({baseKind}) = {amount}", "x.base_net": "net", "x.base_gross": "gross",
		"x.items": "{lines} = {amount}", "x.line": "{sku} {amount} × {rate}", "x.lineSep": " + ",
		"x.flat": "flat {amount} per order", "x.plan": "plan v{version}", "x.planType.percent": "percent", "x.planType.tiered": "tiered",
		"x.planType.flat": "flat", "x.source_override": "the creator's override rate", "x.source_product": "the product's rate",
		"x.source_creator_default": "the creator's default rate", "x.source_items": "per-product rates",
		"x.tier": "tier {tier} (from {from})", "x.prior": "GMV before this order {prior}",
		"x.refund":    "−({commission} × {refunded} refunded ÷ {order}) = {amount}",
		"x.remainder": "full refund: the rest of {commission} reversed = {amount}",
		"x.rejection": "rejected: the remaining commission reversed = {amount}", "x.adjustment": "adjustment {amount}",
		"x.fx": "FX {rate} → {amount}", "x.fxDay": "FX {rate} ({day}) → {amount}",
		"x.fxMissing": "no {currency} → {base} rate for that day: base amount missing",
		"x.moved":     "{event} was closed: booked in {period}", "x.note": "note: {note}", "x.noRate": "no rate: {note}",
		"x.rule": "attributed by {rule}", "x.rule.creator": "creator", "x.rule.account": "account", "x.rule.promo_code": "promo code",
		"x.rule.click": "click", "x.rule.link": "link", "x.rule.manual": "hand",
	},
	LangZH: {
		"sheet.cover": "封面", "sheet.summary": "汇总", "sheet.entries": "明细", "sheet.campaigns": "按活动",
		"sheet.platforms": "按平台", "sheet.agencies": "按机构", "sheet.fx": "汇率",
		"sheet.statement": "对账单", "sheet.orders": "订单明细",
		"cover.title": "佣金结算表", "cover.org": "公司", "cover.period": "账期", "cover.range": "日期范围",
		"cover.status": "结账状态", "cover.closedAt": "结账时间", "cover.generated": "生成时间", "cover.zone": "时区",
		"cover.base": "本位币", "cover.entries": "分录条数", "cover.rounding": "舍入规则",
		"cover.payable": "应付口径", "cover.sheets": "工作表说明",
		"rounding": "每条分录按币种最小单位只舍入一次，四舍五入（远离零）：日元 0 位小数；人民币、美元、欧元 2 位；科威特第纳尔 3 位。" +
			"所有合计均为已舍入分录之和。本位币金额按下单当日（或之前最近一日）的汇率折算，只舍入一次；冲销沿用被冲销分录的汇率，全额退款后原币与本位币均归零。",
		"payableRule":     "应付 = 佣金 + 冲销 + 调整 − 机构分成，仅计已审核或已结算的订单（调整始终计入）；待审核金额为待审核订单的同口径合计。",
		"sheetsList":      "汇总：每位达人每个币种一行，按币种合计。明细：全部佣金分录及计算说明。按活动、按平台、按机构：同口径分组合计。汇率：分录所用汇率。",
		"statement.title": "佣金对账单", "statement.from": "付款方", "statement.to": "达人", "statement.creatorID": "达人ID",
		"period.open": "未结账", "period.closed": "已结账", "period.mixed": "部分已结账",
		"kind.commission": "佣金", "kind.reversal": "冲销", "kind.adjustment": "调整",
		"status.pending": "待审核", "status.approved": "已审核", "status.paid": "已结算", "status.rejected": "已驳回", "status.reversed": "已冲销",
		"none.campaign": "（无活动）", "none.platform": "（无平台）", "none.agency": "（无机构）", "total": "合计",
		"totalBase": "应付合计（本位币）",
		"h.creator": "达人", "h.creatorID": "达人ID", "h.currency": "币种", "h.conversions": "订单数", "h.gmv": "GMV",
		"h.commission": "佣金", "h.reversals": "冲销", "h.adjustments": "调整", "h.agencyShare": "机构分成",
		"h.payable": "应付", "h.pending": "待审核", "h.basePayable": "应付（本位币）", "h.net": "佣金净额",
		"h.entryID": "分录编号", "h.order": "订单号", "h.source": "订单来源", "h.orderDate": "下单时间", "h.entryDate": "发生时间",
		"h.period": "账期", "h.platform": "平台", "h.account": "账号", "h.campaign": "活动", "h.kind": "类型",
		"h.status": "订单状态", "h.rate": "佣金比例", "h.base": "计佣基数", "h.amount": "金额", "h.baseAmount": "本位币金额",
		"h.baseCurrency": "本位币", "h.fxRate": "汇率", "h.explanation": "计算说明", "h.agency": "机构",
		"h.shareRate": "机构分成比例", "h.creators": "达人数", "h.fxDay": "汇率日期", "h.entries": "分录数",
		"h.toCreator": "达人实得",
		"x.sep":       "；", "x.rate": "{rate} × {base}（{baseKind}）= {amount}", "x.base_net": "净额", "x.base_gross": "折前总额",
		"x.items": "{lines} = {amount}", "x.line": "{sku} {amount} × {rate}", "x.lineSep": " + ",
		"x.flat": "每单固定 {amount}", "x.plan": "方案 v{version}", "x.planType.percent": "按比例", "x.planType.tiered": "阶梯",
		"x.planType.flat": "固定金额", "x.source_override": "达人专属比例", "x.source_product": "商品佣金比例",
		"x.source_creator_default": "达人默认比例", "x.source_items": "按商品比例",
		"x.tier": "第 {tier} 档（起点 {from}）", "x.prior": "本单前 GMV {prior}",
		"x.refund":    "−（佣金 {commission} × 退款 {refunded} ÷ 订单 {order}）= {amount}",
		"x.remainder": "全额退款：冲销佣金 {commission} 的剩余部分 = {amount}",
		"x.rejection": "驳回：冲销剩余佣金 = {amount}", "x.adjustment": "调整 {amount}",
		"x.fx": "汇率 {rate} → {amount}", "x.fxDay": "汇率 {rate}（{day}）→ {amount}",
		"x.fxMissing": "当日无 {currency} → {base} 汇率，本位币金额缺失",
		"x.moved":     "{event} 已结账，计入 {period}", "x.note": "备注：{note}", "x.noRate": "无佣金比例：{note}",
		"x.rule": "归因：{rule}", "x.rule.creator": "指定达人", "x.rule.account": "达人账号", "x.rule.promo_code": "优惠码",
		"x.rule.click": "点击", "x.rule.link": "推广链接", "x.rule.manual": "手动",
	},
}

// word is the word of key in lang, the English one when lang lacks it, else the key.
func word(lang, key string) string {
	if w, ok := words[lang][key]; ok {
		return w
	}
	if w, ok := words[LangEN][key]; ok {
		return w
	}
	return key
}

// phrase fills the {name} placeholders of key's words with args given as name, value pairs.
func phrase(lang, key string, args ...string) string {
	s := word(lang, key)
	for i := 0; i+1 < len(args); i += 2 {
		s = strings.ReplaceAll(s, "{"+args[i]+"}", args[i+1])
	}
	return s
}

// enum is the word of an enumerated value (kind.reversal, status.pending), or the value itself.
func enum(lang, kind, value string) string {
	if w, ok := words[lang][kind+"."+value]; ok {
		return w
	}
	return value
}

// platformName is the catalogue's name of a platform in lang.
func platformName(lang, key string) string {
	info, ok := platform.Lookup(key)
	switch {
	case !ok:
		return key
	case lang == LangZH:
		return info.NameZh
	}
	return info.Name
}
