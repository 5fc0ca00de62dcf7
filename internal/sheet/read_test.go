package sheet

import (
	"bytes"
	"strconv"
	"strings"
	"testing"

	"github.com/caravan-crm/caravan/internal/apperr"
)

func readBytes(b []byte, lim Limits) (*Table, error) {
	return Read(bytes.NewReader(b), int64(len(b)), "upload", lim)
}

// wantError asserts err is an *apperr.Error of the given code, whose message contains each of parts.
func wantError(t *testing.T, err error, kind apperr.Kind, code string, parts ...string) {
	t.Helper()
	ae, ok := apperr.As(err)
	if !ok {
		t.Fatalf("err = %v (%T), want *apperr.Error %s", err, err, code)
	}
	if ae.Kind != kind || ae.Code != code {
		t.Fatalf("err = kind %v code %q (%v), want kind %v code %q", ae.Kind, ae.Code, ae, kind, code)
	}
	for _, p := range parts {
		if !strings.Contains(ae.Message, p) {
			t.Errorf("message %q does not contain %q", ae.Message, p)
		}
	}
}

// wantRows asserts the table's rows, as "line:cell|cell".
func wantRows(t *testing.T, tab *Table, want ...string) {
	t.Helper()
	var got []string
	for _, r := range tab.Rows {
		got = append(got, strings.Join(append([]string{strconv.Itoa(r.Line)}, r.Cells...), "|"))
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("rows =\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func TestReadRefusesOversizedFileBeforeReadingIt(t *testing.T) {
	_, err := Read(bytes.NewReader(nil), 21<<20, "big.csv", Limits{})
	wantError(t, err, apperr.KindTooLarge, CodeFileTooLarge, "20 MB")
}

func TestReadRefusesOLEFilesAsProtectedOrLegacy(t *testing.T) {
	b := append(append([]byte{}, oleMagic...), make([]byte, 4096)...)
	_, err := readBytes(b, Limits{})
	wantError(t, err, apperr.KindValidation, CodeUnsupportedWorkbook, "password-protected", "old .xls", "save it as .xlsx without a password")
}

func TestReadLimitsCellsAndColumns(t *testing.T) {
	_, err := readBytes([]byte("a,b\nx,"+strings.Repeat("y", 100)+"\n"), Limits{MaxCellBytes: 50})
	wantError(t, err, apperr.KindValidation, CodeCellTooLarge, "row 2, column B")

	_, err = readBytes([]byte("a,b,c,d\n1,2,3,4\n"), Limits{MaxColumns: 3})
	wantError(t, err, apperr.KindValidation, CodeTooManyColumns, "row 1", "more than 3 columns")

	// Trailing empty cells do not count as columns.
	tab, err := readBytes([]byte("a,b,c,,,,\n1,2,3,,,,,,\n"), Limits{MaxColumns: 3})
	if err != nil {
		t.Fatal(err)
	}
	wantRows(t, tab, "2|1|2|3")
}
