package ingest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
	"unsafe"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/simplifiedchinese"

	"github.com/baoxue/baoxue"
	"github.com/baoxue/baoxue/internal/arena"
)

// Converting a large UTF-8 text file on every core.
//
// A province registry is gigabytes of CSV, and one goroutine splitting its lines is the
// bottleneck of a comparison. When a file is UTF-8 text with LF or CRLF line ends, convertAll
// cuts it into blocks at line starts; each core splits and converts the lines of one block at a
// time with a converter of its own, and a merge takes the blocks in file order and does what
// needs the rows before: row numbers (a record is a line, since no record of a block goes on
// past its line), duplicate IDs, counts, the error report and the sink. So records, counts,
// problems and report are the sequential reader's, row for row (TestParallelSameAsSequential).
//
// A line a block cannot read on its own — a quoted field going on past the line end, a line
// over the record limit, too many columns — stops the block there: the merge hands on the rows
// before it and reads the rest of the file sequentially from that line, which reads it as one
// record or reports the error the sequential reader reports.

// lends reports whether blocks lend their text to the sink (ImportOptions.LendText): not when
// an error report is written, since its writer keeps the cells of a row.
func (r *run) lends() bool { return r.opts.LendText && r.reportPath == "-" }

// parallelTuning sizes the parallel conversion; tests make blocks tiny to cross many borders.
type parallelTuning struct {
	block   int   // bytes of line starts per block
	minSize int64 // smaller files are read sequentially: one reader is quick enough
	workers int   // 0: GOMAXPROCS
	// poison overwrites a block's lent buffer once the sink has returned (LendCheck)
	poison bool
}

func (r *run) tuning() parallelTuning {
	if r.parallel != nil {
		return *r.parallel
	}
	if r.lends() && r.opts.LendCheck > 0 {
		return parallelTuning{block: r.opts.LendCheck, workers: 3, poison: true}
	}
	return parallelTuning{block: 4 << 20, minSize: 8 << 20}
}

// textPlan is a text file the parallel conversion can read.
type textPlan struct {
	src       *textSource
	dataStart int64 // offset of the line after the header
	size      int64
	tune      parallelTuning
}

// parallelPlan returns the plan for a file that can be converted in parallel, nil otherwise.
func (r *run) parallelPlan() *textPlan {
	if r.rows != nil {
		return nil
	}
	p, ok := r.tab.Source.(*peeked)
	if !ok {
		return nil
	}
	ts, ok := p.Source.(*textSource)
	if !ok || !ts.utf8Lines || ts.term != '\n' {
		return nil
	}
	tune := r.tuning()
	if ts.total < tune.minSize || tune.block <= 0 {
		return nil
	}
	// The data starts after the header row's line. The rows above it are read sequentially by
	// the header detection, which counts a record per line only when no quote joins lines.
	start := int64(0)
	if ts.encoding == EncUTF8BOM {
		start = 3
	}
	head := make([]byte, min(1<<20, ts.total-start))
	n, err := ts.f.ReadAt(head, start)
	if err != nil && !errors.Is(err, io.EOF) {
		return nil
	}
	head = head[:n]
	pos := 0
	for range r.tab.Header.Row {
		j := bytes.IndexByte(head[pos:], '\n')
		if j < 0 || bytes.IndexByte(head[pos:pos+j], '"') >= 0 {
			return nil
		}
		pos += j + 1
	}
	return &textPlan{src: ts, dataStart: start + int64(pos), size: ts.total, tune: tune}
}

