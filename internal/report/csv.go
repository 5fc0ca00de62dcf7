package report

import (
	"compress/gzip"
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"strconv"
	"time"

	"github.com/caravan-crm/caravan/internal/actor"
	"github.com/caravan-crm/caravan/internal/conversion"
	"github.com/caravan-crm/caravan/internal/ledger"
	"github.com/caravan-crm/caravan/internal/money"
	"github.com/caravan-crm/caravan/internal/sheet"
)

// EntriesCSV writes the rows of the commission workbook's Entries sheet (the same entries, read the
// same way, with the same cells) as CSV through gzip at its default level: what the entries cost as
// the plainest compressed file. `caravan bench` measures the workbook against it.
func (s *Service) EntriesCSV(ctx context.Context, p actor.Actor, req Request, w io.Writer) error {
	req.Range.CreatorID = ""
	b, err := s.book(ctx, p.OrgID, req)
	if err != nil {
		return err
	}
	zw := gzip.NewWriter(w)
	cw := csv.NewWriter(zw)
	head := make([]string, 0, len(entryCols)/2)
	for i := 0; i < len(entryCols); i += 2 {
		head = append(head, word(b.lang, entryCols[i].(string)))
	}
	if err := cw.Write(head); err != nil {
		return err
	}
	var row []any
	rec := make([]string, len(head))
	err = s.eachEntry(ctx, p.OrgID, b, func(e ledger.Entry, o *conversion.Ref) error {
		row = entryRow(b, e, o, row[:0])
		for j, v := range row {
			rec[j] = csvCell(v, b.loc)
		}
		return cw.Write(rec)
	}, nil)
	if err != nil {
		return err
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return err
	}
	return zw.Close()
}

// csvCell is a workbook cell as CSV text: amounts as decimals of their currency, times in the
// organization's zone, text that a spreadsheet would run as a formula neutralised.
func csvCell(v any, loc *time.Location) string {
	switch v := v.(type) {
	case nil:
		return ""
	case string:
		return sheet.NeutraliseFormula(v)
	case sheet.Text:
		return sheet.NeutraliseFormula(string(v))
	case sheet.Amount:
		return money.Format(money.Money{Minor: v.Minor, Currency: v.Currency})
	case sheet.Percent:
		return strconv.FormatFloat(float64(v), 'f', -1, 64)
	case time.Time:
		return v.In(loc).Format("2006-01-02 15:04:05")
	case float64:
		return strconv.FormatFloat(v, 'f', -1, 64)
	}
	return fmt.Sprint(v)
}
