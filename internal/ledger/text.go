package ledger

import (
	"fmt"
	"os"
	"runtime"
	"strconv"
	"sync"
	"sync/atomic"
	"unicode"
	"unicode/utf8"

	"github.com/baoxue/baoxue"
)

// A province run writes millions of entries, and formatting them costs more than writing the
// bytes, so the .jsonl and .csv writers format on several goroutines: Add copies each entry into
// a batch, full batches are formatted in parallel, and one goroutine writes the formatted batches
// to the file in the order they were added. The bytes are the same as formatting one entry after
// the other (TestParallelMatchesSequential).
const (
	batchSize   = 1024 // entries per batch: ~250 KB of entries, ~400 KB formatted
	maxEncoders = 4    // beyond this the disk is the limit; more would only hold more memory
)

// batch is a run of consecutive entries and, once formatted, their bytes.
type batch struct {
	entries []baoxue.LedgerEntry
	buf     []byte
	ready   chan struct{} // receives a value when buf holds the formatted entries
}

// textWriter writes a ledger of one line per entry; format appends the line of one entry.
//
// Batches cycle through free → Add → work (an encoder) and order (the file writer) → free. At
// most cap(free) batches exist, which bounds the memory of a run to a few MB; work and order
// have the same capacity, so Add never blocks on them, only on free when the file is behind.
type textWriter struct {
	t      *tempFile
	opts   Options
	format func(b []byte, e *baoxue.LedgerEntry) []byte

	cur   *batch // being filled by Add
	made  int    // batches allocated so far
	free  chan *batch
	work  chan *batch
	order chan *batch
	wg    sync.WaitGroup // encoders and file writer

	skip   atomic.Bool           // after Abort or a write error: format and write nothing more
	err    atomic.Pointer[error] // the first write error, set by the file writer
	closed bool                  // Commit or Abort was called
	result error                 // what a Commit after Commit or Abort returns
}

func newTextWriter(t *tempFile, opts Options, format func([]byte, *baoxue.LedgerEntry) []byte) *textWriter {
	encoders := min(max(runtime.GOMAXPROCS(0), 1), maxEncoders)
	// One batch being filled, one per encoder, one being written and one ready to be written.
	n := encoders + 3
	w := &textWriter{t: t, opts: opts, format: format,
		free: make(chan *batch, n), work: make(chan *batch, n), order: make(chan *batch, n)}
	w.wg.Add(encoders + 1)
	for range encoders {
		go w.encode()
	}
	go w.write()
	return w
}

// encode formats the batches of w.work.
func (w *textWriter) encode() {
	defer w.wg.Done()
	for b := range w.work {
		b.buf = b.buf[:0]
		if !w.skip.Load() {
			for i := range b.entries {
				e := &b.entries[i] // the batch's own copy, so masking in place is fine
				w.opts.mask(e)
				b.buf = w.format(b.buf, e)
			}
		}
		b.ready <- struct{}{}
	}
}

// write writes the batches of w.order to the file, each once it is formatted, and recycles them.
// After a write error it keeps recycling batches so that Add and Commit never wait forever.
func (w *textWriter) write() {
	defer w.wg.Done()
	for b := range w.order {
		<-b.ready
		if !w.skip.Load() {
			if _, err := w.t.Write(b.buf); err != nil {
				w.err.Store(&err)
				w.skip.Store(true)
			}
		}
		b.entries = b.entries[:0]
		w.free <- b // never blocks: free has room for every batch
	}
}

// Add copies e into the current batch; the strings it shares with e are immutable and
// e.PriorityGroups is read-only. A write error is returned by a later Add or at the latest by
// Commit.
func (w *textWriter) Add(e *baoxue.LedgerEntry) error {
	if w.cur == nil {
		if w.closed {
			return fmt.Errorf("写入台账文件 %s：%w", w.t.final, os.ErrClosed)
		}
		w.cur = w.nextBatch()
	}
	w.cur.entries = append(w.cur.entries, *e)
	if len(w.cur.entries) < batchSize {
		return nil
	}
	w.send()
	if p := w.err.Load(); p != nil {
		return fmt.Errorf("写入台账文件 %s：%w", w.t.final, *p)
	}
	return nil
}

