package main

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"runtime"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

// runFloor is the child process of the floor contender: the least work any program must do to
// write the exact-only ledger of the same files, so that the report shows how far baoxue is from
// what this machine allows and whether a target is within reach at all. It validates nothing
// and decides nothing but enrolled / suspected:
//
//   - 学籍 and national files are mapped into memory; their lines give their ID (18 characters
//     packed into an integer) and the line's offset, in 4 MB blocks on every CPU; the IDs go into
//     an open-addressing table;
//   - the registry is read in 4 MB blocks on every CPU, each into a buffer the CPU reuses (on the
//     2026-12 VM that beat mapping it, 2.8 s instead of 3.8 s: a mapping costs a page fault and
//     TLB misses per 4 KB, a reused buffer stays in the caches); a line is kept when the birth
//     digits of its ID lie in the school-age window, probed, and formatted as a ledger line with
//     the same fields as baoxue's .jsonl (the 学籍号 and school read back from the matched line);
//   - blocks are written in order, their buffers reused.
//
// Fields are unquoted and trimmed, nothing more: IDs in full-width digits or a spreadsheet's
// exponent form are not read, so a few more children are left unmatched than baoxue leaves.
func runFloor(args []string) error {
	if len(args) != 5 {
		return errors.New("usage: bench floor REGISTRY ENROLLMENT NATIONAL OUT AS-OF")
	}
	asOf, err := time.Parse("2006-01-02", args[4])
	if err != nil {
		return err
	}
	// The window of baoxue's compare: born on or after the as-of date 16 years earlier and before
	// the as-of date 6 years earlier (2010-09-01 … 2020-08-31 for 2026-09-01, as its summary says).
	ymd := func(t time.Time) int { return t.Year()*10000 + int(t.Month())*100 + t.Day() }
	first, last := ymd(asOf.AddDate(-16, 0, 0)), ymd(asOf.AddDate(-6, 0, -1))

	t0 := time.Now()
	var enr []floorFile
	for _, p := range args[1:3] {
		f, err := openFloorFile(p, []string{"", "学校标识码", "学校名称"}, []string{"学籍号", "全国学籍号"})
		if err != nil {
			return err
		}
		enr = append(enr, f)
	}
	type student struct {
		key  uint64
		file int32
		off  int64 // the line's offset in its file
	}
	var parts [2][][]byte
	total := 0
	for fi, f := range enr {
		parts[fi] = parallelBlocks(f.data, nil, f.body, func(line []byte, off int64, out []byte) []byte {
			if k := packID(field(line, f.id)); k != 0 {
				out = binary.LittleEndian.AppendUint64(out, k)
				out = binary.LittleEndian.AppendUint64(out, uint64(off))
			}
			return out
		}, nil)
		for _, p := range parts[fi] {
			total += len(p) / 16
		}
	}
	students := make([]student, 0, total) // one allocation: growing it by appends faulted in fresh pages three times over
	for fi := range enr {
		for _, p := range parts[fi] {
			for i := 0; i+16 <= len(p); i += 16 {
				students = append(students, student{binary.LittleEndian.Uint64(p[i:]), int32(fi), int64(binary.LittleEndian.Uint64(p[i+8:]))})
			}
		}
	}
	t1 := time.Now()
	tab := newFloorTable(len(students))
	for i, s := range students {
		tab.add(s.key, int32(i))
	}

	t2 := time.Now()
	reg, err := openFloorFile(args[0], []string{"姓名", "村(社区)代码"}, nil)
	if err != nil {
		return err
	}
	out, err := os.Create(args[3])
	if err != nil {
		return err
	}
	defer out.Close()
	var kept int64
	var suspects atomic.Int64 // a few per block
	_ = parallelBlocks(reg.data, reg.file, reg.body, func(line []byte, off int64, b []byte) []byte {
		id := field(line, reg.id)
		if len(id) != 18 {
			return b
		}
		birth := 0
		for _, c := range id[6:14] {
			birth = birth*10 + int(c-'0')
		}
		if birth < first || birth > last {
			return b
		}
		b = append(b, `{"source_row":`...)
		b = strconv.AppendInt(b, off, 10)
		b = append(b, `,"id_number":"`...)
		b = append(b, id...)
		b = append(b, `","name":"`...)
		b = append(b, field(line, reg.cols[0])...)
		b = append(b, `","sex":"`...)
		b = append(b, "FM"[id[16]&1])
		b = append(b, `","birth_date":"`...)
		b = append(b, id[6:10]...)
		b = append(b, '-')
		b = append(b, id[10:12]...)
		b = append(b, '-')
		b = append(b, id[12:14]...)
		b = append(b, `","region_code":"`...)
		b = append(b, field(line, reg.cols[1])...)
		ix := tab.find(packID(id))
		if ix < 0 {
			suspects.Add(1)
			b = append(b, `","status":"suspected","detail":"","match_method":"none","match_score":0,"matched_student_no":"","school_code":"","school_name":""`...)
		} else {
			s := students[ix]
			f := &enr[s.file]
			sl := f.data[s.off:]
			if j := bytes.IndexByte(sl, '\n'); j >= 0 {
				sl = sl[:j]
			}
			b = append(b, `","status":"enrolled","detail":"","match_method":"id_exact","match_score":1,"matched_student_no":"`...)
			b = append(b, field(sl, f.extra[0])...)
			b = append(b, `","school_code":"`...)
			b = append(b, field(sl, f.cols[1])...)
			b = append(b, `","school_name":"`...)
			b = append(b, field(sl, f.cols[2])...)
			b = append(b, '"')
		}
		b = append(b, `,"poverty":false,"poverty_type":"","disability":"","priority_groups":[]}`+"\n"...)
		return b
	}, func(block []byte) error {
		kept += int64(bytes.Count(block, []byte{'\n'}))
		_, err := out.Write(block)
		return err
	})
	if err := out.Close(); err != nil {
		return err
	}
	t3 := time.Now()
	fmt.Printf("%d school-age, %d without an enrollment ID, %d 学籍 IDs; 学籍 %.2f s, table %.2f s, registry and ledger %.2f s\n",
		kept, suspects.Load(), len(students), t1.Sub(t0).Seconds(), t2.Sub(t1).Seconds(), t3.Sub(t2).Seconds())
	return nil
}

