package compare

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/baoxue/baoxue"
	"github.com/baoxue/baoxue/internal/arena"
	"github.com/baoxue/baoxue/internal/match"
	"github.com/baoxue/baoxue/internal/pinyin"
)

// Stream calls fn once per record, in file order, and returns fn's first error or its own. fn
// must not keep the pointer; the strings it points to may be kept.
type Stream[T any] func(ctx context.Context, fn func(*T) error) error

// Inputs are the files or stored datasets of one run. Registry and Enrollment are required.
type Inputs struct {
	Registry   Stream[baoxue.Person]
	Enrollment Stream[baoxue.Enrollment]
	National   Stream[baoxue.Enrollment]       // optional: pupils enrolled in another province
	Poverty    Stream[baoxue.PovertyRecord]    // optional
	Disability Stream[baoxue.DisabilityRecord] // optional
	// SchoolRegions maps a 学校标识码 to the division code of the school (township or village),
	// from the schools file; optional. With it the fuzzy stage can weigh where a pupil goes to
	// school against where the child is registered.
	SchoolRegions map[string]string
	// RegistryHeaderRow is the spreadsheet row of the registry's header. Records carry the row
	// as the official sees it (baoxue.Person.SourceRow); the ledger's source_row is the 1-based
	// data row (DESIGN §8), the spreadsheet row less this. 0 keeps spreadsheet rows.
	RegistryHeaderRow int
}

// Options tune a run.
type Options struct {
	AsOf      baoxue.Date    // required: the day the ledger is drawn up for
	Rule      baoxue.AgeRule // the school-age rule; the zero value means baoxue.DefaultAgeRule()
	ExactOnly bool           // link by identical IDs only (see the package comment)
	Workers   int            // matching goroutines; 0 means GOMAXPROCS
	Pinyin    *pinyin.Table  // nil builds one
	Match     match.Options  // linkage thresholds; the zero value is calibrated
}

// Summary describes a finished run. Timings is the only part that differs between two runs on
// the same inputs.
type Summary struct {
	AsOf           string         `json:"as_of"`
	WindowFirst    string         `json:"window_first"` // earliest birth date of the school-age window
	WindowLast     string         `json:"window_last"`
	ExactOnly      bool           `json:"exact_only,omitempty"`
	RegistryRows   int            `json:"registry_rows"`
	EnrollmentRows int            `json:"enrollment_rows"`
	NationalRows   int            `json:"national_rows"`
	MergedRows     int            `json:"merged_student_rows"` // 学籍 rows merged into an earlier row with the same 学籍号
	PovertyRows    int            `json:"poverty_rows"`
	DisabilityRows int            `json:"disability_rows"`
	SchoolAge      int            `json:"school_age"` // ledger entries: every school-age child of the county
	MovedOut       int            `json:"moved_out"`  // school-age rows with 迁出, not counted for this county
	UnknownBirth   int            `json:"unknown_birth,omitempty"`
	Statuses       map[string]int `json:"statuses"` // ledger status → children (every status present, zeros included)
	Methods        map[string]int `json:"methods"`  // match method → children
	Poverty        int            `json:"poverty"`
	Disability     int            `json:"disability"`
	// Timings in seconds: reading the 学籍 side (enrollment), the registry (registry) and the
	// poverty and disability registries (poverty_disability), which overlap; all of it with the
	// matching (read_and_match); then resolve, flags, ledger and total.
	Timings map[string]float64 `json:"seconds"`
}

// Errors a caller may test with errors.Is.
var (
	ErrNoRegistry   = errors.New("缺少户籍数据")
	ErrNoEnrollment = errors.New("缺少学籍数据")
)

// enrollment is a 学籍 row as the run keeps it: 32 bytes plus the student number in an arena.
type enrollment struct {
	key      uint64 // packed ID for the exact stage (valid or typo'd), 0 otherwise
	sno      string // 学籍号, in the run's arena
	school   int32  // index into run.schools
	grade    int8
	status   uint8 // enroll* below
	home     bool
	national bool
}