// nextBatch returns a recycled batch, a new one while fewer than cap(w.free) exist (so that a
// small ledger allocates only one), or waits for the file writer to recycle one.
func (w *textWriter) nextBatch() *batch {
	select {
	case b := <-w.free:
		return b
	default:
	}
	if w.made < cap(w.free) {
		w.made++
		return &batch{entries: make([]baoxue.LedgerEntry, 0, batchSize), buf: make([]byte, 0, 512*batchSize),
			ready: make(chan struct{}, 1)}
	}
	return <-w.free
}

// send hands the current batch to the encoders and, in order, to the file writer.
func (w *textWriter) send() {
	w.work <- w.cur
	w.order <- w.cur
	w.cur = nil
}

// stop lets the goroutines finish what they hold and waits for them.
func (w *textWriter) stop() {
	w.closed = true
	close(w.work)
	close(w.order)
	w.wg.Wait()
	w.cur, w.free = nil, nil // retain no entries after the run
}

// Commit writes the last batch, waits for the file writer and renames the file into place.
func (w *textWriter) Commit() error {
	if w.closed {
		return w.result
	}
	if w.cur != nil && len(w.cur.entries) > 0 {
		w.send()
	}
	w.stop()
	if p := w.err.Load(); p != nil {
		w.t.abort()
		w.result = fmt.Errorf("写入台账文件 %s：%w", w.t.final, *p)
	} else {
		w.result = w.t.commit()
	}
	return w.result
}

// Abort stops the goroutines, dropping the batches in flight, and removes the temporary file. After
// Commit it does nothing.
func (w *textWriter) Abort() {
	if w.closed {
		return
	}
	w.skip.Store(true)
	w.stop()
	w.t.abort()
	w.result = fmt.Errorf("写入台账文件 %s：%w", w.t.final, os.ErrClosed)
}

// newJSONL writes one JSON object per line (appendEntry); <, > and & stay readable (the file is
// data, not HTML).
func newJSONL(t *tempFile, opts Options) *textWriter { return newTextWriter(t, opts, appendEntry) }

// csvHeader names the fields of DESIGN §8 in Chinese, in the same order.
var csvHeader = []string{"户籍行号", "公民身份号码", "姓名", "性别", "出生日期", "行政区划代码", "状态", "说明", "比对方式",
	"比对得分", "匹配学籍号", "学校标识码", "学校名称", "脱贫户", "脱贫属性", "残疾情况", "重点群体"}

// newCSV writes the ledger as CSV for Excel: a byte-order mark, the header, CRLF line ends.
func newCSV(t *tempFile, opts Options) (*textWriter, error) {
	head := appendCSVRecord([]byte("\uFEFF"), csvHeader)
	if _, err := t.Write(head); err != nil {
		t.abort()
		return nil, fmt.Errorf("写入台账文件 %s：%w", t.final, err)
	}
	return newTextWriter(t, opts, appendCSVEntry), nil
}

// appendCSVEntry appends e as one CSV line, with values as officials read them.
//
// Long digit strings (ID, region and school codes) go after a tab so that Excel keeps them as
// text (textPrefix); a value Excel could take for a formula gets an apostrophe (cellPrefix).
// Both prefixes are passed to appendCSVField apart from the value, so no cell is built as a
// string: this is the hot loop of a province ledger.
func appendCSVEntry(b []byte, e *baoxue.LedgerEntry) []byte {
	b = strconv.AppendInt(b, int64(e.SourceRow), 10)
	b = appendCSVNext(b, textPrefix(e.IDNumber), e.IDNumber)
	b = appendCSVNext(b, cellPrefix(e.Name), e.Name)
	b = appendCSVNext(b, "", sexLabel[e.Sex])
	b = appendCSVNext(b, "", e.BirthDate)
	b = appendCSVNext(b, textPrefix(e.RegionCode), e.RegionCode)
	b = appendCSVNext(b, "", statusLabel(e.Status))
	b = appendCSVNext(b, cellPrefix(e.Detail), e.Detail)
	b = appendCSVNext(b, "", methodLabel[e.MatchMethod])
	b = append(b, ',')
	if e.MatchMethod != baoxue.MatchNone && e.MatchMethod != "" { // digits, '.', '-': never quoted
		b = strconv.AppendFloat(b, e.MatchScore, 'f', -1, 64)
	}
	b = appendCSVNext(b, cellPrefix(e.MatchedStudentNo), e.MatchedStudentNo)
	b = appendCSVNext(b, textPrefix(e.SchoolCode), e.SchoolCode)
	b = appendCSVNext(b, cellPrefix(e.SchoolName), e.SchoolName)
	b = appendCSVNext(b, "", yesNo(e.Poverty))
	b = appendCSVNext(b, cellPrefix(e.PovertyType), e.PovertyType)
	b = appendCSVNext(b, cellPrefix(e.Disability), e.Disability)
	b = appendCSVNext(b, "", groupsLabel(e.PriorityGroups))
	return append(b, '\r', '\n')
}