// convertParallel converts the file of plan on every core and hands the records to sink in file
// order (see the comment at the top of the file).
func (r *run) convertParallel(ctx context.Context, sink RecordSink, plan *textPlan) error {
	parent := ctx
	ctx, cancel := context.WithCancel(ctx)
	block := int64(plan.tune.block)
	n := int((plan.size - plan.dataStart + block - 1) / block)
	workers := plan.tune.workers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	// Blocks converted and not yet merged are bounded: memory stays a few blocks' worth.
	tokens := make(chan struct{}, workers+2)
	free := make(chan *blockResult, cap(tokens)) // merged blocks, for reuse
	results := make([]chan *blockResult, n)
	for i := range results {
		results[i] = make(chan *blockResult, 1)
	}
	var next atomic.Int64
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			w := r.newBlockWorker(plan)
			for {
				select {
				case tokens <- struct{}{}:
				case <-ctx.Done():
					return
				}
				i := int(next.Add(1) - 1)
				if i >= n {
					<-tokens
					return
				}
				var b *blockResult
				select {
				case b = <-free:
				default:
					b = &blockResult{stop: -1}
				}
				w.convert(ctx, i, b)
				results[i] <- b
			}
		}()
	}
	stop := func() { cancel(); wg.Wait() }
	defer stop()

	r.total = plan.size
	base := r.tab.Header.Row // rows before the block's first line
	for i := range n {
		var b *blockResult
		select {
		case b = <-results[i]:
		case <-ctx.Done():
			return ctx.Err()
		}
		<-tokens
		if b.err != nil {
			return b.err
		}
		if i == 0 && n > 1 && b.stop < 0 {
			// Blocks are alike: the first tells how many IDs the duplicate check will hold.
			r.cv.seen.reserve(len(b.rows) * n)
		}
		if err := r.mergeBlock(sink, b, base); err != nil {
			return err
		}
		if plan.tune.poison {
			b.lent = b.lent[:cap(b.lent)]
			for k := range b.lent {
				b.lent[k] = 0xFF // not UTF-8: a string a sink kept would show
			}
		}
		if b.stop >= 0 {
			stop()
			r.done = b.stop
			if err := plan.src.resume(b.stop, base+b.stopLine-1); err != nil {
				return err
			}
			r.rows = newReadAhead(plan.src)
			return r.convertRows(parent, sink, nil)
		}
		base += b.lines
		r.done = min(b.end, plan.size)
		b.reset()
		select {
		case free <- b:
		default: // more blocks than the free list holds: let this one go
		}
		if r.opts.Progress != nil {
			r.opts.Progress(r.done, r.total)
		}
		if err := parent.Err(); err != nil {
			return err
		}
	}
	return nil
}

// mergeBlock hands on the rows of a block, numbered from base, with the duplicate check that
// needs every row before them.
func (r *run) mergeBlock(sink RecordSink, b *blockResult, base int) error {
	r.s.Rows += b.skipped
	r.s.Skipped += b.skipped
	keepDup := r.cv.kind == baoxue.KindEnrollment || r.cv.kind == baoxue.KindNational
	// The block's IDs are looked up first, all together, and the rows handed on after. A lookup
	// in a table of millions of IDs waits for memory; consecutive lookups overlap those waits,
	// where lookups between the sink's calls (which use the caches for their own work) waited
	// one at a time — on a province's registry, a tenth of the comparison's CPU.
	firsts := r.dupFirst[:0]
	for i := range b.rows {
		var first int32
		if k := b.rows[i].dup; k != 0 {
			if f, dup := r.cv.seen.firstRow(k, base+int(b.rows[i].line)); dup {
				first = int32(f)
			}
		}
		firsts = append(firsts, first)
	}
	r.dupFirst = firsts
	for i := range b.rows {
		br := &b.rows[i]
		number := base + int(br.line)
		probs, rec := br.probs, br.rec
		if firsts[i] > 0 {
			probs = append(probs, r.cv.duplicateProblem(int(firsts[i])))
			if !keepDup {
				rec = record{}
			}
		}
		rec.setSourceRow(number)
		row := Row{Number: number}
		if len(probs) > 0 {
			row.Cells = b.rowCells(br)
		}
		if err := r.emit(sink, row, probs, rec); err != nil {
			return err
		}
	}
	return nil
}

// setSourceRow sets the row number of the record.
func (r record) setSourceRow(n int) {
	switch {
	case r.person != nil:
		r.person.SourceRow = n
	case r.enrollment != nil:
		r.enrollment.SourceRow = n
	case r.poverty != nil:
		r.poverty.SourceRow = n
	case r.disability != nil:
		r.disability.SourceRow = n
	}
}

