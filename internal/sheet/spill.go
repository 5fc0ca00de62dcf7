package sheet

import (
	"bytes"
	"os"
	"reflect"
	"unsafe"

	"github.com/xuri/excelize/v2"
)

// spillSize is how much of a worksheet's XML a stream keeps in memory before moving it to the
// stream's temporary file.
const spillSize = 1 << 20

// spill keeps an excelize StreamWriter's memory small. excelize buffers a streamed worksheet in a
// bytes.Buffer until it holds StreamChunkSize (16 MiB, a constant), then moves it to a temporary
// file; by then the buffer has doubled to 32 MiB, which it keeps until the workbook is closed, and
// every sheet below 16 MiB stays whole in memory. That one buffer was most of the commission
// workbook's heap. spill reaches the stream's buffer and temporary file (unexported fields of
// excelize's bufferedWriter) and moves the XML to the file past spillSize, through the same file
// excelize would have made: excelize still reads the worksheet from it when it writes the archive
// and removes it on Close, so the bytes written are unchanged. Sheet.write also appends the rows
// appendRow can write to the buffer itself. When a later excelize lays the stream out differently,
// spill finds nothing, and the stream keeps excelize's own buffering and every row goes through
// SetRow (TestSpillReachesTheStreamBuffer fails, so an upgrade does not lose this silently).
type spill struct {
	buf    *bytes.Buffer
	tmp    **os.File
	dir    string // excelize's Options.TmpDir
	noFile bool   // a temporary file could not be made: the XML stays in memory, as excelize does
}

// newSpill finds sw's buffer and temporary file; the zero spill (does nothing) if their layout is
// not the one expected.
func newSpill(sw *excelize.StreamWriter) spill {
	raw := reflect.ValueOf(sw).Elem().FieldByName("rawData")
	if !raw.IsValid() || raw.Kind() != reflect.Struct {
		return spill{}
	}
	buf, tmp, dir := raw.FieldByName("buf"), raw.FieldByName("tmp"), raw.FieldByName("tmpDir")
	if !buf.IsValid() || buf.Type() != reflect.TypeFor[bytes.Buffer]() || !tmp.IsValid() || tmp.Type() != reflect.TypeFor[*os.File]() ||
		!dir.IsValid() || dir.Kind() != reflect.String {
		return spill{}
	}
	return spill{buf: (*bytes.Buffer)(unsafe.Pointer(buf.UnsafeAddr())), tmp: (**os.File)(unsafe.Pointer(tmp.UnsafeAddr())), dir: dir.String()}
}

// sync moves the buffered XML to the temporary file once it holds spillSize, creating the file as
// excelize does. Like excelize, a temporary file that cannot be created leaves the XML in memory.
func (s *spill) sync() error {
	if s.buf == nil || s.noFile || s.buf.Len() < spillSize {
		return nil
	}
	if *s.tmp == nil {
		f, err := os.CreateTemp(s.dir, "excelize-")
		if err != nil {
			s.noFile = true
			return nil
		}
		*s.tmp = f
	}
	_, err := s.buf.WriteTo(*s.tmp)
	return err
}
