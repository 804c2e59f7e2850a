package ingest

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/encoding/unicode"
	"golang.org/x/text/transform"
)

// Encoding names reported by a text source.
const (
	EncUTF8    = "UTF-8"
	EncUTF8BOM = "UTF-8 BOM"
	EncUTF16LE = "UTF-16LE"
	EncUTF16BE = "UTF-16BE"
	EncGB18030 = "GB18030"
)

// sampleSize is how much of a text file decides its encoding and delimiter.
const sampleSize = 64 << 10

// textSource reads delimited text (CSV, TSV, semicolon-separated). It is a hand-written splitter
// rather than encoding/csv because the common case — a line without quotes — then costs one
// string allocation per row (cells are substrings of it), and because it counts records the way
// a spreadsheet program numbers rows (blank lines included). Quoted fields follow RFC 4180 with
// Excel's leniency: "" is a quote, a quote inside an unquoted field is literal, text after a
// closing quote is appended.
type textSource struct {
	f       *os.File
	name    string
	counter *countingReader
	r       io.Reader

	buf        []byte
	start, end int
	eof        bool

	delim, term byte
	encoding    string
	// utf8Lines: the file was decided UTF-8 from its first 64 KiB; a later line that is not
	// valid UTF-8 is decoded as GB18030 (files concatenated from two exports exist).
	utf8Lines bool
	gb        *encoding.Decoder

	record  int // number of the last record read
	cells   []Cell
	scratch []byte
	bounds  []int

	total     int64
	maxRecord int
	maxCols   int
}

type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

// newTextSource takes ownership of f.
func newTextSource(f *os.File, name string, limits Limits) (*textSource, error) {
	st, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("读取文件 %s：%w", name, err)
	}
	if st.Size() > limits.MaxTextSize {
		return nil, fmt.Errorf("%s：%w：文件过大（%s，上限 %s）", name, ErrLimit, sizeText(st.Size()), sizeText(limits.MaxTextSize))
	}
	sample := make([]byte, sampleSize)
	n, err := f.ReadAt(sample, 0)
	if err != nil && !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("读取文件 %s：%w", name, err)
	}
	sample = sample[:n]
	s := &textSource{
		f: f, name: name, total: st.Size(),
		maxRecord: limits.MaxTokenSize, maxCols: limits.MaxColumns,
		buf: make([]byte, 256<<10),
	}
	skip := int64(0)
	var dec *encoding.Decoder
	switch {
	case bytes.HasPrefix(sample, []byte("\xef\xbb\xbf")):
		s.encoding, skip = EncUTF8BOM, 3
		s.utf8Lines = true
	case bytes.HasPrefix(sample, []byte{0xFF, 0xFE}):
		s.encoding, dec = EncUTF16LE, unicode.UTF16(unicode.LittleEndian, unicode.ExpectBOM).NewDecoder()
	case bytes.HasPrefix(sample, []byte{0xFE, 0xFF}):
		s.encoding, dec = EncUTF16BE, unicode.UTF16(unicode.BigEndian, unicode.ExpectBOM).NewDecoder()
	case validUTF8Prefix(sample, n < sampleSize):
		s.encoding, s.utf8Lines = EncUTF8, true
	default:
		s.encoding, dec = EncGB18030, simplifiedchinese.GB18030.NewDecoder()
	}
	if _, err := f.Seek(skip, io.SeekStart); err != nil {
		return nil, fmt.Errorf("读取文件 %s：%w", name, err)
	}
	s.counter = &countingReader{r: f, n: skip}
	s.r = s.counter
	if dec != nil {
		s.r = transform.NewReader(s.counter, dec)
	}
	if s.utf8Lines {
		s.gb = simplifiedchinese.GB18030.NewDecoder()
	}
	if err := s.fill(); err != nil {
		return nil, err
	}
	s.term = detectTerminator(s.buf[s.start:s.end])
	s.delim = detectDelimiter(s.buf[s.start:s.end], s.term)
	return s, nil
}

// validUTF8Prefix reports whether b is valid UTF-8, allowing a rune cut off at the end of a
// sample that is not the whole file.
func validUTF8Prefix(b []byte, whole bool) bool {
	if !whole {
		for i := 0; i < utf8.UTFMax && len(b) > 0; i++ {
			r, size := utf8.DecodeLastRune(b)
			if r != utf8.RuneError || size != 1 {
				break
			}
			if utf8.RuneStart(b[len(b)-1]) {
				b = b[:len(b)-1]
				break
			}
			b = b[:len(b)-1]
		}
	}
	return utf8.Valid(b)
}

