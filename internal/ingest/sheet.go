package ingest

import (
	"bytes"
	"fmt"
	"io"
	"math"
	"strconv"
	"time"
)

// sheetSource streams the rows of one worksheet part (<sheetData><row><c …>).
type sheetSource struct {
	book     *xlsxBook
	info     sheetInfo
	rc       io.ReadCloser
	sc       *xmlScanner
	sst      *sharedStrings
	total    int64
	ownsBook bool

	started, done bool
	rowNum        int

	cells []Cell
	vals  []byte     // non-shared values of the current row, back to back
	spans []cellSpan // where each value of the current row is
	tmp   []byte
}

// cellSpan locates one value of the current row: in vals[start:end], or shared string sst.
type cellSpan struct {
	col        int // 0-based
	start, end int
	sst        int // ≥ 0: index into the shared strings
	numeric    bool
}

func (s *sheetSource) Sheet() string { return s.info.name }

func (s *sheetSource) Progress() (int64, int64) { return s.sc.offset(), s.total }

func (s *sheetSource) Close() error {
	err := s.rc.Close()
	if s.ownsBook {
		if cerr := s.book.close(); err == nil {
			err = cerr
		}
	}
	return err
}

func (s *sheetSource) fail(err error) error {
	return s.book.partError(s.info.part, err)
}

func (s *sheetSource) Next() (Row, error) {
	for {
		ok, err := s.readRow()
		if err != nil {
			return Row{}, err
		}
		if !ok {
			return Row{}, io.EOF
		}
		r := Row{Number: s.rowNum, Cells: s.cells}
		if !r.blank() {
			return r, nil
		}
	}
}

// readRow reads the next <row> element into s.cells; false after </sheetData>.
func (s *sheetSource) readRow() (bool, error) {
	sc := s.sc
	for !s.done {
		if err := sc.next(); err != nil {
			return false, s.fail(err)
		}
		switch sc.kind {
		case tokEOF:
			if !s.started {
				return false, s.book.corrupt("工作表“%s”没有数据区（sheetData）", s.info.name)
			}
			s.done = true
		case tokEnd:
			if string(sc.local) == "sheetData" {
				s.done = true
			}
		case tokStart:
			if !s.started {
				s.started = string(sc.local) == "sheetData" && !sc.selfClosing
				if string(sc.local) == "sheetData" && sc.selfClosing {
					s.started, s.done = true, true
				}
				continue
			}
			if string(sc.local) != "row" {
				if err := sc.skip(); err != nil {
					return false, s.fail(err)
				}
				continue
			}
			if r, ok := sc.attr("r"); ok {
				n, err := strconv.Atoi(string(r))
				if err != nil || n < 1 || n > 1<<20 {
					return false, s.book.corrupt("工作表“%s”的行号“%s”无效", s.info.name, r)
				}
				s.rowNum = n
			} else {
				s.rowNum++
			}
			if err := s.readCells(); err != nil {
				return false, err
			}
			return true, nil
		}
	}
	return false, nil
}

// readCells reads the <c> elements of the current row, up to </row>.
func (s *sheetSource) readCells() error {
	sc := s.sc
	s.vals, s.spans = s.vals[:0], s.spans[:0]
	if !sc.selfClosing {
		col := -1
		for {
			if err := sc.next(); err != nil {
				return s.fail(err)
			}
			if sc.kind == tokEOF {
				return s.fail(errXMLSyntax)
			}
			if sc.kind == tokEnd && string(sc.local) == "row" {
				break
			}
			if sc.kind != tokStart {
				continue
			}
			if string(sc.local) != "c" {
				if err := sc.skip(); err != nil {
					return s.fail(err)
				}
				continue
			}
			// One pass over the attributes: r (reference), s (style), t (type).
			var ref, typ []byte
			style, hasRef := -1, false
			for a := sc.attrs; ; {
				key, val, rest, ok := nextAttr(a)
				if !ok {
					break
				}
				switch string(key) {
				case "r":
					ref, hasRef = val, true
				case "s":
					if n, err := strconv.Atoi(string(val)); err == nil {
						style = n
					}
				case "t":
					typ = val
				}
				a = rest
			}
			if hasRef {
				c, err := columnIndex(ref)
				if err != nil {
					return s.book.corrupt("工作表“%s”第 %d 行的单元格引用“%s”无效", s.info.name, s.rowNum, ref)
				}
				col = c
			} else {
				col++
			}
			if err := s.readCell(col, string(typ), style); err != nil {
				return err
			}
		}
	}
	return s.buildCells()
}