// Enrollment statuses, ordered by how much they settle a child's schooling (lower wins when
// several 学籍 rows carry the child's ID).
const (
	enrollActive uint8 = iota
	enrollSuspended
	enrollGraduated
	enrollDropped
	enrollTransferred
	enrollUnknown
)

func enrollStatus(s string) uint8 {
	switch s {
	case baoxue.EnrollActive:
		return enrollActive
	case baoxue.EnrollSuspended:
		return enrollSuspended
	case baoxue.EnrollGraduated:
		return enrollGraduated
	case baoxue.EnrollDropped:
		return enrollDropped
	case baoxue.EnrollTransferred:
		return enrollTransferred
	}
	return enrollUnknown
}

type school struct{ code, name string }

// Registry statuses as the run keeps them.
const (
	regNormal uint8 = iota
	regDeceased
	regEmigrated
	regMovedOut
	regCancelled
	regOther
)

func registryStatus(s string) uint8 {
	switch s {
	case baoxue.RegistryDeceased:
		return regDeceased
	case baoxue.RegistryEmigrated:
		return regEmigrated
	case baoxue.RegistryMovedOut:
		return regMovedOut
	case baoxue.RegistryCancelled:
		return regCancelled
	case baoxue.RegistryOtherState:
		return regOther
	}
	return regNormal // "" or 正常
}

// child is a school-age registry row, kept from the registry pass to the ledger: 88 bytes plus
// its name in the arena. What few children need (an unusable ID as typed, a rare registry status,
// the reason of a non-exact match) is kept apart in the batch's extra map.
type child struct {
	key      uint64 // match key (valid, typo'd or truncated ID), 0 when none
	guardKey uint64 // the guardian's valid ID, for the poverty household
	score    float64
	name     string
	region   string // interned: children of a village share the string
	row      int32
	ref      int32 // enrollment index, -1 none
	birth    baoxue.Date
	pov      int16 // 1 + index into run.povTypes; 0 none
	dis      int16 // 1 + index into flagSet.disVals; 0 none
	ks       match.KeyState
	sex      uint8 // sexUnknown, sexMale, sexFemale
	reg      uint8 // reg* above
	method   uint8 // method* below
	povLevel uint8 // flagOwn, flagOwnTypo or flagHousehold
	valid    bool  // the registry ID is valid (key is its packing)
	review   bool
	pending  bool
	unknown  bool // no usable birth date anywhere
	dups     bool // an exact match whose ID other 学籍 rows share (see pickExact)
}

// childExtra is what only some children need.
type childExtra struct {
	raw       string // the ID as typed, when it is not valid
	idErr     string
	statusRaw string // 人员状态 as typed, for other and cancelled states
	reason    string // why the match was made, when it is not a plain identical ID
}

const (
	sexUnknown uint8 = iota
	sexMale
	sexFemale
)

func sexOf(s baoxue.Sex) uint8 {
	switch s {
	case baoxue.Male:
		return sexMale
	case baoxue.Female:
		return sexFemale
	}
	return sexUnknown
}

var sexes = [...]baoxue.Sex{sexUnknown: "", sexMale: baoxue.Male, sexFemale: baoxue.Female}

const (
	methodNone uint8 = iota
	methodExact
	methodVariant
	methodFuzzy
)

var methods = [...]baoxue.MatchMethod{methodNone: baoxue.MatchNone, methodExact: baoxue.MatchIDExact,
	methodVariant: baoxue.MatchIDVariant, methodFuzzy: baoxue.MatchFuzzy}

func methodOf(m baoxue.MatchMethod) uint8 {
	switch m {
	case baoxue.MatchIDExact:
		return methodExact
	case baoxue.MatchIDVariant:
		return methodVariant
	case baoxue.MatchFuzzy:
		return methodFuzzy
	}
	return methodNone
}

const batchSize = 1024