// detectTerminator: LF (also CRLF), or a lone CR for files from very old Mac programs.
func detectTerminator(sample []byte) byte {
	if bytes.IndexByte(sample, '\n') < 0 && bytes.IndexByte(sample, '\r') >= 0 {
		return '\r'
	}
	return '\n'
}

// delimiters are the separators a county export uses.
var delimiters = []byte{',', ';', '\t'}

// detectDelimiter picks the separator whose count per line (outside quotes) is the most
// consistent over the first lines: the one for which the most lines share the same non-zero
// count. Title lines without separators do not disturb it. A file with none is one column wide
// and the choice does not matter.
func detectDelimiter(sample []byte, term byte) byte {
	const maxLines = 50
	counts := make([][]int, len(delimiters))
	inQuote := false
	line := make([]int, len(delimiters))
	lines := 0
	for i := 0; i < len(sample) && lines < maxLines; i++ {
		c := sample[i]
		if c == '"' {
			inQuote = !inQuote
			continue
		}
		if inQuote {
			continue
		}
		if c == term || i == len(sample)-1 {
			for d := range delimiters {
				counts[d] = append(counts[d], line[d])
				line[d] = 0
			}
			lines++
			continue
		}
		for d, dc := range delimiters {
			if c == dc {
				line[d]++
			}
		}
	}
	best, bestFreq, bestMode := delimiters[0], 0, 0
	for d := range delimiters {
		freq := map[int]int{}
		for _, n := range counts[d] {
			if n > 0 {
				freq[n]++
			}
		}
		mode, f := 0, 0
		for n, k := range freq {
			if k > f || (k == f && n > mode) {
				mode, f = n, k
			}
		}
		if f > bestFreq || (f == bestFreq && mode > bestMode) {
			best, bestFreq, bestMode = delimiters[d], f, mode
		}
	}
	return best
}

// Encoding names the detected text encoding (EncUTF8, EncGB18030, …).
func (s *textSource) Encoding() string { return s.encoding }

// Delimiter is the detected separator.
func (s *textSource) Delimiter() byte { return s.delim }

func (s *textSource) Sheet() string { return "" }

func (s *textSource) Progress() (int64, int64) { return s.counter.n, s.total }

func (s *textSource) Close() error { return s.f.Close() }

// fill moves the unread bytes to the front of the buffer and reads more, growing the buffer when
// it is full (one line longer than the buffer) up to the record limit.
func (s *textSource) fill() error {
	if s.start > 0 {
		copy(s.buf, s.buf[s.start:s.end])
		s.end -= s.start
		s.start = 0
	}
	if s.end == len(s.buf) {
		if len(s.buf) >= s.maxRecord {
			return s.tooLong()
		}
		nb := make([]byte, min(2*len(s.buf), s.maxRecord))
		copy(nb, s.buf[:s.end])
		s.buf = nb
	}
	for {
		n, err := s.r.Read(s.buf[s.end:])
		s.end += n
		if errors.Is(err, io.EOF) {
			s.eof = true
			return nil
		}
		if err != nil {
			return fmt.Errorf("读取文件 %s：%w", s.name, err)
		}
		if n > 0 {
			return nil
		}
	}
}

func (s *textSource) tooLong() error {
	return fmt.Errorf("%s：%w：第 %d 行超过 %s（可能是某个双引号没有闭合，或不是表格文件）", s.name, ErrLimit, s.record+1, sizeText(int64(s.maxRecord)))
}

func (s *textSource) Next() (Row, error) {
	for {
		ok, err := s.readRecord()
		if err != nil {
			return Row{}, err
		}
		if !ok {
			return Row{}, io.EOF
		}
		r := Row{Number: s.record, Cells: s.cells}
		if !r.blank() {
			return r, nil
		}
	}
}

// readRecord reads one record into s.cells; false at the end of the file.
func (s *textSource) readRecord() (bool, error) {
	for {
		data := s.buf[s.start:s.end]
		i := bytes.IndexByte(data, s.term)
		if i < 0 && !s.eof {
			if err := s.fill(); err != nil {
				return false, err
			}
			continue
		}
		if i < 0 && len(data) == 0 {
			return false, nil
		}
		line := data
		if i >= 0 {
			line = data[:i]
		}
		if bytes.IndexByte(line, '"') >= 0 {
			return s.readQuoted()
		}
		s.start += len(line)
		if i >= 0 {
			s.start++
		}
		if s.term == '\n' && len(line) > 0 && line[len(line)-1] == '\r' {
			line = line[:len(line)-1]
		}
		s.record++
		return true, s.split(line)
	}
}

// split cuts an unquoted line at the delimiter. The cells are substrings of one string.
func (s *textSource) split(line []byte) error {
	s.cells = splitLine(s.cells[:0], line, s.delim, s.utf8Lines, s.gb)
	return s.checkColumns()
}

