// Package sheet owns reading and writing spreadsheets safely: it turns an uploaded .xlsx or .csv file
// (UTF-8, UTF-8 with BOM, UTF-16 "Unicode text" or GB18030, as Chinese Excel saves it) into a Table of
// trimmed strings with the row numbers the user sees, refusing zip bombs, encrypted or legacy workbooks,
// oversized files and binary garbage with a clear *apperr.Error; it maps English and Chinese header
// spellings onto column keys (MapHeaders); and it streams .xlsx exports with bounded memory — one
// sheet (Writer) or several (Workbook, whose zip goes straight to the destination) — neutralising
// formula injection and keeping long ids, money with its currency, dates in the reader's time zone
// and totals formulas with their cached values in the right cell types.
//
// It knows nothing of creators or orders: each import declares its Columns, each export its headers.
package sheet
