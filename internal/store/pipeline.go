package store

import (
	"context"
	"database/sql"
	"sync"
)

// pipeline feeds bulk rows into one transaction. Encryption (SM4-GCM and HMAC-SM3, ≈1.5 µs a
// row) runs in goroutines ahead of a single writer goroutine that feeds the database, so on a
// machine with two cores the database rarely waits for the cipher. Batches are written in the
// order they were filled, keeping rows in file order.
type pipeline struct {
	ctx  context.Context
	db   *DB
	conn *sql.Conn
	tx   *sql.Tx

	queue   chan *job     // batches in fill order
	written chan struct{} // closed when the writer goroutine has drained queue
	loaders []bulkLoader  // flushed at the end
	mu      sync.Mutex
	err     error // first failure of the writer goroutine
}

// batchRows is how many rows are encrypted together and handed to the writer at once.
const batchRows = 1024

// job is one unit for the writer goroutine: rows to append to a table once encrypted, or an
// operation to run on the transaction.
type job struct {
	encrypted chan struct{} // closed when rows and err are set
	rows      [][]any
	err       error
	loader    bulkLoader
	exec      func() error
}

func newPipeline(ctx context.Context, db *DB, conn *sql.Conn, tx *sql.Tx) *pipeline {
	p := &pipeline{ctx: ctx, db: db, conn: conn, tx: tx, queue: make(chan *job, 4), written: make(chan struct{})}
	go p.write()
	return p
}

// write is the writer goroutine. After a failure it keeps draining the queue so that senders
// never block, but writes nothing more.
func (p *pipeline) write() {
	defer close(p.written)
	var active bulkLoader // the loader that last wrote; a PostgreSQL COPY may still hold the connection
	for j := range p.queue {
		<-j.encrypted
		if p.failure() != nil {
			continue
		}
		err := j.err
		if err == nil && active != nil && (j.exec != nil || j.loader != active) {
			err = active.pause()
			active = nil
		}
		if err == nil && j.exec != nil {
			err = j.exec()
		}
		if err == nil && j.loader != nil {
			active = j.loader
		}
		for _, row := range j.rows {
			if err != nil {
				break
			}
			err = j.loader.add(row)
		}
		if err != nil {
			p.fail(err)
		}
	}
}

func (p *pipeline) fail(err error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.err == nil {
		p.err = err
	}
}

func (p *pipeline) failure() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.err
}

// run queues an operation on the transaction behind the rows already queued.
func (p *pipeline) run(op func() error) error {
	if err := p.failure(); err != nil {
		return err
	}
	j := &job{encrypted: make(chan struct{}), exec: op}
	close(j.encrypted)
	p.queue <- j
	return nil
}

// finish stops the pipeline. With complete set, the loaders are flushed after the queue drains.
// Callers dispatch their partial batches first. After a failure, or without complete, the
// loaders are aborted instead, so that none holds the connection the caller rolls back on. It
// returns the first failure.
func (p *pipeline) finish(complete bool) error {
	close(p.queue)
	<-p.written
	err := p.failure()
	if err == nil && complete {
		for _, l := range p.loaders {
			if err = l.flush(); err != nil {
				break
			}
		}
	}
	if err != nil || !complete {
		for _, l := range p.loaders {
			l.abort()
		}
	}
	return err
}

// batcher collects records of one table and encrypts full batches in the background.
type batcher[T any] struct {
	p      *pipeline
	buf    []T
	loader bulkLoader
	encode func(*T) ([]any, error)
}

func newBatcher[T any](p *pipeline, table string, cols []string, encode func(*T) ([]any, error)) *batcher[T] {
	l := p.db.newBulk(p.ctx, p.conn, table, cols)
	p.loaders = append(p.loaders, l)
	return &batcher[T]{p: p, encode: encode, loader: l, buf: make([]T, 0, batchRows)}
}

func (b *batcher[T]) add(rec *T) error {
	if err := b.p.failure(); err != nil {
		return err
	}
	b.buf = append(b.buf, *rec)
	if len(b.buf) == batchRows {
		b.dispatch()
	}
	return nil
}

// dispatch hands the buffered records to an encryption goroutine and queues the result.
func (b *batcher[T]) dispatch() {
	if len(b.buf) == 0 {
		return
	}
	recs := b.buf
	b.buf = make([]T, 0, batchRows)
	j := &job{encrypted: make(chan struct{}), loader: b.loader}
	go func() {
		defer close(j.encrypted)
		rows := make([][]any, len(recs))
		for i := range recs {
			row, err := b.encode(&recs[i])
			if err != nil {
				j.err = err
				return
			}
			rows[i] = row
		}
		j.rows = rows
	}()
	b.p.queue <- j // blocks while the writer is several batches behind
}

// runFill calls fill, then finish(true) if it succeeded or finish(false) if it failed or
// panicked, so that the writer goroutine always ends and releases the connection.
func runFill(finish func(complete bool) error, fill func() error) (err error) {
	defer func() {
		if r := recover(); r != nil {
			finish(false)
			panic(r)
		}
	}()
	err = fill()
	if ferr := finish(err == nil); err == nil {
		err = ferr
	}
	return err
}