// splitLine appends the cells of an unquoted line to cells. In a file decided UTF-8, a line that
// is not valid UTF-8 is decoded as GB18030 first (gb).
func splitLine(cells []Cell, line []byte, delim byte, utf8Lines bool, gb *encoding.Decoder) []Cell {
	return splitString(cells, string(decodeLine(line, utf8Lines, gb)), delim)
}

// decodeLine returns a line of a file decided UTF-8 that is not valid UTF-8 decoded as GB18030
// (files concatenated from two exports exist), any other line as it is.
func decodeLine(line []byte, utf8Lines bool, gb *encoding.Decoder) []byte {
	if utf8Lines && !validUTF8(line) {
		if dec, err := gb.Bytes(line); err == nil {
			return dec
		}
	}
	return line
}

// splitString appends the cells of an unquoted line to cells: substrings of str.
func splitString(cells []Cell, str string, delim byte) []Cell {
	for {
		j := strings.IndexByte(str, delim)
		if j < 0 {
			return append(cells, Cell{Value: str})
		}
		cells = append(cells, Cell{Value: str[:j]})
		str = str[j+1:]
	}
}

func (s *textSource) checkColumns() error {
	if n := usedColumns(s.cells); n > s.maxCols {
		return fmt.Errorf("%s：%w：第 %d 行有 %d 列（上限 %d 列）", s.name, ErrLimit, s.record, n, s.maxCols)
	}
	return nil
}

// usedColumns is the number of cells up to the last one with a value.
func usedColumns(cells []Cell) int {
	n := len(cells)
	for n > 0 && cells[n-1].Value == "" {
		n--
	}
	return n
}

// readQuoted reads a record that contains a quote, possibly over several physical lines. The
// unescaped field text goes to s.scratch, so consumed input can be dropped from the buffer and a
// long record needs no bigger buffer.
func (s *textSource) readQuoted() (bool, error) {
	s.scratch = s.scratch[:0]
	s.bounds = s.bounds[:0]
	startRow := s.record + 1
	pos := s.start
	inQuote, fieldStart := false, true
	need := func() (bool, error) { // more input at pos; false at the end of the file
		if pos < s.end {
			return true, nil
		}
		if s.eof {
			return false, nil
		}
		s.start = pos
		if err := s.fill(); err != nil {
			return false, err
		}
		pos = s.start
		return pos < s.end || !s.eof, nil
	}
	for {
		if len(s.scratch) > s.maxRecord {
			s.record = startRow - 1
			return false, s.tooLong()
		}
		more, err := need()
		if err != nil {
			return false, err
		}
		if !more {
			if inQuote {
				return false, fmt.Errorf("%s：%w：第 %d 行的双引号没有闭合（从这里到文件末尾都成了一个单元格）；请检查该行", s.name, ErrCorrupt, startRow)
			}
			break
		}
		if pos >= s.end {
			continue
		}
		c := s.buf[pos]
		if inQuote {
			if c != '"' {
				s.scratch = append(s.scratch, c)
				pos++
				continue
			}
			pos++
			if more, err = need(); err != nil {
				return false, err
			}
			if more && pos < s.end && s.buf[pos] == '"' {
				s.scratch = append(s.scratch, '"')
				pos++
				continue
			}
			inQuote = false
			continue
		}
		if c == s.delim {
			s.bounds = append(s.bounds, len(s.scratch))
			fieldStart = true
			pos++
			continue
		}
		if c == '"' && fieldStart {
			inQuote, fieldStart = true, false
			pos++
			continue
		}
		if c == s.term {
			pos++
			break
		}
		if c == '\r' && s.term == '\n' {
			pos++
			if more, err = need(); err != nil {
				return false, err
			}
			if more && pos < s.end && s.buf[pos] == '\n' {
				pos++
				break
			}
			if !more {
				break
			}
			s.scratch = append(s.scratch, '\r')
			fieldStart = false
			continue
		}
		s.scratch = append(s.scratch, c)
		fieldStart = false
		pos++
	}
	s.start = pos
	s.record = startRow
	s.bounds = append(s.bounds, len(s.scratch))
	str := string(s.scratch)
	s.cells = s.cells[:0]
	prev := 0
	for _, b := range s.bounds {
		v := str[prev:b]
		if s.utf8Lines && !utf8.ValidString(v) {
			if dec, err := s.gb.String(v); err == nil {
				v = dec
			}
		}
		s.cells = append(s.cells, Cell{Value: v})
		prev = b
	}
	return true, s.checkColumns()
}

// sizeText renders a byte count for a message.
func sizeText(n int64) string {
	switch {
	case n >= 1<<30:
		return fmt.Sprintf("%.1f GB", float64(n)/(1<<30))
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d 字节", n)
}