// floorFile is a mapped CSV and the positions of the columns the floor reads.
type floorFile struct {
	data  []byte
	file  *os.File // the registry's blocks are read with pread (see runFloor)
	body  int      // offset of the first line after the header
	id    int
	cols  []int // by name, -1 when absent
	extra []int // the first present of alternative names
}

func openFloorFile(path string, names, alternatives []string) (floorFile, error) {
	l, err := layout(path)
	if err != nil {
		return floorFile{}, err
	}
	f, err := os.Open(path)
	if err != nil {
		return floorFile{}, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return floorFile{}, err
	}
	data, err := syscall.Mmap(int(f.Fd()), 0, int(st.Size()), syscall.PROT_READ, syscall.MAP_SHARED)
	if err != nil {
		return floorFile{}, err
	}
	ff := floorFile{data: data, id: slices.Index(l.columns, l.id)}
	if ff.file, err = os.Open(path); err != nil {
		return floorFile{}, err
	}
	for range l.skip + 1 {
		j := bytes.IndexByte(data[ff.body:], '\n')
		if j < 0 {
			return floorFile{}, fmt.Errorf("%s: no rows", path)
		}
		ff.body += j + 1
	}
	for _, n := range names {
		ff.cols = append(ff.cols, slices.Index(l.columns, n))
	}
	alt := -1
	for _, n := range alternatives {
		if i := slices.Index(l.columns, n); i >= 0 && alt < 0 {
			alt = i
		}
	}
	ff.extra = append(ff.extra, alt)
	return ff, nil
}

// field returns column i of a CSV line, unquoted and without surrounding blanks (nil when the
// line has fewer columns or i < 0). A quoted field ends at a quote followed by a comma; doubled
// quotes inside are left as they are.
func field(line []byte, i int) []byte {
	if i < 0 {
		return nil
	}
	for {
		var f []byte
		if len(line) > 0 && line[0] == '"' {
			j := bytes.Index(line[1:], []byte{'"', ','})
			if j < 0 {
				f, line = bytes.TrimSuffix(bytes.TrimRight(line[1:], "\r"), []byte{'"'}), nil
			} else {
				f, line = line[1:1+j], line[j+3:]
			}
		} else if j := bytes.IndexByte(line, ','); j >= 0 {
			f, line = line[:j], line[j+1:]
		} else {
			f, line = bytes.TrimRight(line, "\r"), nil
		}
		if i == 0 {
			return bytes.TrimSpace(f)
		}
		if line == nil {
			return nil
		}
		i--
	}
}

