package ingest

import (
	"errors"
	"sync"
)

var errReadAheadClosed = errors.New("read-ahead closed")

// readAhead reads a source on its own goroutine and hands the rows over in batches, so that
// reading (decoding, splitting) and converting (validation) run on two cores. Rows keep their
// order. Batches are recycled, so a steady import allocates nothing here.
type readAhead struct {
	src     Source
	batches chan *rowBatch
	free    chan *rowBatch
	stop    chan struct{}
	wg      sync.WaitGroup

	cur  *rowBatch
	pos  int
	done bool
	// progress as of the batch being consumed; the source itself belongs to the reader goroutine
	doneBytes, totalBytes int64
}

type rowBatch struct {
	rows        []Row
	cells       []Cell
	widths      []int
	err         error // after the rows: io.EOF or the reader's error
	done, total int64
}

const (
	batchRows       = 512
	batchesInFlight = 4
)

func newReadAhead(src Source) *readAhead {
	ra := &readAhead{src: src, batches: make(chan *rowBatch, batchesInFlight), free: make(chan *rowBatch, batchesInFlight+1),
		stop: make(chan struct{})}
	for range batchesInFlight + 1 {
		ra.free <- &rowBatch{}
	}
	ra.wg.Add(1)
	go ra.read()
	return ra
}

func (ra *readAhead) read() {
	defer ra.wg.Done()
	defer close(ra.batches)
	for {
		var b *rowBatch
		select {
		case b = <-ra.free:
		case <-ra.stop:
			return
		}
		b.rows, b.cells, b.widths, b.err = b.rows[:0], b.cells[:0], b.widths[:0], nil
		for len(b.rows) < batchRows {
			r, err := ra.src.Next()
			if err != nil {
				b.err = err
				break
			}
			b.cells = append(b.cells, r.Cells...)
			b.rows = append(b.rows, Row{Number: r.Number})
			b.widths = append(b.widths, len(r.Cells))
		}
		// Point the rows into the batch's cell array only now: appends above may have moved it.
		off := 0
		for i, n := range b.widths {
			b.rows[i].Cells = b.cells[off : off+n : off+n]
			off += n
		}
		b.done, b.total = ra.src.Progress()
		select {
		case ra.batches <- b:
		case <-ra.stop:
			return
		}
		if b.err != nil {
			return
		}
	}
}

// Next returns the next row; its Cells are valid until the next call.
func (ra *readAhead) Next() (Row, error) {
	for {
		if ra.cur != nil && ra.pos < len(ra.cur.rows) {
			r := ra.cur.rows[ra.pos]
			ra.pos++
			return r, nil
		}
		if ra.cur != nil {
			if err := ra.cur.err; err != nil {
				return Row{}, err
			}
			ra.free <- ra.cur
			ra.cur = nil
		}
		b, ok := <-ra.batches
		if !ok {
			return Row{}, errReadAheadClosed
		}
		ra.cur, ra.pos = b, 0
		ra.doneBytes, ra.totalBytes = b.done, b.total
	}
}

// Progress is the source's progress as of the rows handed out.
func (ra *readAhead) Progress() (int64, int64) { return ra.doneBytes, ra.totalBytes }

// Close stops the reader goroutine and waits for it; the source is not closed.
func (ra *readAhead) Close() {
	if ra.done {
		return
	}
	ra.done = true
	close(ra.stop)
	ra.wg.Wait()
}