// blockResult is what a worker made of one block.
type blockResult struct {
	end     int64 // offset after the block's range of line starts
	lines   int   // lines that start in the block
	skipped int   // rows outside the window, counted only
	rows    []blockRow
	cells   []Cell // the cells of the quoted rows that may need them (problems, duplicates)
	scratch []Cell // cells cut again for the merge (rowCells)
	delim   byte
	// The kept lines' text; cells are substrings of it. A sink that keeps a string keeps its
	// 256 KB block alive (compare copies what it keeps).
	text arena.Strings
	// lent is the buffer the block was read into when its text is lent (ImportOptions.LendText):
	// cells are substrings of it instead, and it is read into again once the sink has returned.
	lent []byte
	// stop is the offset of a line the block could not read on its own, -1 if none; stopLine
	// is its number in the block (1-based). Rows before it are in rows.
	stop     int64
	stopLine int
	err      error

	persons     pager[baoxue.Person]
	enrollments pager[baoxue.Enrollment]
	poverty     pager[baoxue.PovertyRecord]
	disability  pager[baoxue.DisabilityRecord]
	schools     pager[baoxue.School]
	villages    pager[baoxue.Village]
}

// blockRow is one converted row of a block.
type blockRow struct {
	line           int32  // in the block, 1-based
	cellOff, cellN int32  // its cells in blockResult.cells, when kept (quoted lines)
	text           string // the line the cells of an unquoted row were cut from, when kept
	dup            uint64 // the ID to check for an earlier row, 0 none
	rec            record
	probs          []rowProblem
}

// rowCells returns the cells of a kept row.
func (b *blockResult) rowCells(br *blockRow) []Cell {
	if br.cellN > 0 {
		return b.cells[br.cellOff : br.cellOff+br.cellN]
	}
	b.scratch = splitString(b.scratch[:0], br.text, b.delim)
	return b.scratch
}

// keep copies a record out of the converter's buffers into the block.
func (b *blockResult) keep(rec record) record {
	switch {
	case rec.person != nil:
		return record{person: b.persons.add(*rec.person)}
	case rec.enrollment != nil:
		return record{enrollment: b.enrollments.add(*rec.enrollment)}
	case rec.poverty != nil:
		return record{poverty: b.poverty.add(*rec.poverty)}
	case rec.disability != nil:
		return record{disability: b.disability.add(*rec.disability)}
	case rec.school != nil:
		return record{school: b.schools.add(*rec.school)}
	case rec.village != nil:
		return record{village: b.villages.add(*rec.village)}
	}
	return record{}
}

// reset empties a merged block for another one. Its records were only lent to the sink; the
// strings they point to were not the block's to reuse (text is dropped, not recycled), unless
// the sink borrowed them (lent, kept for the next block).
func (b *blockResult) reset() {
	b.end, b.lines, b.skipped, b.stop, b.stopLine, b.err = 0, 0, 0, -1, 0, nil
	b.rows, b.cells = b.rows[:0], b.cells[:0]
	b.text = arena.Strings{}
	b.persons.n, b.enrollments.n, b.poverty.n, b.disability.n, b.schools.n, b.villages.n = 0, 0, 0, 0, 0, 0
}

// pager stores values in pages, so that pointers to them stay valid as it grows, and keeps its
// pages for the next block.
type pager[T any] struct {
	pages [][]T
	n     int
}

const pageSize = 256

func (p *pager[T]) add(v T) *T {
	pi, i := p.n/pageSize, p.n%pageSize
	if pi == len(p.pages) {
		p.pages = append(p.pages, make([]T, pageSize))
	}
	p.pages[pi][i] = v
	p.n++
	return &p.pages[pi][i]
}

// blockWorker converts blocks, one at a time, with buffers it reuses.
type blockWorker struct {
	plan         *textPlan
	cv           *converter
	skipOutside  bool
	delim        byte
	maxRecord    int
	maxCols      int
	idCol, bdCol int
	lend         bool // ImportOptions.LendText

	buf   []byte
	cells []Cell
	// qEnd bounds the search for quotes in buf; nextQuote is the first quote at or after the
	// current line (qEnd when none before it), -1 when not searched yet.
	qEnd, nextQuote int
	gb              *encoding.Decoder
	// quoted lines are read by a text source of their own (the sequential reader's code)
	line    *textSource
	lineIn  *bytes.Reader
	lineBuf []byte
}

func (r *run) newBlockWorker(plan *textPlan) *blockWorker {
	cv := newConverter(r.cv.kind, r.cv.h, r.opts)
	cv.deferDups = true
	ts := plan.src
	w := &blockWorker{plan: plan, cv: cv, skipOutside: r.skipOutside, delim: ts.delim, maxRecord: ts.maxRecord,
		maxCols: ts.maxCols, idCol: cv.colOf(FieldIDNumber), bdCol: cv.colOf(FieldBirthDate), lend: r.lends(),
		gb: simplifiedchinese.GB18030.NewDecoder(), lineIn: bytes.NewReader(nil)}
	w.line = &textSource{name: ts.name, counter: &countingReader{r: w.lineIn}, buf: make([]byte, 4096), delim: ts.delim,
		term: '\n', encoding: ts.encoding, utf8Lines: true, gb: simplifiedchinese.GB18030.NewDecoder(),
		maxRecord: ts.maxRecord, maxCols: ts.maxCols}
	w.line.r = w.line.counter
	return w
}