// columnIndex turns the column letters of a cell reference ("AB12") into a 0-based index.
func columnIndex(ref []byte) (int, error) {
	n, i := 0, 0
	for ; i < len(ref) && i < 4; i++ {
		c := ref[i]
		if c >= 'a' && c <= 'z' {
			c -= 'a' - 'A'
		}
		if c < 'A' || c > 'Z' {
			break
		}
		n = n*26 + int(c-'A'+1)
	}
	if i == 0 || n > 16384 {
		return 0, fmt.Errorf("bad cell reference %q", ref)
	}
	return n - 1, nil
}

// readCell reads one <c> element (its start tag is current) and records its value.
func (s *sheetSource) readCell(col int, cellType string, style int) error {
	sc := s.sc
	if sc.selfClosing {
		return nil
	}
	s.tmp = s.tmp[:0]
	hasV, hasIS := false, false
	for {
		if err := sc.next(); err != nil {
			return s.fail(err)
		}
		switch sc.kind {
		case tokEOF:
			return s.fail(errXMLSyntax)
		case tokEnd:
			if string(sc.local) == "c" {
				return s.addValue(col, cellType, style, hasV, hasIS)
			}
		case tokStart:
			switch string(sc.local) {
			case "v":
				hasV = true
				if err := s.readText(&s.tmp, "v"); err != nil {
					return err
				}
			case "is":
				hasIS = true
				if err := s.readInline(); err != nil {
					return err
				}
			default: // <f>, <extLst>: the cached value in <v> is what the user sees
				if err := sc.skip(); err != nil {
					return s.fail(err)
				}
			}
		}
	}
}

// readText appends the decoded text of the current element (up to its end tag) to dst.
func (s *sheetSource) readText(dst *[]byte, elem string) error {
	sc := s.sc
	if sc.selfClosing {
		return nil
	}
	for {
		if err := sc.next(); err != nil {
			return s.fail(err)
		}
		switch sc.kind {
		case tokText:
			*dst = appendText(*dst, sc.text, sc.cdata)
		case tokEnd:
			if string(sc.local) == elem {
				return nil
			}
		case tokStart:
			if err := sc.skip(); err != nil {
				return s.fail(err)
			}
		case tokEOF:
			return s.fail(errXMLSyntax)
		}
	}
}

// readInline reads <is> (inline rich text): the <t> runs, without phonetic guides (<rPh>).
func (s *sheetSource) readInline() error {
	sc := s.sc
	if sc.selfClosing {
		return nil
	}
	for {
		if err := sc.next(); err != nil {
			return s.fail(err)
		}
		switch sc.kind {
		case tokStart:
			switch string(sc.local) {
			case "t":
				if err := s.readText(&s.tmp, "t"); err != nil {
					return err
				}
			case "r":
				// a run: its <t> comes next; <rPr> is skipped below
			default:
				if err := sc.skip(); err != nil {
					return s.fail(err)
				}
			}
		case tokEnd:
			if string(sc.local) == "is" {
				s.tmp = decodeOOXMLEscapes(s.tmp)
				return nil
			}
		case tokEOF:
			return s.fail(errXMLSyntax)
		}
	}
}