// cellPrefix is the apostrophe that keeps a spreadsheet from taking v for a formula.
func cellPrefix(v string) string {
	if needsQuote(v) {
		return "'"
	}
	return ""
}

// textPrefix is the tab that makes Excel keep a digit string as text (and the apostrophe of
// cellPrefix); an empty value stays empty.
func textPrefix(v string) string {
	switch {
	case v == "":
		return ""
	case needsQuote(v):
		return "\t'"
	}
	return "\t"
}

// appendCSVRecord appends record as one CSV line, byte for byte what encoding/csv's Writer with
// UseCRLF writes (TestCSVField and FuzzCSVRecordMatchesEncodingCSV hold this).
func appendCSVRecord(b []byte, record []string) []byte {
	for i, f := range record {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendCSVField(b, "", f)
	}
	return append(b, '\r', '\n')
}

func appendCSVNext(b []byte, prefix, v string) []byte {
	return appendCSVField(append(b, ','), prefix, v)
}

// appendCSVField appends the field prefix+v as encoding/csv's Writer with UseCRLF writes it:
// quoted if it contains a comma, a quote, \r or \n, begins with a Unicode space or is `\.`;
// inside quotes a quote is doubled, \n becomes \r\n and \r is dropped. prefix is ASCII.
func appendCSVField(b []byte, prefix, v string) []byte {
	if !csvNeedsQuotes(prefix, v) {
		b = append(b, prefix...)
		return append(b, v...)
	}
	b = append(b, '"')
	b = appendCSVQuoted(b, prefix)
	b = appendCSVQuoted(b, v)
	return append(b, '"')
}

// csvNeedsQuotes is encoding/csv's fieldNeedsQuotes for the field prefix+v and a comma.
func csvNeedsQuotes(prefix, v string) bool {
	if len(prefix)+len(v) == 2 && prefix+v == `\.` {
		return true
	}
	if csvSpecialAt(prefix) >= 0 || csvSpecialAt(v) >= 0 {
		return true
	}
	first := prefix
	if first == "" {
		first = v
	}
	if first == "" {
		return false
	}
	// A field that begins with a space is quoted. The spaces above ASCII (U+0085, U+00A0, U+1680,
	// U+2000…U+205F, U+3000) all begin with a byte from 0xC2 to 0xE3; Chinese text, from 0xE4 on,
	// needs no decoding.
	if c := first[0]; c < 0xC2 || c > 0xE3 {
		return asciiSpace[c]
	}
	r, _ := utf8.DecodeRuneInString(first)
	return unicode.IsSpace(r)
}

// csvSpecial marks the bytes that make encoding/csv quote a field, asciiSpace the ASCII spaces
// of unicode.IsSpace.
var (
	csvSpecial = [256]bool{',': true, '"': true, '\r': true, '\n': true}
	asciiSpace = [256]bool{' ': true, '\t': true, '\n': true, '\v': true, '\f': true, '\r': true}
)

// csvSpecialAt returns the index of the first csvSpecial byte of s, or -1.
func csvSpecialAt(s string) int {
	for i := 0; i < len(s); i++ {
		if csvSpecial[s[i]] {
			return i
		}
	}
	return -1
}

func appendCSVQuoted(b []byte, s string) []byte {
	for {
		i := csvSpecialAt(s)
		if i < 0 {
			return append(b, s...)
		}
		b = append(b, s[:i]...)
		switch s[i] {
		case '"':
			b = append(b, '"', '"')
		case '\n':
			b = append(b, '\r', '\n')
		case ',':
			b = append(b, ',')
		} // '\r' is dropped, as encoding/csv does with UseCRLF
		s = s[i+1:]
	}
}
