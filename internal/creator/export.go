package creator

import (
	"context"
	"io"
	"strings"

	"github.com/caravan-crm/caravan/internal/actor"
	"github.com/caravan-crm/caravan/internal/page"
	"github.com/caravan-crm/caravan/internal/sheet"
	"github.com/caravan-crm/caravan/internal/store"
)

// exportHeaders are the export's columns in English and Chinese. Every column the import knows keeps
// a header the import accepts, and the values are the words the import reads (合作中, 小红书, 15.00%),
// so an exported file can be edited and imported back.
var exportHeaders = map[string][]string{
	"en": {"Display Name", "Country", "Status", "Tier", "Platform", "Handle", "URL", "Followers", "Growth 30d", "Account Status",
		"Email", "Phone", "WeChat", "WhatsApp", "Languages", "Tags", "Agency", "Payout Currency", "Default Rate", "Notes", "Creator ID"},
	"zh": {"显示名称", "国家", "状态", "量级", "平台", "账号", "链接", "粉丝数", "30天增长", "账号状态",
		"邮箱", "电话", "微信", "WhatsApp", "语言", "标签", "机构", "结算币种", "默认佣金率", "备注", "达人ID"},
}

// exportProps are the workbook's document properties (what Excel shows under File › Info).
var exportProps = map[string]sheet.Props{
	"en": {Title: "Creators", Subject: "Creators exported from Caravan", Creator: "Caravan", Language: "en-US"},
	"zh": {Title: "达人", Subject: "从 Caravan 导出的达人", Creator: "Caravan", Language: "zh-CN"},
}

// ExportLang picks the export language from a lang parameter or an Accept-Language header.
func ExportLang(lang, acceptLanguage string) string {
	if l := strings.ToLower(lang); l != "" {
		if strings.HasPrefix(l, "zh") {
			return "zh"
		}
		return "en"
	}
	if strings.HasPrefix(strings.ToLower(strings.TrimSpace(acceptLanguage)), "zh") {
		return "zh"
	}
	return "en"
}

// Export writes the creators matching f as an .xlsx workbook, one row per account (a creator
// without accounts gets one row). It reads the list a page at a time, so memory stays bounded.
func (s *Service) Export(ctx context.Context, p actor.Actor, f Filter, lang string, w io.Writer) error {
	agencies := map[string]string{}
	var ags []Agency
	if err := s.db.NewSelect().Model(&ags).Column("id", "name").Where("ag.org_id = ?", p.OrgID).Scan(ctx); err != nil {
		return store.MapError(err)
	}
	for _, a := range ags {
		agencies[a.ID] = a.Name
	}
	sw, err := sheet.NewWriter(w, map[string]string{"en": "Creators", "zh": "达人"}[lang], exportHeaders[lang])
	if err != nil {
		return err
	}
	if err := sw.SetProps(exportProps[lang]); err != nil {
		_ = sw.Abort()
		return err
	}
	if err := s.exportRows(ctx, p, f, lang, agencies, sw); err != nil {
		_ = sw.Abort() // removes the writer's temporary files
		return err
	}
	return sw.Close()
}

func (s *Service) exportRows(ctx context.Context, p actor.Actor, f Filter, lang string, agencies map[string]string, sw *sheet.Writer) error {
	req := page.Request{Limit: page.MaxLimit}
	f.walk = true // every page of the sort, each resuming where the page before stopped
	for {
		l, err := s.listPage(ctx, p, f, req, 0)
		if err != nil {
			return err
		}
		for _, c := range l.Items {
			agency := ""
			if c.AgencyID != nil {
				agency = agencies[*c.AgencyID]
			}
			base := func(a *Account) []any {
				var rate any
				if c.DefaultRateBps != nil {
					rate = sheet.Percent(float64(*c.DefaultRateBps) / 10000)
				}
				row := []any{c.DisplayName, c.Country, label(lang, "status", c.Status), label(lang, "tier", c.Tier), nil, nil, nil, nil, nil, nil,
					c.Email, sheetText(c.Phone), sheetText(c.WeChat), sheetText(c.WhatsApp), strings.Join(c.Languages, ", "),
					strings.Join(c.Tags, ", "), agency, c.PayoutCurrency, rate, c.Notes, sheet.Text(c.ID)}
				if a != nil {
					row[4], row[5], row[6], row[7], row[8], row[9] = platformLabel(lang, a.Platform), sheet.Text(a.Handle), a.URL, a.Followers, a.Growth30d,
						label(lang, "account", a.Status)
				}
				return row
			}
			if len(c.Accounts) == 0 {
				if err := sw.Row(base(nil)...); err != nil {
					return err
				}
			}
			for i := range c.Accounts {
				if err := sw.Row(base(&c.Accounts[i])...); err != nil {
					return err
				}
			}
		}
		if l.NextCursor == nil {
			break
		}
		if req, err = page.Parse("500", *l.NextCursor); err != nil {
			return err
		}
	}
	return nil
}

// sheetText keeps phone numbers and ids as text, so Excel neither drops leading zeros nor rounds them.
func sheetText(v *string) any {
	if v == nil {
		return nil
	}
	return sheet.Text(*v)
}