// readMore appends the file from off on to w.buf, about n bytes; false at the end of the file.
func (w *blockWorker) readMore(off int64, n int) (bool, error) {
	have := len(w.buf)
	w.buf = slices.Grow(w.buf, n)[:have+n]
	got, err := w.plan.src.f.ReadAt(w.buf[have:], off)
	w.buf = w.buf[:have+got]
	if errors.Is(err, io.EOF) {
		if off+int64(got) < w.plan.size {
			return false, w.changed()
		}
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("读取文件 %s：%w", w.plan.src.name, err)
	}
	return true, nil
}

// changed is the error of a file that became shorter while it was being read.
func (w *blockWorker) changed() error {
	return fmt.Errorf("%s：文件在读取过程中被改动或截短了；请等文件写完后重新导入或比对: %w", w.plan.src.name, ErrCorrupt)
}

// convert reads and converts block i into b.
//
// The block is read into the worker's buffer, which the next block reuses. Mapping the file
// instead was slower on the 2026-12 VM (province exact-only comparison 11.8–12.2 s mapped,
// 10.0–10.4 s read, 4 alternating runs each; user CPU 17.2 → 14.5 s): every 4 KB of a mapping
// costs a page fault or a TLB miss, where the read's copy lands in memory that stays in the caches.
func (w *blockWorker) convert(ctx context.Context, i int, b *blockResult) {
	plan := w.plan
	start := plan.dataStart + int64(i)*int64(plan.tune.block)
	end := min(start+int64(plan.tune.block), plan.size)
	b.end, b.delim = end, w.delim
	if ctx.Err() != nil {
		b.err = ctx.Err()
		return
	}
	// buf[k] is the byte at from+k. Reading from start-1 tells whether start begins a line.
	from := start
	if i > 0 {
		from--
	}
	w.cv.forgetRecent()
	if w.lend {
		// The block is read into a buffer of its own, which goes to the sink with the records.
		w.buf = b.lent[:0]
		defer func() { b.lent, w.buf = w.buf, nil }()
	}
	w.buf = w.buf[:0]
	more, err := w.readMore(from, int(end-from)+4096)
	if err != nil {
		b.err = err
		return
	}
	pos := 0
	if i > 0 {
		j := bytes.IndexByte(w.buf[:end-from], '\n')
		if j < 0 {
			return // no line starts in this block
		}
		pos = j + 1
	}
	w.qEnd, w.nextQuote = min(len(w.buf), int(end-from)+64<<10), -1
	for from+int64(pos) < end {
		j := bytes.IndexByte(w.buf[pos:], '\n')
		for j < 0 && more && len(w.buf)-pos < w.maxRecord {
			if more, err = w.readMore(from+int64(len(w.buf)), 64<<10); err != nil {
				b.err = err
				return
			}
			j = bytes.IndexByte(w.buf[pos:], '\n')
		}
		var line []byte
		next := len(w.buf)
		if j >= 0 {
			line, next = w.buf[pos:pos+j], pos+j+1
		} else {
			line = w.buf[pos:]
		}
		b.lines++
		if len(line)+1 >= w.maxRecord || !w.convertLine(b, line, b.lines, w.hasQuote(pos, len(line))) {
			b.stop, b.stopLine = from+int64(pos), b.lines
			return
		}
		pos = next
	}
}

// hasQuote reports whether w.buf[pos:pos+n] holds a quote. Most files have none or few: one
// search finds the next quote of the block and serves every line before it.
func (w *blockWorker) hasQuote(pos, n int) bool {
	if pos >= w.qEnd {
		return bytes.IndexByte(w.buf[pos:pos+n], '"') >= 0
	}
	if w.nextQuote < pos {
		if k := bytes.IndexByte(w.buf[pos:w.qEnd], '"'); k < 0 {
			w.nextQuote = w.qEnd
		} else {
			w.nextQuote = pos + k
		}
	}
	if w.nextQuote < pos+n {
		return true
	}
	return pos+n > w.qEnd && bytes.IndexByte(w.buf[w.qEnd:pos+n], '"') >= 0
}

