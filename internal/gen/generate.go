package gen

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/baoxue/baoxue/internal/region"
)

// Generate writes the synthetic files into opts.Out and reports what it wrote. progress, if not
// nil, is called from one goroutine with the registry rows generated so far and the total.
//
// Townships are generated in parallel, each from its own random streams (seeded by the run's
// seed and the township code), and written in code order, so the files depend only on the
// options, never on scheduling.
func Generate(ctx context.Context, opts Options, tree *region.Tree, progress func(done, total int64)) (Summary, error) {
	start := time.Now()
	opts, err := opts.normalized()
	if err != nil {
		return Summary{}, err
	}
	names := newNameTables()
	p, err := newPlan(opts, tree, names)
	if err != nil {
		return Summary{}, err
	}
	st := styles(opts, p.counties[0].title)
	var gbk *gbkTable
	if opts.Encoding == "gbk" {
		gbk = newGBKTable()
	}
	if err := os.MkdirAll(opts.Out, 0o755); err != nil {
		return Summary{}, fmt.Errorf("创建输出目录: %w", err)
	}
	csvDir := opts.Out
	if opts.Format == "xlsx" {
		csvDir, err = os.MkdirTemp(opts.Out, ".gen-csv-")
		if err != nil {
			return Summary{}, fmt.Errorf("创建临时目录: %w", err)
		}
		defer os.RemoveAll(csvDir)
	}
	out, err := openOutputs(csvDir, &st, gbk)
	if err != nil {
		return Summary{}, err
	}
	defer out.close()

	sum := Summary{
		Out: opts.Out, Scale: opts.scaleName(), Profile: opts.Profile, Seed: opts.Seed,
		AsOf: opts.AsOf.String(), Encoding: opts.Encoding, Format: opts.Format, Rows: map[string]int64{},
	}
	if err := out.writeReference(p, &st, gbk); err != nil {
		return Summary{}, err
	}
	if err := p.run(ctx, opts, names, &st, gbk, out, &sum, progress); err != nil {
		return Summary{}, err
	}
	for f := range numOutFiles {
		if err := out.finish(f, &st[f], gbk); err != nil {
			return Summary{}, err
		}
		sum.Rows[outName(f)] = out.rows[f]
	}
	if err := out.close(); err != nil {
		return Summary{}, err
	}
	if opts.Format == "xlsx" {
		if err := convertToXLSX(csvDir, opts.Out, &st); err != nil {
			return Summary{}, err
		}
	}
	sum.Seconds = float64(time.Since(start).Milliseconds()) / 1000
	return sum, nil
}

// run generates every township on the workers and hands the results to the writer in order.
func (p *plan) run(ctx context.Context, opts Options, names *nameTables, st *[numOutFiles]fileStyle, gbk *gbkTable, out *outputs, sum *Summary, progress func(done, total int64)) error {
	workers := opts.Workers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	workers = max(1, min(workers, len(p.units)))
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()

	// A fixed pool of result buffers bounds memory: a worker waits for a free buffer, so at most
	// len(pool) townships are generated ahead of the writer.
	pool := make(chan *unitResult, 3*workers)
	for range cap(pool) {
		pool <- &unitResult{}
	}
	slots := make([]chan *unitResult, len(p.units))
	for i := range slots {
		slots[i] = make(chan *unitResult, 1)
	}
	var next, done atomic.Int64
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			wk := newWorker(p, names, st, gbk)
			for {
				var res *unitResult
				select {
				case res = <-pool:
				case <-ctx.Done():
					return
				}
				i := int(next.Add(1) - 1)
				if i >= len(p.units) {
					pool <- res
					return
				}
				wk.run(p.units[i], res)
				done.Add(res.rows[outRegistry])
				slots[i] <- res
			}
		})
	}
	stopProgress := make(chan struct{})
	progressDone := make(chan struct{})
	go func() {
		defer close(progressDone)
		if progress == nil {
			return
		}
		t := time.NewTicker(200 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-t.C:
				progress(done.Load(), p.total)
			case <-stopProgress:
				progress(done.Load(), p.total)
				return
			}
		}
	}()
	err := func() error {
		for i := range p.units {
			var res *unitResult
			select {
			case res = <-slots[i]:
			case <-ctx.Done():
				return ctx.Err()
			}
			if res.badRunes > 0 {
				return fmt.Errorf("乡镇 %s 有 %d 个字符无法用 GBK 编码", p.units[i].code, res.badRunes)
			}
			if err := out.writeUnit(res, st); err != nil {
				return err
			}
			sum.SchoolAge += res.schoolAge
			sum.OutOfSchool += res.outSchool
			pool <- res
		}
		return nil
	}()
	cancel()
	wg.Wait()
	close(stopProgress)
	<-progressDone
	return err
}