// addValue turns the raw value in s.tmp into the cell's text according to its type and style.
func (s *sheetSource) addValue(col int, typ string, style int, hasV, hasIS bool) error {
	raw := s.tmp
	span := cellSpan{col: col, sst: -1}
	switch typ {
	case "s":
		if !hasV {
			return nil
		}
		i, err := strconv.Atoi(string(bytes.TrimSpace(raw)))
		if err != nil {
			return s.book.corrupt("工作表“%s”第 %d 行：共享字符串编号“%s”无效", s.info.name, s.rowNum, raw)
		}
		if _, ok := s.sst.get(i); !ok {
			return s.book.corrupt("工作表“%s”第 %d 行：共享字符串编号 %d 超出范围", s.info.name, s.rowNum, i)
		}
		span.sst = i
	case "inlineStr", "str", "e":
		if len(raw) == 0 {
			return nil
		}
		s.appendVal(&span, raw)
	case "b":
		switch string(bytes.TrimSpace(raw)) {
		case "1":
			raw = []byte("TRUE")
		case "0":
			raw = []byte("FALSE")
		case "":
			return nil
		}
		s.appendVal(&span, raw)
	case "d": // ISO 8601 (rare: only strict-mode writers)
		v := bytes.TrimSpace(raw)
		if len(v) == 0 {
			return nil
		}
		if t, ok := bytes.CutSuffix(v, []byte("T00:00:00")); ok {
			v = t
		} else if t, ok := bytes.CutSuffix(v, []byte("T00:00:00Z")); ok {
			v = t
		}
		s.appendVal(&span, v)
	default: // "n" or absent: a number
		v := bytes.TrimSpace(raw)
		if len(v) == 0 {
			return nil
		}
		if style >= 0 && style < len(s.book.dateStyle) && s.book.dateStyle[style] {
			if f, err := strconv.ParseFloat(string(v), 64); err == nil {
				if d, ok := serialToText(f, s.book.date1904); ok {
					s.appendVal(&span, []byte(d))
					break
				}
			}
		}
		span.numeric = true
		s.appendVal(&span, v)
	}
	if col >= s.book.limits.MaxColumns {
		return fmt.Errorf("%s：%w：工作表“%s”第 %d 行第 %d 列有值（上限 %d 列）", s.book.name, ErrLimit, s.info.name, s.rowNum, col+1, s.book.limits.MaxColumns)
	}
	s.spans = append(s.spans, span)
	return nil
}

func (s *sheetSource) appendVal(span *cellSpan, v []byte) {
	span.start = len(s.vals)
	s.vals = append(s.vals, v...)
	span.end = len(s.vals)
}

// buildCells lays the values of the row out by column; the non-shared values share one string.
func (s *sheetSource) buildCells() error {
	width := 0
	for _, sp := range s.spans {
		width = max(width, sp.col+1)
	}
	if cap(s.cells) < width {
		s.cells = make([]Cell, width)
	}
	s.cells = s.cells[:width]
	clear(s.cells)
	str := string(s.vals)
	for _, sp := range s.spans {
		c := Cell{Numeric: sp.numeric}
		if sp.sst >= 0 {
			c.Value, _ = s.sst.get(sp.sst)
		} else {
			c.Value = str[sp.start:sp.end]
		}
		s.cells[sp.col] = c
	}
	return nil
}

// serialToText renders an Excel date serial as "2006-01-02", or "2006-01-02 15:04:05" with a
// time of day, or "15:04:05" for a time alone. Serials are days since 1899-12-30 (after Excel's
// fictitious 1900-02-29, serial 60) or since 1904-01-01 in the 1904 date system.
func serialToText(f float64, date1904 bool) (string, bool) {
	if math.IsNaN(f) || f < 0 || f > 2958465 { // 9999-12-31
		return "", false
	}
	days := math.Floor(f)
	secs := math.Round((f - days) * 86400)
	if secs >= 86400 {
		days, secs = days+1, 0
	}
	var base time.Time
	switch {
	case date1904:
		base = time.Date(1904, 1, 1, 0, 0, 0, 0, time.UTC)
	case days < 60:
		base = time.Date(1899, 12, 31, 0, 0, 0, 0, time.UTC)
	default:
		base = time.Date(1899, 12, 30, 0, 0, 0, 0, time.UTC)
	}
	if days == 0 && !date1904 {
		return base.Add(time.Duration(secs) * time.Second).Format("15:04:05"), true
	}
	t := base.AddDate(0, 0, int(days)).Add(time.Duration(secs) * time.Second)
	if !date1904 && days == 60 {
		return "1900-02-29", true
	}
	if secs == 0 {
		return t.Format("2006-01-02"), true
	}
	return t.Format("2006-01-02 15:04:05"), true
}