type batch struct {
	first    int32 // global index of children[0]
	children []child
	guards   []string // guardians' names, for matching only; dropped once the batch is matched
	extra    map[int32]*childExtra
}

// more returns the extra of child i of the batch, creating it.
func (b *batch) more(i int) *childExtra {
	if b.extra == nil {
		b.extra = map[int32]*childExtra{}
	}
	x := b.extra[int32(i)]
	if x == nil {
		x = &childExtra{}
		b.extra[int32(i)] = x
	}
	return x
}

// extraOf returns the extra of child i, or an empty one.
func (b *batch) extraOf(i int) *childExtra {
	if x := b.extra[int32(i)]; x != nil {
		return x
	}
	return &noExtra
}

var noExtra childExtra // read only

// run is the state of one comparison.
type run struct {
	opts  Options
	rule  baoxue.AgeRule
	py    *pinyin.Table
	first baoxue.Date
	last  baoxue.Date

	enr     []enrollment
	enrKeys *keyTable
	dupName map[int32]string // names of the enrollment rows whose ID repeats
	schools []school
	matcher *match.Matcher

	batches  []*batch
	regionIx map[string]string
	povTypes []string

	matcherSeconds float64
	arena          arena.Strings // registry strings, so that the run keeps no reference to the reader's rows
	enrArena       arena.Strings // enrollment strings (filled concurrently with arena)
	flagSet        flagSet
	rowOffset      int32
	sum            Summary
}

