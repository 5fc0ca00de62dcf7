package sheet

import (
	"encoding/json"
	"strings"
	"testing"
)

var creatorColumns = []Column{
	{Key: "display_name", Aliases: []string{"Display Name", "Name", "显示名称", "达人名称"}, Required: true},
	{Key: "email", Aliases: []string{"Email", "E-mail", "邮箱", "电子邮箱"}},
	{Key: "followers", Aliases: []string{"Followers", "粉丝数"}},
}

func TestMapHeadersEnglishChineseAndMixedSpellings(t *testing.T) {
	for name, headers := range map[string][]string{
		"english":         {"Display Name", "Email", "Followers", "Notes"},
		"chinese":         {"显示名称", "邮箱", "粉丝数", "Notes"},
		"keys":            {"display_name", "EMAIL", "followers", "Notes"},
		"case and width":  {"ＤＩＳＰＬＡＹ　ＮＡＭＥ", "e-mail", " FOLLOWERS ", "Notes"},
		"underscore mess": {"Display__Name", "E_Mail", "Fol lowers", "Notes"},
	} {
		t.Run(name, func(t *testing.T) {
			m, errs := MapHeaders(headers, creatorColumns)
			if len(errs) != 0 {
				t.Fatalf("errors: %v", errs)
			}
			row := Row{Line: 2, Cells: []string{"Anna", "anna@example.com", "1200", "vip"}}
			if m.Get(row, "display_name") != "Anna" || m.Get(row, "email") != "anna@example.com" || m.Get(row, "followers") != "1200" {
				t.Errorf("mapping = %+v", m)
			}
			if strings.Join(m.Unknown, ",") != "Notes" {
				t.Errorf("unknown = %q", m.Unknown)
			}
			if m.Header("display_name") != headers[0] {
				t.Errorf("Header = %q", m.Header("display_name"))
			}
		})
	}
}

func TestMapHeadersShortRowsAndAbsentColumns(t *testing.T) {
	m, errs := MapHeaders([]string{"Name", "", "Followers"}, creatorColumns)
	if len(errs) != 0 || len(m.Unknown) != 0 {
		t.Fatalf("errs %v, unknown %q", errs, m.Unknown)
	}
	if m.Has("email") || m.Get(Row{Cells: []string{"Anna"}}, "followers") != "" || m.Get(Row{Cells: []string{"Anna"}}, "email") != "" {
		t.Error("absent column or short row must read as empty")
	}
}

func TestMapHeadersReportsDuplicateColumn(t *testing.T) {
	m, errs := MapHeaders([]string{"邮箱", "Display Name", "Email"}, creatorColumns)
	if len(errs) != 1 {
		t.Fatalf("errors = %v", errs)
	}
	e := errs[0]
	if e.Row != 1 || e.Column != "Email" || !strings.Contains(e.Message, "column C") || !strings.Contains(e.Message, "column A") {
		t.Errorf("error = %+v", e)
	}
	if m.Get(Row{Cells: []string{"first", "n", "second"}}, "email") != "first" {
		t.Error("the first of duplicate columns must win")
	}
}

func TestMapHeadersReportsMissingRequiredColumn(t *testing.T) {
	_, errs := MapHeaders([]string{"Email", "粉丝数"}, creatorColumns)
	if len(errs) != 1 {
		t.Fatalf("errors = %v", errs)
	}
	e := errs[0]
	if e.Row != 1 || e.Column != "Display Name" || !strings.Contains(e.Message, `"显示名称"`) || !strings.Contains(e.Message, `"Display Name"`) {
		t.Errorf("error = %+v", e)
	}
	b, _ := json.Marshal(e)
	if !strings.HasPrefix(string(b), `{"row":1,"column":"Display Name","message":`) {
		t.Errorf("json = %s, want the contract's {row, column, message}", b)
	}
}
