package sheet

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/encoding/unicode"
)

var (
	bomUTF8    = []byte{0xEF, 0xBB, 0xBF}
	bomUTF16LE = []byte{0xFF, 0xFE}
	bomUTF16BE = []byte{0xFE, 0xFF}
)

// readCSV decodes b (at most Limits.MaxBytes) as delimited text.
func readCSV(b []byte, filename string, lim Limits) (*Table, error) {
	text, err := decodeText(b, filename)
	if err != nil {
		return nil, err
	}
	if trimCell(text) == "" {
		return nil, newError(CodeEmptyFile, "the file is empty", nil)
	}
	if lead := strings.TrimLeft(text, " \t\r\n"); strings.HasPrefix(lead, "<") {
		// Many web back offices "export to Excel" as an HTML table or SpreadsheetML named .xls.
		return nil, newError(CodeUnsupportedWorkbook,
			"the file is a web page or XML saved with an Excel name, not a real workbook: open it in Excel and save it as .xlsx", nil)
	}
	if !strings.Contains(text, "\n") && strings.Contains(text, "\r") {
		text = strings.ReplaceAll(text, "\r", "\n") // classic Mac line endings, which encoding/csv does not know
	}

	cr := csv.NewReader(strings.NewReader(text))
	cr.Comma = detectDelimiter(text)
	cr.FieldsPerRecord = -1
	cr.LazyQuotes = false
	cr.ReuseRecord = true

	var (
		bld builder
		// embedded counts the line breaks inside quoted cells read so far: Excel shows such a cell in one
		// row, so the row number the user sees is the text line minus them.
		embedded int
	)
	bld.lim = lim
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, csvError(err)
		}
		start, _ := cr.FieldPos(0)
		if err := bld.add(start-embedded, rec); err != nil {
			return nil, err
		}
		for _, f := range rec {
			embedded += strings.Count(f, "\n")
		}
	}
	return bld.finish("csv")
}

// decodeText turns the bytes into UTF-8: UTF-8 (with or without BOM) as is, UTF-16 with a BOM (Excel's
// "Unicode text"), otherwise GB18030, which is what Chinese Excel and WPS write for "CSV".
func decodeText(b []byte, filename string) (string, error) {
	notText := func(cause error) error {
		return invalidFile(fmt.Sprintf("%s is neither an .xlsx workbook nor a CSV text file: upload .xlsx or .csv", describe(filename)), cause)
	}
	var s string
	switch {
	case bytes.HasPrefix(b, bomUTF8):
		b = b[len(bomUTF8):]
		if !utf8.Valid(b) {
			return "", notText(errors.New("sheet: UTF-8 BOM followed by invalid UTF-8"))
		}
		s = string(b)
	case bytes.HasPrefix(b, bomUTF16LE), bytes.HasPrefix(b, bomUTF16BE):
		out, err := unicode.UTF16(unicode.LittleEndian, unicode.ExpectBOM).NewDecoder().Bytes(b)
		if err != nil || bytes.ContainsRune(out, utf8.RuneError) {
			return "", notText(err)
		}
		s = string(out)
	case utf8.Valid(b):
		s = string(b)
	default:
		out, err := simplifiedchinese.GB18030.NewDecoder().Bytes(b)
		// The decoder replaces what is not GB18030 with U+FFFD: then it was not text at all.
		if err != nil || bytes.ContainsRune(out, utf8.RuneError) {
			return "", notText(err)
		}
		s = string(out)
	}
	if !isText(s) {
		return "", notText(nil)
	}
	return s, nil
}

func describe(filename string) string {
	if filename == "" {
		return "the file"
	}
	if i := strings.LastIndexAny(filename, `/\`); i >= 0 {
		filename = filename[i+1:]
	}
	if utf8.RuneCountInString(filename) > 80 {
		filename = string([]rune(filename)[:80]) + "…"
	}
	return fmt.Sprintf("%q", filename)
}

// detectDelimiter picks the most frequent of comma, semicolon and tab outside quotes on the header line;
// a European Excel writes semicolons, "Unicode text" writes tabs. A tie or none means comma.
func detectDelimiter(text string) rune {
	counts := map[rune]int{}
	inQuotes := false
	for _, r := range text {
		if r == '"' {
			inQuotes = !inQuotes
			continue
		}
		if inQuotes {
			continue
		}
		if r == '\n' {
			break
		}
		if r == ',' || r == ';' || r == '\t' {
			counts[r]++
		}
	}
	best := ','
	for _, d := range []rune{';', '\t'} {
		if counts[d] > counts[best] {
			best = d
		}
	}
	return best
}

func csvError(err error) error {
	var pe *csv.ParseError
	if !errors.As(err, &pe) {
		return invalidFile("the CSV file could not be read", err)
	}
	var what string
	switch {
	case errors.Is(pe.Err, csv.ErrBareQuote):
		what = `a quote (") appears inside a cell that does not start with a quote`
	case errors.Is(pe.Err, csv.ErrQuote):
		what = `a quoted cell is not closed, or its closing quote is followed by other characters`
	default:
		what = pe.Err.Error()
	}
	where := fmt.Sprintf("line %d", pe.Line)
	if pe.StartLine != pe.Line {
		where = fmt.Sprintf("line %d (the row starts on line %d)", pe.Line, pe.StartLine)
	}
	msg := fmt.Sprintf("the CSV file has malformed quotes on %s: %s; fix the quotes or save the file again from Excel", where, what)
	return invalidFile(msg, err)
}