// Run compares the inputs and calls emit once per school-age child, in registry row order. emit
// must not keep the entry or modify its PriorityGroups; an error from emit stops the run.
func Run(ctx context.Context, in Inputs, opts Options, emit func(*baoxue.LedgerEntry) error) (*Summary, error) {
	if in.Registry == nil {
		return nil, ErrNoRegistry
	}
	if in.Enrollment == nil {
		return nil, ErrNoEnrollment
	}
	if opts.AsOf == 0 {
		return nil, fmt.Errorf("缺少比对日期: %w", baoxue.ErrInvalid)
	}
	r := &run{opts: opts, rule: opts.Rule, py: opts.Pinyin, regionIx: map[string]string{}, rowOffset: int32(in.RegistryHeaderRow)}
	if r.rule == (baoxue.AgeRule{}) {
		r.rule = baoxue.DefaultAgeRule()
	}
	if err := r.rule.Validate(); err != nil {
		return nil, err
	}
	if r.py == nil {
		r.py = pinyin.New()
	}
	r.first, r.last = r.rule.Window(opts.AsOf)
	r.sum = Summary{AsOf: opts.AsOf.String(), WindowFirst: r.first.String(), WindowLast: r.last.String(),
		ExactOnly: opts.ExactOnly, Statuses: map[string]int{}, Methods: map[string]int{}, Timings: map[string]float64{}}
	for _, s := range baoxue.LedgerStatuses {
		r.sum.Statuses[s.ID] = 0
	}
	start := time.Now()
	var mu sync.Mutex // guards Timings while the inputs are read concurrently
	stage := func(name string, t0 time.Time) {
		mu.Lock()
		r.sum.Timings[name] = time.Since(t0).Seconds()
		mu.Unlock()
	}

	// The inputs are read concurrently: the 学籍 side (then the matcher is built), the registry
	// (the school-age children are kept in batches) and the poverty and disability registries.
	// Matching workers start once the matcher exists and work through the batches while the
	// registry is still being read.
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var g group
	g.cancel = cancel
	ready := make(chan struct{})
	queue := newBatchQueue()
	g.Go(func() error {
		t0 := time.Now()
		if err := r.loadEnrollments(ctx, in); err != nil {
			return err
		}
		stage("enrollment", t0)
		close(ready)
		return nil
	})
	g.Go(func() error {
		defer queue.close()
		t0 := time.Now()
		err := r.readRegistry(ctx, in.Registry, queue)
		stage("registry", t0)
		return err
	})
	g.Go(func() error {
		t0 := time.Now()
		err := r.readFlags(ctx, in)
		stage("poverty_disability", t0)
		return err
	})
	workers := r.opts.Workers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	for range workers {
		g.Go(func() error {
			select {
			case <-ready:
			case <-ctx.Done():
				return nil
			}
			for {
				b, ok := queue.pop()
				if !ok {
					return nil
				}
				r.matchBatch(b)
			}
		})
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	stage("read_and_match", start)
	r.sum.Timings["matcher"] = r.matcherSeconds

	t0 := time.Now()
	if r.matcher != nil {
		for _, d := range r.matcher.Resolve() {
			b, i := r.locate(d.Child)
			b.setResult(i, d.Result)
		}
	}
	stage("resolve", t0)

	t0 = time.Now()
	r.applyFlags()
	stage("flags", t0)

	t0 = time.Now()
	if err := r.emit(ctx, emit); err != nil {
		return nil, err
	}
	stage("ledger", t0)
	stage("total", start)
	return &r.sum, nil
}

// group runs functions on goroutines and returns the first error; the first error cancels the
// others through cancel.
type group struct {
	wg     sync.WaitGroup
	once   sync.Once
	err    error
	cancel func()
}

func (g *group) Go(fn func() error) {
	g.wg.Add(1)
	go func() {
		defer g.wg.Done()
		if err := fn(); err != nil {
			g.once.Do(func() {
				g.err = err
				g.cancel()
			})
		}
	}()
}

func (g *group) Wait() error {
	g.wg.Wait()
	return g.err
}

// batchQueue hands the registry's batches to the matching workers in order; the reader never
// waits for the workers.
type batchQueue struct {
	mu     sync.Mutex
	cond   *sync.Cond
	items  []*batch
	next   int
	closed bool
}

func newBatchQueue() *batchQueue {
	q := &batchQueue{}
	q.cond = sync.NewCond(&q.mu)
	return q
}

func (q *batchQueue) push(b *batch) {
	q.mu.Lock()
	q.items = append(q.items, b)
	q.mu.Unlock()
	q.cond.Signal()
}

func (q *batchQueue) close() {
	q.mu.Lock()
	q.closed = true
	q.mu.Unlock()
	q.cond.Broadcast()
}

// pop returns the next batch, waiting for one; false once the queue is closed and drained.
func (q *batchQueue) pop() (*batch, bool) {
	q.mu.Lock()
	defer q.mu.Unlock()
	for q.next >= len(q.items) && !q.closed {
		q.cond.Wait()
	}
	if q.next >= len(q.items) {
		return nil, false
	}
	b := q.items[q.next]
	q.items[q.next] = nil
	q.next++
	return b, true
}

func (r *run) child(i int32) *child {
	b, j := r.locate(i)
	return &b.children[j]
}

// locate returns the batch of child i and its index there.
func (r *run) locate(i int32) (*batch, int) {
	b := r.batches[int(i)/batchSize]
	return b, int(i) - int(b.first)
}

// setResult records the match outcome of child i.
func (b *batch) setResult(i int, res match.Result) {
	c := &b.children[i]
	c.method, c.review, c.ref, c.score, c.pending = methodOf(res.Method), res.Review, res.Ref, res.Score, res.Pending
	c.dups = res.Method == baoxue.MatchIDExact && res.Duplicates > 0
	if res.Reason != "" && res.Reason != reasonExact {
		b.more(i).reason = res.Reason
	} else if x := b.extra[int32(i)]; x != nil {
		x.reason = ""
	}
}

// reasonExact is the reason of a plain exact match, not stored per child.
const reasonExact = "身份证号相同"

// loadEnrollments reads the local and national 学籍 files and builds the matcher.
//
// Rows with the same 学籍号 are one pupil (the national student number follows a pupil for
// life): an old 转出 row and the active row at the new school, a 辍学 row and the row after the
// return. They are merged into one record before matching, so that they do not compete with each
// other for the child: the status is that of the row that settles the pupil's schooling most, and
// the ID (for matching) that of the row whose ID is best (valid, then mistyped, then cut by
// Excel).
func (r *run) loadEnrollments(ctx context.Context, in Inputs) error {
	var recs recChunks
	var rows chunks[enrollment] // flattened once: growing one slice of millions copied it over and over
	var names arena.Strings
	var snos []uint64 // 32-bit hash of the 学籍号 << 32 | row, for mergePupils
	schoolIx := map[school]int32{}
	last := int32(-1) // files list a school's pupils together: most rows repeat the last school
	add := func(e *baoxue.Enrollment, national bool) error {
		if rows.n >= 1<<31-1 {
			return fmt.Errorf("学籍记录超过 %d 条: %w", 1<<31-1, baoxue.ErrInvalid)
		}
		key, ks := matchKey(e.IDNumber, e.IDRaw, e.IDError)
		si := last
		if si < 0 || r.schools[si].code != e.SchoolCode || r.schools[si].name != e.SchoolName {
			sc := school{e.SchoolCode, e.SchoolName}
			var ok bool
			if si, ok = schoolIx[sc]; !ok {
				si = int32(len(r.schools))
				sc = school{strings.Clone(sc.code), strings.Clone(sc.name)}
				r.schools = append(r.schools, sc)
				schoolIx[sc] = si
			}
			last = si
		}
		x := enrollment{school: si, grade: int8(max(min(e.Grade, 127), -1)), sno: r.enrArena.Add(e.StudentNo),
			status: enrollStatus(e.Status), home: e.HomeTaught, national: national || e.National}
		if ks != match.KeyTruncated {
			x.key = key
		}
		if e.StudentNo != "" {
			snos = append(snos, uint64(uint32(fnv64(e.StudentNo)))<<32|uint64(rows.n))
		}
		if !r.opts.ExactOnly {
			recs.add(match.Record{Key: key, KeyState: ks, Name: names.Add(e.Name), Birth: e.BirthDate, Sex: e.Sex,
				Region: in.SchoolRegions[e.SchoolCode]})
		}
		rows.add(x)
		return nil
	}
	err := in.Enrollment(ctx, func(e *baoxue.Enrollment) error { r.sum.EnrollmentRows++; return add(e, false) })
	if err != nil {
		return err
	}
	if in.National != nil {
		err = in.National(ctx, func(e *baoxue.Enrollment) error { r.sum.NationalRows++; return add(e, true) })
		if err != nil {
			return err
		}
	}
	r.enr = rows.flatten()
	flat := r.mergePupils(snos, &recs)

	keys := make([]uint64, len(r.enr))
	for i := range r.enr {
		keys[i] = r.enr[i].key
	}
	r.enrKeys = newKeyTable(keys)
	if r.opts.ExactOnly {
		return nil
	}
	// Names of rows whose ID repeats, to choose among them by name (see pickExact).
	for i, nx := range r.enrKeys.next {
		if nx >= 0 {
			if r.dupName == nil {
				r.dupName = map[int32]string{}
			}
			r.dupName[int32(i)] = strings.Clone(flat[i].Name)
			r.dupName[nx] = strings.Clone(flat[nx].Name)
		}
	}
	t0 := time.Now()
	r.matcher = match.NewMatcher(flat, match.Options{LinkProbability: r.opts.Match.LinkProbability,
		ReviewOdds: r.opts.Match.ReviewOdds, Pinyin: r.py})
	r.matcherSeconds = time.Since(t0).Seconds()
	return nil
}

// mergePupils merges the rows that share a 学籍号 (see loadEnrollments) and compacts r.enr; it
// returns the match records of the remaining rows, each Ref its index in r.enr. Rows are grouped
// by sorting (hash, row) pairs rather than through a hash map: a province has millions of rows,
// and a sort touches memory in order.
func (r *run) mergePupils(snos []uint64, recs *recChunks) []match.Record {
	slices.Sort(snos)
	gone := make([]bool, len(r.enr))
	var group []int32
	for i := 0; i < len(snos); {
		j := i + 1
		for j < len(snos) && snos[j]>>32 == snos[i]>>32 {
			j++
		}
		if j-i > 1 {
			group = group[:0]
			for _, v := range snos[i:j] {
				group = append(group, int32(uint32(v)))
			}
			// Rows in file order; equal hashes of different numbers are not merged.
			for a, rep := range group {
				if gone[rep] {
					continue
				}
				for _, m := range group[a+1:] {
					if gone[m] || r.enr[m].sno != r.enr[rep].sno {
						continue
					}
					gone[m] = true
					r.sum.MergedRows++
					old, x := &r.enr[rep], &r.enr[m]
					if x.status < old.status {
						old.school, old.grade, old.status, old.home, old.national = x.school, x.grade, x.status, x.home, x.national
					}
					if recs.n > 0 {
						if a, b := recs.at(int(m)), recs.at(int(rep)); keyRank(a.Key, a.KeyState) < keyRank(b.Key, b.KeyState) {
							old.key, *b = x.key, *a
						}
					} else if old.key == 0 {
						old.key = x.key
					}
				}
			}
		}
		i = j
	}
	var flat []match.Record
	if recs.n > 0 {
		flat = make([]match.Record, 0, recs.n-r.sum.MergedRows)
	}
	n := 0
	for i := range r.enr {
		if !gone[i] {
			r.enr[n] = r.enr[i]
			if recs.n > 0 {
				rec := *recs.at(i)
				rec.Ref = int32(n)
				flat = append(flat, rec)
			}
			n++
		}
		if recs.n > 0 && i%recChunk == recChunk-1 {
			recs.chunks[i/recChunk] = nil // copied: let the collector have it
		}
	}
	r.enr = slices.Clip(r.enr[:n])
	recs.chunks = nil
	return flat
}

// chunks collects values in fixed-size chunks, so that millions of them are not copied over and
// over as a slice grows; flatten (or mergePupils, for the match records) copies them once into an
// exact-size slice.
type chunks[T any] struct {
	chunks [][]T
	n      int
}

const recChunk = 1 << 16

func (c *chunks[T]) add(v T) {
	if len(c.chunks) == 0 || len(c.chunks[len(c.chunks)-1]) == recChunk {
		c.chunks = append(c.chunks, make([]T, 0, recChunk))
	}
	last := &c.chunks[len(c.chunks)-1]
	*last = append(*last, v)
	c.n++
}

func (c *chunks[T]) at(i int) *T { return &c.chunks[i/recChunk][i%recChunk] }

// flatten returns the values in order and lets the chunks go.
func (c *chunks[T]) flatten() []T {
	out := make([]T, 0, c.n)
	for i, ch := range c.chunks {
		out = append(out, ch...)
		c.chunks[i] = nil
	}
	c.chunks = nil
	return out
}

// recChunks are the match records of the 学籍 rows.
type recChunks = chunks[match.Record]

// keyRank orders IDs by how much they are worth for matching: valid, mistyped, cut by Excel, none.
func keyRank(k uint64, ks match.KeyState) int {
	if k == 0 {
		return 3
	}
	switch ks {
	case match.KeyValid:
		return 0
	case match.KeyInvalid:
		return 1
	}
	return 2
}

// fnv64 is FNV-1a.
func fnv64(s string) uint64 {
	h := uint64(14695981039346656037)
	for i := 0; i < len(s); i++ {
		h ^= uint64(s[i])
		h *= 1099511628211
	}
	return h
}

// readRegistry streams the registry and queues the school-age children in batches.
func (r *run) readRegistry(ctx context.Context, src Stream[baoxue.Person], q *batchQueue) error {
	var cur *batch
	total := int32(0)
	err := src(ctx, func(p *baoxue.Person) error {
		r.sum.RegistryRows++
		c, x, ok := r.schoolAge(p)
		if !ok {
			return nil
		}
		if total == 1<<31-1 {
			return fmt.Errorf("适龄儿童超过 %d 人: %w", 1<<31-1, baoxue.ErrInvalid)
		}
		if cur == nil {
			cur = &batch{first: total, children: make([]child, 0, batchSize), guards: make([]string, 0, batchSize)}
			r.batches = append(r.batches, cur)
		}
		if x != (childExtra{}) {
			*cur.more(len(cur.children)) = x
		}
		cur.children = append(cur.children, c)
		cur.guards = append(cur.guards, r.arena.Add(p.GuardianName))
		total++
		if len(cur.children) == batchSize {
			q.push(cur)
			cur = nil
		}
		return ctx.Err()
	})
	if cur != nil {
		q.push(cur)
	}
	return err
}

// schoolAge returns the child of a registry row inside the window, with its strings copied.
func (r *run) schoolAge(p *baoxue.Person) (child, childExtra, bool) {
	birth := p.BirthDate
	key, ks := matchKey(p.IDNumber, p.IDRaw, p.IDError)
	valid := key != 0 && ks == match.KeyValid
	if valid {
		birth = birthOfKey(key) // the ID is authoritative for the birth date
	} else if birth == 0 && key != 0 {
		if b := birthOfKey(key); baoxue.ValidDate(b.Year(), int(b.Month()), b.Day()) {
			birth = b
		}
	}
	if birth != 0 && (birth < r.first || birth > r.last) {
		return child{}, childExtra{}, false
	}
	c := child{row: int32(p.SourceRow) - r.rowOffset, birth: birth, key: key, ks: ks, valid: valid, sex: sexOf(p.Sex),
		reg: registryStatus(p.Status), name: r.arena.Add(p.Name), region: r.region(p.RegionCode), ref: -1,
		unknown: birth == 0}
	var x childExtra
	if !valid {
		x.raw, x.idErr = r.arena.Add(p.IDRaw), p.IDError
		if x.idErr == "" {
			x.idErr = "ID_EMPTY"
		}
	}
	if c.reg == regCancelled || c.reg == regOther {
		x.statusRaw = r.arena.Add(p.StatusRaw)
	}
	if gk, gs := matchKey(p.GuardianID, "", ""); gk != 0 && gs == match.KeyValid {
		c.guardKey = gk
	}
	return c, x, true
}

// birthOfKey reads digits 7–14 of a packed ID.
func birthOfKey(key uint64) baoxue.Date {
	v := key / 11 / 1000 // the first 14 digits
	return baoxue.Date(v % 100_000_000)
}

// region interns a region code: a county has a few hundred villages and tens of thousands of
// children.
func (r *run) region(code string) string {
	if s, ok := r.regionIx[code]; ok {
		return s
	}
	s := strings.Clone(code)
	r.regionIx[s] = s
	return s
}

// matchBatch links the children of one batch.
func (r *run) matchBatch(b *batch) {
	for i := range b.children {
		c := &b.children[i]
		if r.matcher == nil {
			r.exactOnly(c)
			continue
		}
		res := r.matcher.Match(match.Record{Key: c.key, KeyState: c.ks, Name: c.name, Birth: c.birth, Sex: sexes[c.sex],
			Region: c.region, Guardian: b.guards[i], Ref: b.first + int32(i)})
		b.setResult(i, res)
	}
	b.guards = nil
}

// exactOnly is the exact stage alone: the first row with the child's ID that settles the most.
func (r *run) exactOnly(c *child) {
	if c.ks == match.KeyTruncated {
		return
	}
	best := int32(-1)
	for p := r.enrKeys.first(c.key); p >= 0; p = r.enrKeys.next[p] {
		if best < 0 || r.enr[p].status < r.enr[best].status {
			best = p
		}
	}
	if best >= 0 {
		c.method, c.ref, c.score = methodExact, best, 1
	}
}