// outputs are the open files with their writers, and the running row numbers the writer needs to
// complete the workers' rows (registry_row in truth.csv, the 序号 column).
type outputs struct {
	files  [numOutFiles]*os.File
	w      [numOutFiles]*bufio.Writer
	rows   [numOutFiles]int64
	closed bool
	num    []byte
}

func openOutputs(dir string, st *[numOutFiles]fileStyle, gbk *gbkTable) (*outputs, error) {
	o := &outputs{}
	for f := range numOutFiles {
		fh, err := os.Create(filepath.Join(dir, outName(f)+".csv"))
		if err != nil {
			o.close()
			return nil, fmt.Errorf("创建输出文件: %w", err)
		}
		o.files[f] = fh
		o.w[f] = bufio.NewWriterSize(fh, 1<<20)
		if err := o.writeEncoded(f, st[f].preamble(), &st[f], gbk); err != nil {
			o.close()
			return nil, err
		}
	}
	return o, nil
}

func (o *outputs) writeEncoded(f int, b []byte, st *fileStyle, gbk *gbkTable) error {
	if st.gbk && gbk != nil {
		b, _ = gbk.encode(nil, b)
	}
	if _, err := o.w[f].Write(b); err != nil {
		return fmt.Errorf("写入 %s: %w", outName(f), err)
	}
	return nil
}

// writeReference writes schools.csv and villages.csv, which come from the plan alone.
func (o *outputs) writeReference(p *plan, st *[numOutFiles]fileStyle, gbk *gbkTable) error {
	var b []byte
	for _, c := range p.counties {
		for _, s := range c.schools {
			b = append(b, s.code...)
			b = append(b, ',')
			b = appendFieldString(b, s.name)
			b = append(b, ',')
			b = append(b, s.region...)
			b = append(b, ',')
			b = append(b, s.kind...)
			b = append(b, ',')
			if s.boarding {
				b = append(b, "是"...)
			} else {
				b = append(b, "否"...)
			}
			b = st[outSchools].eol(b)
			o.rows[outSchools]++
		}
	}
	if err := o.writeEncoded(outSchools, b, &st[outSchools], gbk); err != nil {
		return err
	}
	b = b[:0]
	for _, u := range p.units {
		for _, v := range u.villages {
			b = append(b, v.code...)
			b = append(b, ',')
			b = appendFieldString(b, v.name)
			b = st[outVillages].eol(b)
			o.rows[outVillages]++
		}
	}
	return o.writeEncoded(outVillages, b, &st[outVillages], gbk)
}

// writeUnit appends one township's rows, completing the numbers only the writer knows.
func (o *outputs) writeUnit(res *unitResult, st *[numOutFiles]fileStyle) error {
	regOffset := o.rows[outRegistry]
	for f := range numOutFiles {
		if f == outSchools || f == outVillages {
			continue
		}
		var err error
		switch {
		case f == outTruth:
			for _, tr := range res.truthRows {
				o.num = o.num[:0]
				if tr.regRow > 0 {
					o.num = strconv.AppendInt(o.num, regOffset+int64(tr.regRow), 10)
				} else {
					o.num = append(o.num, '0')
				}
				o.w[f].Write(o.num)
				_, err = o.w[f].Write(res.buf[f][tr.from:tr.to])
			}
		case st[f].numbered:
			err = o.writeNumbered(f, res.buf[f])
		default:
			_, err = o.w[f].Write(res.buf[f])
		}
		if err != nil {
			return fmt.Errorf("写入 %s: %w", outName(f), err)
		}
		o.rows[f] += res.rows[f]
	}
	return nil
}

// writeNumbered prefixes each line with its 序号. Lines are found by '\n', which never occurs
// inside a GBK character (its trail bytes are ≥ 0x40).
func (o *outputs) writeNumbered(f int, buf []byte) error {
	n := o.rows[f]
	for len(buf) > 0 {
		i := bytes.IndexByte(buf, '\n')
		if i < 0 {
			i = len(buf) - 1
		}
		n++
		o.num = strconv.AppendInt(o.num[:0], n, 10)
		o.num = append(o.num, ',')
		o.w[f].Write(o.num)
		if _, err := o.w[f].Write(buf[:i+1]); err != nil {
			return err
		}
		buf = buf[i+1:]
	}
	return nil
}

func (o *outputs) finish(f int, st *fileStyle, gbk *gbkTable) error {
	if err := o.writeEncoded(f, st.postamble(), st, gbk); err != nil {
		return err
	}
	if err := o.w[f].Flush(); err != nil {
		return fmt.Errorf("写入 %s: %w", outName(f), err)
	}
	return nil
}

func (o *outputs) close() error {
	if o.closed {
		return nil
	}
	o.closed = true
	var errs []error
	for _, fh := range o.files {
		if fh != nil {
			errs = append(errs, fh.Close())
		}
	}
	return errors.Join(errs...)
}