// convertLine converts one line (without its LF); false when the block cannot read it alone.
func (w *blockWorker) convertLine(b *blockResult, raw []byte, n int, quoted bool) bool {
	line := raw
	if !quoted && len(line) > 0 && line[len(line)-1] == '\r' {
		line = line[:len(line)-1]
	}
	cv := w.cv
	// A line of at most maxCols bytes cannot have more than maxCols columns, so the
	// shortcut skips no check the sequential reader makes.
	if w.skipOutside && !quoted && len(line) <= w.maxCols &&
		w.outsideWindow(line) {
		b.skipped++
		return true
	}
	w.cells = w.cells[:0]
	var text string
	if quoted {
		if !w.quotedCells(raw) {
			return false
		}
	} else {
		if d := decodeLine(line, true, w.gb); !w.lend {
			text = b.text.AddBytes(d)
		} else if len(d) > 0 {
			// A view of b.lent (or of a decoded copy): no copy of every kept line, whose
			// fresh memory cost a province's comparison a tenth of its CPU in copying and
			// page faults.
			text = unsafe.String(&d[0], len(d))
		}
		w.cells = splitString(w.cells, text, w.delim)
	}
	if usedColumns(w.cells) > w.maxCols {
		return false
	}
	row := Row{Number: n, Cells: w.cells}
	if row.blank() {
		return true
	}
	if w.skipOutside && (quoted || len(line) > w.maxCols) && cv.outsideWindow(row) {
		b.skipped++
		return true
	}
	rec := cv.convert(row)
	br := blockRow{line: int32(n), dup: cv.pendingDup}
	if len(cv.problems) > 0 {
		br.probs = slices.Clone(cv.problems)
	}
	if br.probs != nil || br.dup != 0 {
		if quoted {
			br.cellOff, br.cellN = int32(len(b.cells)), int32(len(w.cells))
			b.cells = append(b.cells, w.cells...)
		} else {
			// Cutting the line again costs less than keeping ten cells of every 学籍 row
			// (nearly all have an ID to check) until the merge.
			br.text = text
		}
	}
	br.rec = b.keep(rec)
	b.rows = append(b.rows, br)
	return true
}

// quotedCells reads a line with a quote into w.cells with the sequential reader's own code;
// false when its record does not end with the line.
func (w *blockWorker) quotedCells(raw []byte) bool {
	w.lineBuf = append(append(w.lineBuf[:0], raw...), '\n')
	w.lineIn.Reset(w.lineBuf)
	s := w.line
	s.counter.n, s.start, s.end, s.eof, s.record = 0, 0, 0, false, 0
	ok, err := s.readRecord()
	if err != nil || !ok || s.start != s.end || w.lineIn.Len() != 0 {
		return false
	}
	w.cells = append(w.cells, s.cells...)
	return true
}

// outsideWindow is the converter's outsideWindow on an unquoted line, without splitting it:
// the ID and 出生日期 cells are found in one pass and looked at in place.
func (w *blockWorker) outsideWindow(line []byte) bool {
	var id, bd Cell
	last := max(w.idCol, w.bdCol)
	for col := 0; col <= last; col++ {
		j := bytes.IndexByte(line, w.delim)
		field := line
		if j >= 0 {
			field = line[:j]
		}
		switch col {
		case w.idCol:
			id = cellView(field)
		case w.bdCol:
			bd = cellView(field)
		}
		if j < 0 {
			break
		}
		line = line[j+1:]
	}
	return w.cv.outsideWindowCells(id, bd)
}

// cellView is a cell whose string views b's bytes: only for a check that keeps nothing
// (outsideWindowCells); the bytes are a worker's buffer, about to be reused.
func cellView(b []byte) Cell {
	if len(b) == 0 {
		return Cell{}
	}
	return Cell{Value: unsafe.String(&b[0], len(b))}
}

// resume positions the source at a line start, as if record lines had been read before it.
func (s *textSource) resume(off int64, record int) error {
	if _, err := s.f.Seek(off, io.SeekStart); err != nil {
		return fmt.Errorf("读取文件 %s：%w", s.name, err)
	}
	s.counter.n = off
	s.start, s.end, s.eof = 0, 0, false
	s.record = record
	return nil
}
