package sheet

import (
	"fmt"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/caravan-crm/caravan/internal/apperr"
	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/encoding/unicode"
)

func TestReadCSVUTF8SkipsEmptyRowsAndKeepsLines(t *testing.T) {
	tab, err := readBytes([]byte("Display Name, Email \r\n Bruce Lee ,bruce@example.com\r\n\r\n,\r\n李小龙\u3000,li@example.com\r\n"), Limits{})
	if err != nil {
		t.Fatal(err)
	}
	if tab.Format != "csv" || strings.Join(tab.Headers, "|") != "Display Name|Email" || tab.HeaderLine != 1 {
		t.Fatalf("table = %+v", tab)
	}
	wantRows(t, tab, "2|Bruce Lee|bruce@example.com", "5|李小龙|li@example.com")
}

func TestReadCSVStripsUTF8BOM(t *testing.T) {
	tab, err := readBytes([]byte("\xEF\xBB\xBF显示名称,邮箱\n李小龙,li@example.com\n"), Limits{})
	if err != nil {
		t.Fatal(err)
	}
	if tab.Headers[0] != "显示名称" {
		t.Fatalf("header = %q, want the BOM stripped", tab.Headers[0])
	}
}

func TestReadCSVDecodesGB18030FromChineseExcel(t *testing.T) {
	src := "显示名称,邮箱,粉丝数\n李小龙,li@example.com,12000\n王菲 𠀀,wang@example.com,8800\n"
	b, err := simplifiedchinese.GB18030.NewEncoder().Bytes([]byte(src))
	if err != nil {
		t.Fatal(err)
	}
	if utf8.Valid(b) {
		t.Fatal("test data is valid UTF-8; it would not exercise GB18030")
	}
	tab, err := readBytes(b, Limits{})
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(tab.Headers, "|") != "显示名称|邮箱|粉丝数" {
		t.Fatalf("headers = %q", tab.Headers)
	}
	wantRows(t, tab, "2|李小龙|li@example.com|12000", "3|王菲 𠀀|wang@example.com|8800")
}

func TestReadCSVDecodesUTF16UnicodeText(t *testing.T) {
	b, err := unicode.UTF16(unicode.LittleEndian, unicode.UseBOM).NewEncoder().Bytes([]byte("名称\t金额\n李小龙\t12.50\n"))
	if err != nil {
		t.Fatal(err)
	}
	tab, err := readBytes(b, Limits{})
	if err != nil {
		t.Fatal(err)
	}
	wantRows(t, tab, "2|李小龙|12.50")
}

func TestReadCSVDetectsSemicolonAndTab(t *testing.T) {
	for name, src := range map[string]string{
		"semicolon": "name;amount;note\nAnna;1,5;\"a;b\"\n",
		"tab":       "name\tamount\tnote\nAnna\t1,5\ta;b\n",
		"comma":     "name,amount,note\nAnna,\"1,5\",a;b\n",
	} {
		t.Run(name, func(t *testing.T) {
			tab, err := readBytes([]byte(src), Limits{})
			if err != nil {
				t.Fatal(err)
			}
			if len(tab.Headers) != 3 {
				t.Fatalf("headers = %q", tab.Headers)
			}
			wantRows(t, tab, "2|Anna|1,5|a;b")
		})
	}
}

func TestReadCSVQuotedNewlinesKeepExcelRowNumbers(t *testing.T) {
	// Excel shows the multi-line address in one cell of row 2, so Carl is on row 4 even though he is on
	// text line 6; the blank line 4 is an empty Excel row and still counts.
	src := "name,address\r\nAnna,\"12 Main St\r\nFloor 3\r\nShanghai\"\r\nBob,\"x\"\r\n\r\nCarl,\"a,\"\"b\"\"\"\r\n"
	tab, err := readBytes([]byte(src), Limits{})
	if err != nil {
		t.Fatal(err)
	}
	wantRows(t, tab, "2|Anna|12 Main St\nFloor 3\nShanghai", "3|Bob|x", "5|Carl|a,\"b\"")
}

func TestReadCSVMalformedQuotesNameTheLine(t *testing.T) {
	_, err := readBytes([]byte("name,note\nAnna,ok\nBob,5\" screen\n"), Limits{})
	wantError(t, err, apperr.KindValidation, CodeInvalidFile, "malformed quotes", "line 3")

	_, err = readBytes([]byte("name,note\nAnna,\"never closed\nBob,x\n"), Limits{})
	wantError(t, err, apperr.KindValidation, CodeInvalidFile, "malformed quotes", "starts on line 2")
}

func TestReadCSVEmptyAndHeaderOnly(t *testing.T) {
	for name, src := range map[string]string{"empty": "", "blank lines": "\r\n\r\n  \n", "commas only": ",,,\n,,\n", "bom only": "\xEF\xBB\xBF"} {
		t.Run(name, func(t *testing.T) {
			_, err := readBytes([]byte(src), Limits{})
			wantError(t, err, apperr.KindValidation, CodeEmptyFile, "empty")
		})
	}
	_, err := readBytes([]byte("name,email\n,\n"), Limits{})
	wantError(t, err, apperr.KindValidation, CodeNoDataRows, "header row but no data rows")
}

func TestReadCSVStopsPastMaxRows(t *testing.T) {
	var b strings.Builder
	b.WriteString("n\n")
	for i := 0; i < 100; i++ {
		b.WriteString("x\n")
	}
	_, err := readBytes([]byte(b.String()), Limits{MaxRows: 10})
	wantError(t, err, apperr.KindValidation, CodeTooManyRows, "more than 10 rows; split it")

	tab, err := readBytes([]byte(b.String()), Limits{MaxRows: 100})
	if err != nil || len(tab.Rows) != 100 {
		t.Fatalf("exactly MaxRows rows: %v, %v", tab, err)
	}
}

func TestReadRefusesBinaryAndDisguisedFiles(t *testing.T) {
	png := []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x01\x00")
	_, err := readBytes(png, Limits{})
	wantError(t, err, apperr.KindValidation, CodeInvalidFile, "neither an .xlsx workbook nor a CSV")

	garbage := make([]byte, 512)
	for i := range garbage {
		garbage[i] = byte(0x80 + i%0x7f) // no NUL, invalid UTF-8, invalid GB18030
	}
	_, err = readBytes(garbage, Limits{})
	wantError(t, err, apperr.KindValidation, CodeInvalidFile, "neither an .xlsx workbook nor a CSV")

	_, err = readBytes([]byte("<html><body><table><tr><td>name</td></tr></table></body></html>"), Limits{})
	wantError(t, err, apperr.KindValidation, CodeUnsupportedWorkbook, "web page or XML")
}

func TestReadCSV100kRowsWithDefaultLimits(t *testing.T) {
	var b strings.Builder
	b.WriteString("Display Name,Email,Followers\n")
	for i := range DefaultLimits.MaxRows {
		fmt.Fprintf(&b, "达人%d,c%d@example.com,%d\n", i, i, i)
	}
	full := b.String()
	tab, err := readBytes([]byte(full), DefaultLimits)
	if err != nil {
		t.Fatal(err)
	}
	if last := tab.Rows[len(tab.Rows)-1]; len(tab.Rows) != 100_000 || last.Line != 100_001 || last.Cells[0] != "达人99999" {
		t.Fatalf("%d rows, last %+v", len(tab.Rows), last)
	}
	_, err = readBytes([]byte(full+"one,more,row\n"), DefaultLimits)
	wantError(t, err, apperr.KindValidation, CodeTooManyRows, "more than 100000 rows; split it")
}