// packID packs an 18-character ID (17 digits and a digit or X) into an integer, 0 for anything else.
func packID(id []byte) uint64 {
	if len(id) != 18 {
		return 0
	}
	var v uint64
	for _, c := range id[:17] {
		if c < '0' || c > '9' {
			return 0
		}
		v = v*10 + uint64(c-'0')
	}
	x := id[17]
	switch {
	case x >= '0' && x <= '9':
		return v*11 + uint64(x-'0') + 1
	case x == 'X' || x == 'x':
		return v*11 + 11
	}
	return 0
}

// parallelBlocks cuts data[start:] into 4 MB blocks of whole lines and calls fn for every line
// on every CPU; fn appends to the block's output. With a sink the outputs are handed to it in
// order and their buffers reused; else they are returned. With a file, blocks are read from it
// rather than from data.
func parallelBlocks(data []byte, file *os.File, start int, fn func(line []byte, off int64, out []byte) []byte, sink func([]byte) error) [][]byte {
	const block = 4 << 20
	n := (len(data) - start + block - 1) / block
	results := make([]chan []byte, n)
	for i := range results {
		results[i] = make(chan []byte, 1)
	}
	free := make(chan []byte, 2*runtime.NumCPU())
	tokens := make(chan struct{}, 2*runtime.NumCPU()) // blocks ahead of the sink
	var next int
	var mu sync.Mutex
	for range runtime.NumCPU() {
		go func() {
			var buf []byte
			for {
				tokens <- struct{}{}
				mu.Lock()
				i := next
				next++
				mu.Unlock()
				if i >= n {
					return
				}
				s, e := start+i*block, min(start+(i+1)*block, len(data))
				// d holds the file's bytes from base: the block, the byte before it and up to
				// 64 KB after it (the end of its last line).
				base := max(s-1, 0)
				d := data[base:min(e+64<<10, len(data))]
				if file != nil {
					if cap(buf) < len(d) {
						buf = make([]byte, len(d))
					}
					k, err := file.ReadAt(buf[:len(d)], int64(base))
					if k < len(d) {
						exitOn(fmt.Errorf("read: %w", err))
					}
					d = buf[:len(d)]
				}
				p := s - base
				if i > 0 {
					j := bytes.IndexByte(d[:e-base], '\n')
					if j < 0 {
						results[i] <- nil
						continue
					}
					p = j + 1
				}
				var out []byte
				select {
				case out = <-free:
				default:
				}
				for p < e-base {
					j := bytes.IndexByte(d[p:], '\n')
					if j < 0 {
						j = len(d) - p
					}
					out = fn(d[p:p+j], int64(base+p), out)
					p += j + 1
				}
				results[i] <- out
			}
		}()
	}
	var kept [][]byte
	for i := range n {
		out := <-results[i]
		<-tokens
		if sink == nil {
			kept = append(kept, out)
			continue
		}
		if err := sink(out); err != nil {
			exitOn(err)
		}
		select {
		case free <- out[:0]:
		default:
		}
	}
	return kept
}

// floorTable maps packed IDs to indexes, open addressing with linear probing.
type floorTable struct {
	keys  []uint64
	vals  []int32
	shift uint
}

func newFloorTable(n int) *floorTable {
	size, shift := 1<<10, uint(54)
	for size < 2*n {
		size, shift = size*2, shift-1
	}
	return &floorTable{keys: make([]uint64, size), vals: make([]int32, size), shift: shift}
}

func (t *floorTable) add(k uint64, v int32) {
	mask := uint64(len(t.keys) - 1)
	for i := (k * 0x9E3779B97F4A7C15) >> t.shift; ; i = (i + 1) & mask {
		switch t.keys[i] {
		case 0:
			t.keys[i], t.vals[i] = k, v
			return
		case k:
			return // the first line with the ID wins
		}
	}
}

func (t *floorTable) find(k uint64) int32 {
	if k == 0 {
		return -1
	}
	mask := uint64(len(t.keys) - 1)
	for i := (k * 0x9E3779B97F4A7C15) >> t.shift; ; i = (i + 1) & mask {
		switch t.keys[i] {
		case 0:
			return -1
		case k:
			return t.vals[i]
		}
	}
}
