package sheet

import (
	"fmt"
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"

	"github.com/caravan-crm/caravan/internal/apperr"
)

// Column is one column an import understands.
type Column struct {
	Key      string   // the stable name the import code uses; also accepted as a header
	Aliases  []string // header spellings users write, in English and Chinese: "Display Name", "显示名称"
	Required bool
}

// CellError is one problem in an import file, in the contract's shape {row, column, message}.
type CellError struct {
	Row     int    `json:"row"`
	Column  string `json:"column"`
	Message string `json:"message"`
}

func (e CellError) Error() string {
	return fmt.Sprintf("row %d, column %s: %s", e.Row, e.Column, e.Message)
}

// Mapping says which position of a row holds which column.
type Mapping struct {
	// Unknown lists, as written, the headers that match no column; the import ignores them.
	Unknown []string
	index   map[string]int
	headers []string
}

// Get returns the cell of row for key, or "" when the file has no such column or the row is short.
func (m Mapping) Get(row Row, key string) string {
	i, ok := m.index[key]
	if !ok || i >= len(row.Cells) {
		return ""
	}
	return row.Cells[i]
}

// Has reports whether the file has a column for key.
func (m Mapping) Has(key string) bool {
	_, ok := m.index[key]
	return ok
}

// Header returns the header of key as the user wrote it (for CellError.Column), or key itself.
func (m Mapping) Header(key string) string {
	if i, ok := m.index[key]; ok {
		return m.headers[i]
	}
	return key
}

// MapHeaders matches the header row against cols. Matching ignores case, white space, underscores,
// hyphens and full width ("Display Name", "display_name", "ＤＩＳＰＬＡＹ　ＮＡＭＥ" and, through its
// alias, "显示名称" are one column). A column found twice, or a required column missing, is a CellError
// on row 1 (the header row); headers matching no column are listed in Mapping.Unknown.
func MapHeaders(headers []string, cols []Column) (Mapping, []CellError) {
	byName := map[string]string{} // normalised spelling → key
	for _, c := range cols {
		for _, name := range append([]string{c.Key}, c.Aliases...) {
			n := normaliseHeader(name)
			if _, taken := byName[n]; !taken && n != "" {
				byName[n] = c.Key
			}
		}
	}
	m := Mapping{index: map[string]int{}, headers: headers}
	var errs []CellError
	for i, h := range headers {
		n := normaliseHeader(h)
		if n == "" {
			continue
		}
		key, ok := byName[n]
		if !ok {
			m.Unknown = append(m.Unknown, h)
			continue
		}
		if first, dup := m.index[key]; dup {
			errs = append(errs, CellError{Row: 1, Column: h, Message: fmt.Sprintf(
				"column %s %q repeats column %s %q (both are %s): keep only one",
				columnName(i), h, columnName(first), headers[first], key)})
			continue
		}
		m.index[key] = i
	}
	for _, c := range cols {
		if !c.Required || m.Has(c.Key) {
			continue
		}
		names := append([]string{}, c.Aliases...)
		if len(names) == 0 {
			names = []string{c.Key}
		}
		for i := range names {
			names[i] = fmt.Sprintf("%q", names[i])
		}
		// The column is named as the file would name it: its first alias, not the internal key.
		column := c.Key
		if len(c.Aliases) > 0 {
			column = c.Aliases[0]
		}
		errs = append(errs, CellError{Row: 1, Column: column, Message: fmt.Sprintf(
			"required column is missing: add a column named %s", strings.Join(names, " or "))})
	}
	return m, errs
}

// normaliseHeader folds a header to its matching form: NFKC (full width to ASCII), lower case, without
// white space, underscores, hyphens or invisible format characters.
func normaliseHeader(s string) string {
	s = norm.NFKC.String(s)
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		switch {
		case unicode.IsSpace(r), r == '_', r == '-', unicode.Is(unicode.Cf, r):
			continue
		}
		b.WriteRune(unicode.ToLower(r))
	}
	return b.String()
}

// ImportFailed is the 422 of a real import with problems: nothing was written, and the answer's
// details list every problem by row and column (params hold the rows checked and the problems).
func ImportFailed(rows int, problems []CellError) error {
	return &apperr.Error{Kind: apperr.KindValidation, Code: "import_failed",
		Message: fmt.Sprintf("the file has %d problems; nothing was imported", len(problems)),
		Details: problems, Params: map[string]any{"rows": rows, "problems": len(problems)}}
}
