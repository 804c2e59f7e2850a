package ingest

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/baoxue/baoxue"
	"github.com/baoxue/baoxue/internal/idcard"
	"github.com/baoxue/baoxue/internal/normalize"
	"github.com/baoxue/baoxue/internal/pii"
	"github.com/baoxue/baoxue/internal/region"
	"github.com/baoxue/baoxue/internal/store"
)

// Import turns a file into one dataset (issue 3 items 3–9): every row is normalised and
// validated, problems are collected per row and written to the error report, and the records are
// stored through store.DB.ImportDataset — atomically, so a failed or killed import leaves nothing,
// and a file imported before (same kind and SHA-256) is a no-op.
//
// # What is counted and what is stored
//
//   - Rows: the non-blank data rows below the header.
//   - Rejected: rows with at least one error — a problem in a field the kind requires (name and
//     ID number for people, code and name for schools and villages, 学籍状态 for enrollment).
//     Problems in other fields are warnings: the value is left empty and the row is accepted.
//   - Accepted: the other rows. Warnings counts warning problems (errors_by_code counts both).
//   - Stored: what went into the dataset. A person row is stored even when rejected, as long as it
//     has a usable name or ID number: an ID destroyed by Excel must show up in the comparison as
//     invalid_id for repair, never vanish (DESIGN §6); IDRaw and IDError keep the evidence. A
//     registry row is stored only when the person was born within the school-age window widened
//     by two cohorts on each side (baoxue.AgeRule.WindowWidened), or when the birth date is
//     unknown; adults are counted, not stored. Schools and villages are stored when valid.
//
// # Duplicate ID numbers within a file
//
// Registry, poverty and disability: the first row with an ID is stored; a later row with the same
// ID gets the warning DUPLICATE_ID naming the first and is not stored (a registry holds a person
// once; a second row is a 重复户籍 to clean up at the source). Enrollment and national: every row
// is stored, with the warning on the later ones, because a pupil transferred between schools
// legitimately appears twice; the comparison chooses among them (internal/match takes the record
// whose name agrees best; the status order 在读 > 休学 > 辍学 > 毕业 > 转出 is for it to apply).
// Duplicates are tracked for the first maxTrackedIDs IDs of a file, to keep memory bounded.
//
// # Duplicate ID numbers across datasets
//
// A stored row whose ID number is also in the previous dataset of the same kind (the newest one
// imported before it) gets the warning DUPLICATE_ID_DATASET, naming that dataset (id, file, row
// there) and, for registry and 学籍 rows whose status changed, both statuses
// ("状态由“在读”变为“转出”"). The row is stored all the same. It is counted (warnings, errors_by_code) and listed like any problem,
// but by itself puts a row into the error report only when the status changed: a monthly
// re-export repeats nearly every person, and a report of 200,000 unchanged rows would bury the
// rows that need fixing (and took longer to write than the import).
//
// The rule for which record wins: the newer dataset supersedes. A dataset is an immutable
// snapshot of its source system, and a comparison (baoxue compare --db) reads only the latest
// dataset of each kind, so the earlier row stays for history and no longer counts; for the same
// reason only the previous dataset is consulted, not the ones it superseded in turn. Within one
// 学籍 dataset a pupil's rows are all kept and the comparison prefers 在读 over 休学, 毕业, 辍学
// and 转出 (internal/compare).
//
// The lookup goes through the store's blind index (store.IDLookup): rows wait in batches of about
// a thousand IDs for one indexed query per 256 IDs. It costs nothing when the kind has no earlier
// dataset; when every stored row is in the previous dataset it costs 10–13 µs of CPU per
// stored row on SQLite (a 1,000,000-row registry: about 2.5 s more). Check (no database) does not
// look across datasets.
func Import(ctx context.Context, db *store.DB, path string, kind baoxue.DatasetKind, opts ImportOptions) (*Summary, error) {
	start := time.Now()
	name := filepath.Base(path)
	if err := opts.check(kind); err != nil {
		return nil, err
	}
	sum, err := fileSHA256(path)
	if err != nil {
		return nil, fmt.Errorf("读取文件 %s：%w", name, err)
	}
	earlier, err := earlierDatasets(ctx, db, kind)
	if err != nil {
		return nil, err
	}
	r, err := newRun(path, kind, opts)
	if err != nil {
		return nil, err
	}
	defer r.close()
	ds := &baoxue.Dataset{Kind: kind, FileName: name, SHA256: sum, Sheet: r.tab.Sheet(), Importer: opts.Importer, AsOf: r.cv.asOf}
	id, err := db.ImportDataset(ctx, ds, func(w *store.DatasetWriter) error {
		var dups *crossCheck
		if len(earlier) > 0 {
			lookup, err := db.NewIDLookup(ctx, kind, w.DatasetID())
			if err != nil {
				return err
			}
			defer lookup.Close()
			dups = &crossCheck{lookup: lookup, kind: kind, files: earlier}
		}
		if err := r.convertAll(ctx, w, dups); err != nil {
			return err
		}
		s := r.s
		ds.RowsRead, ds.Accepted, ds.Rejected, ds.Warnings, ds.ErrorCounts = s.Rows, s.Accepted, s.Rejected, s.Warnings, s.ErrorsByCode
		return nil
	})
	if opts.Progress != nil {
		opts.Progress(r.progress())
	}
	if errors.Is(err, baoxue.ErrExists) {
		r.discardReport()
		return &Summary{DatasetID: id, Kind: string(kind), File: name, AlreadyImported: true,
			ErrorsByCode: map[string]int{}, Seconds: time.Since(start).Seconds()}, err
	}
	if err != nil {
		r.discardReport()
		return nil, err
	}
	r.s.DatasetID = id
	err = r.finishReport()
	r.s.Seconds = time.Since(start).Seconds()
	return r.s, err
}

// Check reads and validates a file exactly as Import does — the same counts, problems and error
// report — without a database: the records go to sink (nil discards them). It serves
// `baoxue import --dry-run` (look at a file before importing it) and file-mode comparisons.
// Duplicates across datasets need the database and are not checked.
func Check(ctx context.Context, path string, kind baoxue.DatasetKind, opts ImportOptions, sink RecordSink) (*Summary, error) {
	start := time.Now()
	if err := opts.check(kind); err != nil {
		return nil, err
	}
	r, err := newRun(path, kind, opts)
	if err != nil {
		return nil, err
	}
	defer r.close()
	if sink == nil {
		sink = discard{}
	}
	err = r.convertAll(ctx, sink, nil)
	if opts.Progress != nil {
		opts.Progress(r.progress())
	}
	if err != nil {
		r.discardReport()
		return nil, err
	}
	err = r.finishReport()
	r.s.Seconds = time.Since(start).Seconds()
	return r.s, err
}

// RecordSink receives the records of a file, in file order. *store.DatasetWriter is one; Records
// adapts functions.
type RecordSink interface {
	Person(*baoxue.Person) error
	Enrollment(*baoxue.Enrollment) error
	Poverty(*baoxue.PovertyRecord) error
	Disability(*baoxue.DisabilityRecord) error
	School(*baoxue.School) error
	Village(*baoxue.Village) error
}

// Records is a RecordSink made of functions; a nil function discards its records. The pointer
// passed is only valid during the call.
type Records struct {
	OnPerson     func(*baoxue.Person) error
	OnEnrollment func(*baoxue.Enrollment) error
	OnPoverty    func(*baoxue.PovertyRecord) error
	OnDisability func(*baoxue.DisabilityRecord) error
	OnSchool     func(*baoxue.School) error
	OnVillage    func(*baoxue.Village) error
}

func call[T any](fn func(*T) error, v *T) error {
	if fn == nil {
		return nil
	}
	return fn(v)
}

func (r Records) Person(v *baoxue.Person) error               { return call(r.OnPerson, v) }
func (r Records) Enrollment(v *baoxue.Enrollment) error       { return call(r.OnEnrollment, v) }
func (r Records) Poverty(v *baoxue.PovertyRecord) error       { return call(r.OnPoverty, v) }
func (r Records) Disability(v *baoxue.DisabilityRecord) error { return call(r.OnDisability, v) }
func (r Records) School(v *baoxue.School) error               { return call(r.OnSchool, v) }
func (r Records) Village(v *baoxue.Village) error             { return call(r.OnVillage, v) }

type discard struct{ Records }

var _ RecordSink = (*store.DatasetWriter)(nil)

func (o ImportOptions) check(kind baoxue.DatasetKind) error {
	if o.Tree == nil {
		return fmt.Errorf("import: no division tree: %w", baoxue.ErrInvalid)
	}
	if o.Today == 0 {
		return fmt.Errorf("import: no date for today: %w", baoxue.ErrInvalid)
	}
	if _, ok := SchemaOf(kind); !ok {
		return fmt.Errorf("未知的数据类型“%s”: %w", kind, baoxue.ErrInvalid)
	}
	return nil
}

// run is one pass over a file: the table, the converter, the counts and the error report.
type run struct {
	tab        *Table
	cv         *converter
	rows       *readAhead
	s          *Summary
	opts       ImportOptions
	reportPath string
	report     *ReportWriter
	// skipOutside: opts.SkipOutsideWindow for a registry
	skipOutside bool
	// done and total are the progress of a parallel conversion (see convertParallel)
	done, total int64
	// parallel overrides the block size and minimum file size of convertParallel (tests)
	parallel *parallelTuning
	// dupFirst is mergeBlock's scratch: per row of a block, the earlier row with its ID or 0
	dupFirst []int32
}

func newRun(path string, kind baoxue.DatasetKind, opts ImportOptions) (*run, error) {
	opts.Options.Kind = kind
	tab, err := OpenTable(path, opts.Options)
	if err != nil {
		return nil, err
	}
	r := &run{tab: tab, opts: opts, reportPath: opts.Report,
		s: &Summary{Kind: string(kind), File: filepath.Base(path), Sheet: tab.Sheet(), HeaderRow: tab.Header.Row,
			ErrorsByCode: map[string]int{}, UnknownColumns: tab.Header.Unknown, DuplicateColumns: tab.Header.Duplicates}}
	if r.reportPath == "" {
		r.reportPath = ReportPath(path)
	}
	r.cv = newConverter(kind, &tab.Header, opts)
	r.skipOutside = opts.SkipOutsideWindow && kind == baoxue.KindRegistry
	r.parallel = opts.parallel
	return r, nil
}

func (r *run) close() {
	if r.rows != nil {
		r.rows.Close()
	}
	r.tab.Close()
}

// convertAll converts every row and hands the records to sink, in file order. With dups set,
// rows wait in small batches for the lookup of their IDs among earlier datasets.
func (r *run) convertAll(ctx context.Context, sink RecordSink, dups *crossCheck) error {
	if dups == nil {
		if plan := r.parallelPlan(); plan != nil {
			return r.convertParallel(ctx, sink, plan)
		}
	}
	if r.rows == nil {
		r.rows = newReadAhead(r.tab) // reading and validating on two cores
	}
	return r.convertRows(ctx, sink, dups)
}

// progress is how far the reading is, in bytes.
func (r *run) progress() (done, total int64) {
	if r.rows != nil {
		return r.rows.Progress()
	}
	return r.done, r.total
}

// convertRows converts the rows of r.rows, in file order.
func (r *run) convertRows(ctx context.Context, sink RecordSink, dups *crossCheck) error {
	for n := 0; ; n++ {
		if n%4096 == 0 {
			if r.opts.Progress != nil {
				r.opts.Progress(r.progress())
			}
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		row, err := r.rows.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return err
		}
		if r.skipOutside && r.cv.outsideWindow(row) {
			r.s.Rows++
			r.s.Skipped++
			continue
		}
		rec := r.cv.convert(row)
		if dups == nil {
			if err := r.emit(sink, row, r.cv.problems, rec); err != nil {
				return err
			}
			continue
		}
		dups.add(row, r.cv, rec)
		if dups.full() {
			if err := dups.flush(ctx, func(row Row, probs []rowProblem, rec record) error {
				return r.emit(sink, row, probs, rec)
			}); err != nil {
				return err
			}
		}
	}
	if dups != nil {
		return dups.flush(ctx, func(row Row, probs []rowProblem, rec record) error { return r.emit(sink, row, probs, rec) })
	}
	return nil
}

// emit counts a converted row, reports its problems and stores its record.
func (r *run) emit(sink RecordSink, row Row, probs []rowProblem, rec record) error {
	r.s.Rows++
	r.s.tally(probs, r.opts.maxProblems(), row, r.cv)
	if r.reportPath != "-" && reportable(probs) {
		if r.report == nil {
			var err error
			if r.report, err = NewReportWriter(r.reportPath, r.tab.Header.Names); err != nil {
				return err
			}
		}
		if err := r.report.Add(reportRow(row, probs)); err != nil {
			return err
		}
	}
	if rec.none() {
		return nil
	}
	r.s.Stored++
	return rec.store(sink)
}

func (r *run) discardReport() {
	if r.report != nil {
		r.report.Discard()
		r.report = nil
	}
}

// finishReport closes the error report, or removes one left from an earlier attempt at the
// same file when this pass found no problem (it would now be wrong).
func (r *run) finishReport() error {
	if r.report != nil {
		if err := r.report.Close(); err != nil {
			return err
		}
		r.s.Report = r.reportPath
		return nil
	}
	if r.reportPath != "-" {
		if err := os.Remove(r.reportPath); err != nil && !errors.Is(err, os.ErrNotExist) {
			return fmt.Errorf("删除旧的错误报告 %s：%w", r.reportPath, err)
		}
	}
	return nil
}

// ImportOptions configure Import.
type ImportOptions struct {
	Options              // Sheet, Map and Limits; Kind is set by Import
	Tree    *region.Tree // the division tree (required): region codes and ID address codes
	Today   baoxue.Date  // required: dates and IDs after it are errors
	// AsOf is the date the export was taken (zero: Today). It places the school-age window.
	AsOf     baoxue.Date
	AgeRule  baoxue.AgeRule // zero: baoxue.DefaultAgeRule()
	Importer string         // who imports, recorded with the dataset
	// Report is where the error report goes: "" for ReportPath(file), "-" for none.
	Report string
	// Progress, when set, is called now and then with the reader's progress.
	Progress func(done, total int64)
	// MaxProblems bounds Summary.Problems (default 100); the counts are always complete.
	MaxProblems int
	// SkipOutsideWindow (registry only) skips, unconverted, the rows that would not be stored
	// anyway: those whose raw 出生日期 (yyyymmdd or yyyy-mm-dd) and raw ID birth digits both lie outside the
	// kept window (the school-age window widened by two cohorts). A row with either signal
	// missing or malformed is converted as usual, so the records are the same with or without
	// it; only the problems of skipped rows go uncounted (Summary.Skipped counts the rows). For
	// comparisons, which want the records and not a validation of every adult.
	SkipOutsideWindow bool
	// parallel, when set, sizes the parallel conversion of text files (tests).
	parallel *parallelTuning
	// NarrowWindow (registry only) keeps the school-age window itself instead of widening it by
	// two cohorts: a comparison at AsOf drops the other children anyway.
	NarrowWindow bool
	// LendText lets the parallel conversion of a large text file hand the sink records whose
	// strings point into the buffer their block was read into; the buffer is read into again
	// once the sink has returned. It saves copying every kept line, and is only for a sink that
	// copies every string it keeps beyond its call (the comparison does). Without an error
	// report (Report "-"), whose writer keeps cells.
	LendText bool
	// LendCheck, with LendText, checks a sink: text files of any size are converted in parallel
	// blocks of LendCheck bytes, and a block's buffer is overwritten once the sink has returned,
	// so that a string the sink kept shows up as garbage (tests; BAOXUE_LEND_CHECK).
	LendCheck int
}

func (o ImportOptions) maxProblems() int {
	if o.MaxProblems > 0 {
		return o.MaxProblems
	}
	return 100
}

// Summary is the outcome of an import; its JSON form is the --json line of baoxue import.
type Summary struct {
	DatasetID        int64          `json:"dataset_id"`
	Kind             string         `json:"kind"`
	File             string         `json:"file"`
	Sheet            string         `json:"sheet,omitempty"`
	HeaderRow        int            `json:"header_row,omitempty"`
	Rows             int            `json:"rows"`
	Accepted         int            `json:"accepted"`
	Rejected         int            `json:"rejected"`
	Warnings         int            `json:"warnings"`
	Stored           int            `json:"stored"`
	Skipped          int            `json:"skipped,omitempty"` // rows left unread by SkipOutsideWindow
	ErrorsByCode     map[string]int `json:"errors_by_code"`
	Seconds          float64        `json:"seconds"`
	Report           string         `json:"report,omitempty"`
	AlreadyImported  bool           `json:"already_imported,omitempty"`
	UnknownColumns   []string       `json:"unknown_columns,omitempty"`
	DuplicateColumns []string       `json:"duplicate_columns,omitempty"`
	// Problems are the first problems found, with personal values masked, for a log or a
	// terminal; the error report has them all, unmasked.
	Problems []Problem `json:"-"`
}

// Problem is one finding about one cell (or row), fit for a log: the value is masked when it is
// personal (ID numbers, names, phones, student and certificate numbers).
type Problem struct {
	Row     int    `json:"row"`
	Column  string `json:"column,omitempty"`
	Value   string `json:"value,omitempty"`
	Code    string `json:"code"`
	Warning bool   `json:"warning,omitempty"`
	Message string `json:"message"`
}

func (s *Summary) tally(probs []rowProblem, keep int, row Row, cv *converter) {
	rejected := false
	for _, p := range probs {
		s.ErrorsByCode[p.code]++
		if p.warning {
			s.Warnings++
		} else {
			rejected = true
		}
		if len(s.Problems) < keep {
			lp := cv.logProblem(row, p)
			lp.Value = strings.Clone(lp.Value) // not a view of a block's text (LendText), nor pinning it
			s.Problems = append(s.Problems, lp)
		}
	}
	if rejected {
		s.Rejected++
	} else {
		s.Accepted++
	}
}

func fileSHA256(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// Problem codes of the importer itself; the value parsers' codes are in internal/normalize and
// the ID codes in internal/idcard.
const (
	CodeDuplicateID   = "DUPLICATE_ID"   // warning: the ID appeared in an earlier row of the file
	CodeBirthMismatch = "BIRTH_MISMATCH" // warning: the birth-date column disagrees with the ID
	CodeValueEmpty    = "VALUE_EMPTY"    // error: a required field is blank
	CodeVillageCode   = "VILLAGE_CODE"   // error: a village list row whose code is not a village
)

// maxTrackedIDs bounds the duplicate check (12 to 24 bytes per ID, see idTable).
const maxTrackedIDs = 8_000_000

// rowProblem is a problem found in the current row.
type rowProblem struct {
	col     int // column index, -1 for the row
	field   Field
	code    string
	warning bool
	msg     string
	// quiet: counted and listed, but not by itself a reason to put the row in the error report
	// (an unchanged person also in an earlier dataset: nothing to fix in the file)
	quiet bool
}

// reportable reports whether a row with these problems belongs in the error report.
func reportable(probs []rowProblem) bool {
	for _, p := range probs {
		if !p.quiet {
			return true
		}
	}
	return false
}

// converter turns rows of one kind into records.
type converter struct {
	kind        baoxue.DatasetKind
	h           *Header
	required    [numFields]bool
	ids         *idcard.Validator
	dates       normalize.DateParser
	tree        *region.Tree
	asOf        baoxue.Date
	first, last baoxue.Date // registry: birth dates kept
	seen        idTable
	problems    []rowProblem
	// deferDups: leave the duplicate check to the caller (see duplicate); pendingDup is the ID
	// of the row convert just returned that the caller must check, 0 if none.
	deferDups  bool
	pendingDup uint64
	col        [numFields]int // the header's column of each field, -1 if absent
	// keyID is the valid ID number of the record convert returned ("" if none), keyStatus its
	// normalised status: for the lookup among earlier datasets.
	keyID, keyStatus string
	buf              recordBufs

	// Columns with few distinct values are parsed once per value.
	regions, schoolCodes memo[string]
	vocab                [numFields]memo[string]
	sexes                memo[baoxue.Sex]
	ints                 memo[int]
	bools                memo[bool]
}

// memo remembers a parser's result per distinct raw value. It stops growing at memoSize entries
// (a column of mostly distinct values, such as a mistyped vocabulary, then costs one map probe).
// The last two values are compared before the map is probed: files are sorted by household and
// village, so a column repeats or alternates (男/女, 汉族/回族, one village code after another),
// and two string comparisons cost less than hashing a Chinese string.
type memo[T any] struct {
	recent [2]memoRecent[T]
	m      map[string]memoEntry[T]
}

type memoEntry[T any] struct {
	v T
	p *normalize.Problem
}

// memoRecent is a recent lookup; raw pins at most one row's string.
type memoRecent[T any] struct {
	raw string
	e   memoEntry[T]
	set bool
}

const memoSize = 4096

func (m *memo[T]) get(raw string, parse func(string) (T, *normalize.Problem)) (T, *normalize.Problem) {
	if r := &m.recent[0]; r.set && r.raw == raw {
		return r.e.v, r.e.p
	}
	if r := &m.recent[1]; r.set && r.raw == raw {
		m.recent[0], m.recent[1] = m.recent[1], m.recent[0]
		return m.recent[0].e.v, m.recent[0].e.p
	}
	e, ok := m.m[raw]
	if !ok {
		e.v, e.p = parse(raw)
		if m.m == nil {
			m.m = map[string]memoEntry[T]{}
		}
		if len(m.m) < memoSize {
			// Clones: neither the key nor a value cut from it (a region code is often the cell
			// itself) may pin the row's text — in the parallel reading a 256 KB page of a block,
			// which up to memoSize distinct values per worker kept alive (383 MB of a province
			// comparison's heap, TestMemoPinsNoText).
			m.m[strings.Clone(raw)] = memoEntry[T]{v: cloneString(e.v), p: e.p}
		}
	}
	m.recent[1], m.recent[0] = m.recent[0], memoRecent[T]{raw: raw, e: e, set: true}
	return e.v, e.p
}

// forget drops the recent lookups, whose strings are views of rows already handed on.
func (m *memo[T]) forget() { m.recent = [2]memoRecent[T]{} }

// forgetRecent drops the memos' recent lookups: a block worker calls it before each block,
// since the text of the rows before may be read over (ImportOptions.LendText).
func (c *converter) forgetRecent() {
	c.regions.forget()
	c.schoolCodes.forget()
	for i := range c.vocab {
		c.vocab[i].forget()
	}
	c.sexes.forget()
	c.ints.forget()
	c.bools.forget()
}

// cloneString returns a copy of v when it is a string, v itself otherwise.
func cloneString[T any](v T) T {
	if s, ok := any(v).(string); ok {
		return any(strings.Clone(s)).(T)
	}
	return v
}

// vocabulary parses a controlled-vocabulary column through that field's memo.
func (c *converter) vocabulary(f Field, raw string, parse func(string) (string, *normalize.Problem)) (string, *normalize.Problem) {
	return c.vocab[f].get(raw, parse)
}

func newConverter(kind baoxue.DatasetKind, h *Header, o ImportOptions) *converter {
	rule := o.AgeRule
	if rule == (baoxue.AgeRule{}) {
		rule = baoxue.DefaultAgeRule()
	}
	asOf := o.AsOf
	if asOf == 0 {
		asOf = o.Today
	}
	cohorts := 2
	if o.NarrowWindow {
		cohorts = 0
	}
	first, last := rule.WindowWidened(asOf, cohorts)
	schema, _ := SchemaOf(kind)
	var req [numFields]bool
	for _, g := range schema.Required {
		for _, f := range g {
			req[f] = true
		}
	}
	if kind == baoxue.KindEnrollment || kind == baoxue.KindNational {
		req[FieldStatus] = true
	}
	c := &converter{kind: kind, h: h, required: req, ids: idcard.NewValidator(o.Tree.Address(), o.Today),
		dates: normalize.DateParser{Today: o.Today}, tree: o.Tree, asOf: asOf, first: first, last: last,
	}
	for f := range c.col {
		c.col[f] = h.Index(Field(f))
	}
	return c
}

// record is what a converted row stores: at most one pointer is set, to a buffer of the
// converter that the next row overwrites. Sinks copy what they keep, so the common path
// allocates nothing per record; clone keeps one for longer (rows held for the lookup among
// earlier datasets).
type record struct {
	person     *baoxue.Person
	enrollment *baoxue.Enrollment
	poverty    *baoxue.PovertyRecord
	disability *baoxue.DisabilityRecord
	school     *baoxue.School
	village    *baoxue.Village
}

func (r record) none() bool { return r == record{} }

func (r record) store(w RecordSink) error {
	switch {
	case r.person != nil:
		return w.Person(r.person)
	case r.enrollment != nil:
		return w.Enrollment(r.enrollment)
	case r.poverty != nil:
		return w.Poverty(r.poverty)
	case r.disability != nil:
		return w.Disability(r.disability)
	case r.school != nil:
		return w.School(r.school)
	case r.village != nil:
		return w.Village(r.village)
	}
	return nil
}

func clonePtr[T any](p *T) *T {
	if p == nil {
		return nil
	}
	c := *p
	return &c
}

func (r record) clone() record {
	return record{clonePtr(r.person), clonePtr(r.enrollment), clonePtr(r.poverty), clonePtr(r.disability),
		clonePtr(r.school), clonePtr(r.village)}
}

// recordBufs are the converter's record buffers, one per record type.
type recordBufs struct {
	person     baoxue.Person
	enrollment baoxue.Enrollment
	poverty    baoxue.PovertyRecord
	disability baoxue.DisabilityRecord
	school     baoxue.School
	village    baoxue.Village
}

// convert normalises one row. It returns nil when nothing is to be stored; the row's problems
// are in c.problems until the next call.
func (c *converter) convert(r Row) record {
	c.problems = c.problems[:0]
	c.keyID, c.keyStatus = "", ""
	c.pendingDup = 0
	switch c.kind {
	case baoxue.KindRegistry:
		return c.person(r)
	case baoxue.KindEnrollment, baoxue.KindNational:
		return c.enrollment(r)
	case baoxue.KindPoverty:
		return c.poverty(r)
	case baoxue.KindDisability:
		return c.disability(r)
	case baoxue.KindSchools:
		return c.school(r)
	case baoxue.KindVillages:
		return c.village(r)
	}
	return record{}
}

func (c *converter) cell(r Row, f Field) Cell { return r.Cell(c.col[f]) }

// colOf is the column of a field, -1 when the file has none.
func (c *converter) colOf(f Field) int { return c.col[f] }

// report records a parser's problem for field f. An error in a field the kind does not require
// becomes a warning: the value is left empty and the row stays acceptable.
func (c *converter) report(f Field, p *normalize.Problem) {
	if p == nil {
		return
	}
	c.problems = append(c.problems, rowProblem{col: c.colOf(f), field: f, code: p.Code,
		warning: p.Severity == normalize.Warning || !c.required[f], msg: p.Message})
}

func (c *converter) problem(f Field, code string, warning bool, msg string) {
	c.problems = append(c.problems, rowProblem{col: c.colOf(f), field: f, code: code, warning: warning || !c.required[f], msg: msg})
}

func (c *converter) rejected() bool {
	for _, p := range c.problems {
		if !p.warning {
			return true
		}
	}
	return false
}

// name reads a name field; a required one that is blank is NAME_EMPTY.
func (c *converter) name(r Row, f Field) string {
	raw := c.cell(r, f).Value
	if !c.required[f] && normalize.Blank(raw) {
		return ""
	}
	v, p := normalize.Name(raw)
	c.report(f, p)
	if p.IsError() {
		return ""
	}
	return v
}

// id reads an ID field. It returns the number when valid, and the raw value and error code when
// not; a blank optional field gives nothing.
func (c *converter) id(r Row, f Field) (num idcard.Number, ok bool, raw, code string) {
	cell := c.cell(r, f)
	if !c.required[f] && normalize.Blank(cell.Value) {
		return num, false, "", ""
	}
	n, ic := c.ids.CheckCell(cell.Value, cell.Numeric)
	if ic == idcard.OK {
		return n, true, "", ""
	}
	label := c.label(f)
	msg := ic.Message()
	if f != FieldIDNumber {
		msg = label + "：" + msg
	}
	c.problem(f, ic.String(), false, msg)
	return n, false, strings.TrimSpace(cell.Value), ic.String()
}

func (c *converter) label(f Field) string {
	if s, ok := SchemaOf(c.kind); ok {
		if col, ok := s.Column(f); ok {
			return col.Label
		}
	}
	return f.String()
}

// duplicate remembers an ID and reports whether an earlier row had it. A converter working on
// one block of a file (deferDups) cannot know the earlier rows: it notes the ID in pendingDup,
// answers no, and the merge in file order asks seenBefore.
func (c *converter) duplicate(r Row, num idcard.Number) bool {
	key := num.Pack()
	if c.deferDups {
		c.pendingDup = key
		return false
	}
	if p, dup := c.seenBefore(key, r.Number); dup {
		c.problems = append(c.problems, p)
		return true
	}
	return false
}

// seenBefore remembers an ID for row and returns the problem of a duplicate when an earlier row
// had it. It is always the last problem of its row.
func (c *converter) seenBefore(key uint64, row int) (rowProblem, bool) {
	first, ok := c.seen.firstRow(key, row)
	if !ok {
		return rowProblem{}, false
	}
	return c.duplicateProblem(first), true
}

// duplicateProblem is the problem of a row whose ID an earlier row, first, had.
func (c *converter) duplicateProblem(first int) rowProblem {
	return rowProblem{col: c.colOf(FieldIDNumber), field: FieldIDNumber, code: CodeDuplicateID, warning: true,
		msg: fmt.Sprintf("与第 %d 行的身份证号相同；请核对是否重复登记", first)}
}

// sexAndBirth reads sex and birth date, preferring what a valid ID encodes and warning when the
// columns disagree with it.
func (c *converter) sexAndBirth(r Row, num idcard.Number, idOK bool) (baoxue.Sex, baoxue.Date) {
	var sex baoxue.Sex
	if raw := c.cell(r, FieldSex).Value; raw != "" {
		v, p := c.sexes.get(raw, normalize.Sex)
		c.report(FieldSex, p)
		sex = v
	}
	cell := c.cell(r, FieldBirthDate)
	birth, p := c.dates.Date(cell.Value, cell.Numeric)
	c.report(FieldBirthDate, p)
	if !idOK {
		return sex, birth
	}
	c.report(FieldSex, normalize.SexMismatch(sex, num.Sex))
	if birth != 0 && birth != num.Birth {
		c.problem(FieldBirthDate, CodeBirthMismatch, true, "出生日期与身份证号码中的出生日期（"+num.Birth.String()+"）不符；已按身份证号码记录，请核对")
	}
	return num.Sex, num.Birth
}

func clean(r Row, i int) string { return normalize.Clean(r.Value(i)) }

// idString returns a valid ID as a string, reusing the cell's text when it is already in the
// normalised form (the common case) instead of allocating.
func idString(raw string, n idcard.Number) string {
	if raw == string(n.Digits[:]) {
		return raw
	}
	return n.String()
}

func (c *converter) person(r Row) record {
	p := &c.buf.person
	*p = baoxue.Person{SourceRow: r.Number}
	p.Name = c.name(r, FieldName)
	num, idOK, raw, code := c.id(r, FieldIDNumber)
	if idOK {
		p.IDNumber = idString(c.cell(r, FieldIDNumber).Value, num)
	} else {
		p.IDRaw, p.IDError = raw, code
	}
	p.Sex, p.BirthDate = c.sexAndBirth(r, num, idOK)
	var prob *normalize.Problem
	if v := c.cell(r, FieldEthnicity).Value; v != "" {
		p.Ethnicity, prob = c.vocabulary(FieldEthnicity, v, normalize.Ethnicity)
		c.report(FieldEthnicity, prob)
	}
	p.HouseholdNo = clean(r, c.colOf(FieldHouseholdNo))
	if v := c.cell(r, FieldRelation).Value; v != "" {
		p.Relation, prob = c.vocabulary(FieldRelation, v, normalize.Relation)
		c.report(FieldRelation, prob)
	}
	p.Address = clean(r, c.colOf(FieldAddress))
	p.RegionCode = c.region(r)
	p.StatusRaw = clean(r, c.colOf(FieldStatus))
	p.Status, prob = c.vocabulary(FieldStatus, p.StatusRaw, normalize.RegistryStatus)
	c.report(FieldStatus, prob)
	if p.Status == "" {
		p.Status = baoxue.RegistryNormal
	}
	p.GuardianName = c.name(r, FieldGuardianName)
	if g, ok, _, _ := c.id(r, FieldGuardianID); ok {
		p.GuardianID = idString(c.cell(r, FieldGuardianID).Value, g)
	}
	p.Phone = c.phone(r)
	switch {
	case p.IDNumber == "" && p.Name == "":
		return record{}
	case p.BirthDate != 0 && (p.BirthDate < c.first || p.BirthDate > c.last):
		return record{} // an adult or a baby: counted, not kept
	case idOK && c.duplicate(r, num):
		return record{}
	}
	c.keyID, c.keyStatus = p.IDNumber, p.Status
	return record{person: p}
}

func (c *converter) region(r Row) string {
	v, p := c.regions.get(c.cell(r, FieldRegionCode).Value, c.regionCode)
	c.report(FieldRegionCode, p)
	if p.IsError() {
		return ""
	}
	return v
}

func (c *converter) regionCode(raw string) (string, *normalize.Problem) {
	return normalize.RegionCode(raw, c.tree)
}

func (c *converter) phone(r Row) string {
	raw := c.cell(r, FieldPhone).Value
	if plainMobile(raw) {
		return raw // what normalize.Phone returns for it, without its checks for other forms
	}
	v, p := normalize.Phone(raw)
	c.report(FieldPhone, p)
	return v
}

// plainMobile reports an 11-digit mobile number written plainly, 1[3-9]xxxxxxxxx: most phone
// cells. TestFastPathsAgree checks that normalize.Phone returns it unchanged and without problem.
func plainMobile(s string) bool {
	if len(s) != 11 || s[0] != '1' || s[1] < '3' || s[1] > '9' {
		return false
	}
	for i := 2; i < 11; i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

func (c *converter) enrollment(r Row) record {
	e := &c.buf.enrollment
	*e = baoxue.Enrollment{SourceRow: r.Number, National: c.kind == baoxue.KindNational}
	var prob *normalize.Problem
	e.StudentNo, prob = normalize.StudentNo(c.cell(r, FieldStudentNo).Value)
	c.report(FieldStudentNo, prob)
	e.Name = c.name(r, FieldName)
	num, idOK, raw, code := c.id(r, FieldIDNumber)
	if idOK {
		e.IDNumber = num.String()
	} else {
		e.IDRaw, e.IDError = raw, code
	}
	if code == idcard.ErrEmpty.String() && e.StudentNo != "" {
		// Pupils without an ID number get a J or L student number; the row is usable (matching
		// falls back to name and birth date), so a missing ID is worth a look, not a rejection.
		last := &c.problems[len(c.problems)-1]
		last.warning = true
		last.msg = "身份证号为空（该学生有学籍号，可能尚无身份证号）；如有身份证号请补填，便于比对"
	}
	e.Sex, e.BirthDate = c.sexAndBirth(r, num, idOK)
	e.SchoolCode, prob = c.schoolCodes.get(c.cell(r, FieldSchoolCode).Value, normalize.SchoolCode)
	c.report(FieldSchoolCode, prob)
	e.SchoolName = clean(r, c.colOf(FieldSchoolName))
	e.Grade, prob = c.ints.get(c.cell(r, FieldGrade).Value, normalize.Grade)
	c.report(FieldGrade, prob)
	if c.colOf(FieldStatus) < 0 {
		e.Status = baoxue.EnrollActive // a roster without a status column lists pupils in school
	} else {
		e.StatusRaw = clean(r, c.colOf(FieldStatus))
		e.Status, prob = c.vocabulary(FieldStatus, e.StatusRaw, normalize.EnrollmentStatus)
		c.report(FieldStatus, prob)
		if e.StatusRaw == "" && prob == nil {
			c.problem(FieldStatus, CodeValueEmpty, false, "学籍状态为空；请填写 在读、休学、转出、毕业 或 辍学")
		}
	}
	e.HomeTaught, prob = c.bools.get(c.cell(r, FieldHomeTaught).Value, normalize.YesNo)
	c.report(FieldHomeTaught, prob)
	if e.IDNumber == "" && e.Name == "" {
		return record{}
	}
	if idOK {
		c.duplicate(r, num) // reported, and kept: the comparison chooses among a pupil's records
		c.keyID, c.keyStatus = e.IDNumber, e.Status
	}
	return record{enrollment: e}
}

func (c *converter) poverty(r Row) record {
	p := &c.buf.poverty
	*p = baoxue.PovertyRecord{SourceRow: r.Number}
	p.HouseholdNo = clean(r, c.colOf(FieldHouseholdNo))
	p.Name = c.name(r, FieldName)
	num, idOK, raw, code := c.id(r, FieldIDNumber)
	if idOK {
		p.IDNumber = idString(c.cell(r, FieldIDNumber).Value, num)
	} else {
		p.IDRaw, p.IDError = raw, code
	}
	var prob *normalize.Problem
	if v := c.cell(r, FieldRelation).Value; v != "" {
		p.Relation, prob = c.vocabulary(FieldRelation, v, normalize.Relation)
		c.report(FieldRelation, prob)
	}
	p.Type, prob = c.vocabulary(FieldPovertyType, c.cell(r, FieldPovertyType).Value, normalize.PovertyType)
	c.report(FieldPovertyType, prob)
	p.RegionCode = c.region(r)
	switch {
	case p.IDNumber == "" && p.Name == "":
		return record{}
	case idOK && c.duplicate(r, num):
		return record{}
	}
	c.keyID = p.IDNumber
	return record{poverty: p}
}

func (c *converter) disability(r Row) record {
	d := &c.buf.disability
	*d = baoxue.DisabilityRecord{SourceRow: r.Number}
	d.Name = c.name(r, FieldName)
	var prob *normalize.Problem
	var certID, certCat string
	var certLevel int
	if c.colOf(FieldCertNo) >= 0 {
		raw := c.cell(r, FieldCertNo).Value
		certID, certCat, certLevel, prob = normalize.DisabilityCert(raw)
		c.report(FieldCertNo, prob)
		if prob == nil && certID != "" {
			d.CertNo = normalize.Clean(raw)
		}
	}
	var num idcard.Number
	idOK := false
	if c.colOf(FieldIDNumber) >= 0 && !(certID != "" && normalize.Blank(c.cell(r, FieldIDNumber).Value)) {
		var raw, code string
		if num, idOK, raw, code = c.id(r, FieldIDNumber); !idOK {
			d.IDRaw, d.IDError = raw, code
		}
	} else if certID != "" {
		// The ID number inside the certificate number stands in for a missing ID column.
		n, ic := c.ids.Check(certID)
		if idOK = ic == idcard.OK; idOK {
			num = n
		} else {
			d.IDRaw, d.IDError = certID, ic.String()
			c.problem(FieldCertNo, ic.String(), false, "残疾人证号中的身份证号："+ic.Message())
		}
	} else if c.colOf(FieldIDNumber) < 0 {
		// Without an ID column the certificate number is the only identifier: its problem is an
		// error, not the parser's warning.
		raw := c.cell(r, FieldCertNo).Value
		d.IDRaw, d.IDError = strings.TrimSpace(raw), idcard.ErrEmpty.String()
		if normalize.Blank(raw) {
			c.problem(FieldCertNo, CodeValueEmpty, false, "残疾人证号为空，文件又没有身份证号列；请补填残疾人证号")
		} else {
			d.IDError = idcard.ErrFormat.String()
			for i := range c.problems {
				if c.problems[i].code == normalize.CodeDisabilityCertFormat {
					c.problems[i].warning = false
				}
			}
		}
	}
	if idOK {
		d.IDNumber = num.String()
		if certID != "" && certID != d.IDNumber {
			c.problem(FieldCertNo, normalize.CodeDisabilityCertFormat, true, "残疾人证号的前18位与身份证号不一致；请核对")
		}
	}
	if v := c.cell(r, FieldDisabilityCategory).Value; v != "" {
		d.Category, prob = c.vocabulary(FieldDisabilityCategory, v, normalize.DisabilityCategory)
		c.report(FieldDisabilityCategory, prob)
	}
	if d.Category == "" {
		d.Category = certCat
	}
	if v := c.cell(r, FieldDisabilityLevel).Value; v != "" {
		d.Level, prob = c.ints.get(v, normalize.DisabilityLevel)
		c.report(FieldDisabilityLevel, prob)
	}
	if d.Level == 0 {
		d.Level = certLevel
	}
	switch {
	case d.IDNumber == "" && d.Name == "":
		return record{}
	case idOK && c.duplicate(r, num):
		return record{}
	}
	c.keyID = d.IDNumber
	return record{disability: d}
}

func (c *converter) school(r Row) record {
	s := &c.buf.school
	*s = baoxue.School{}
	var prob *normalize.Problem
	raw := c.cell(r, FieldSchoolCode).Value
	s.Code, prob = normalize.SchoolCode(raw)
	c.report(FieldSchoolCode, prob)
	if prob == nil && s.Code == "" {
		c.problem(FieldSchoolCode, CodeValueEmpty, false, "学校标识码为空；请填写10位学校标识码")
	}
	s.Name = clean(r, c.colOf(FieldName))
	if s.Name == "" {
		c.problem(FieldName, CodeValueEmpty, false, "学校名称为空；请补填")
	}
	s.RegionCode = c.region(r)
	s.Kind = clean(r, c.colOf(FieldSchoolKind))
	s.Boarding, prob = normalize.YesNo(c.cell(r, FieldBoarding).Value)
	c.report(FieldBoarding, prob)
	if c.rejected() {
		return record{}
	}
	return record{school: s}
}

func (c *converter) village(r Row) record {
	v := &c.buf.village
	*v = baoxue.Village{}
	code, prob := normalize.RegionCode(c.cell(r, FieldRegionCode).Value, c.tree)
	c.report(FieldRegionCode, prob)
	switch {
	case prob.IsError():
	case code == "":
		c.problem(FieldRegionCode, CodeValueEmpty, false, "村(社区)代码为空；请填写12位代码")
	case len(code) != 12:
		c.problem(FieldRegionCode, CodeVillageCode, false, "“"+code+"”不是村(社区)代码；村(社区)代码为12位，前9位是所属乡镇")
	default:
		v.Code = code
	}
	v.Name = clean(r, c.colOf(FieldName))
	if v.Name == "" {
		c.problem(FieldName, CodeValueEmpty, false, "村(社区)名称为空；请补填")
	}
	if c.rejected() {
		return record{}
	}
	return record{village: v}
}

// reportRow is a row for the error report: original values, all problems.
func reportRow(r Row, probs []rowProblem) ReportRow {
	rr := ReportRow{Number: r.Number, Cells: make([]string, len(r.Cells))}
	for i, cell := range r.Cells {
		rr.Cells[i] = cell.Value
	}
	for _, p := range probs {
		rr.Problems = append(rr.Problems, ReportProblem{Column: p.col, Code: p.code, Message: p.msg, Warning: p.warning})
	}
	return rr
}

// logProblem is a problem with its value masked for logs and terminals.
func (c *converter) logProblem(r Row, p rowProblem) Problem {
	lp := Problem{Row: r.Number, Code: p.code, Warning: p.warning, Message: p.msg}
	if p.col >= 0 {
		lp.Column = c.h.Name(p.col)
		lp.Value = maskValue(p.field, r.Value(p.col))
	}
	return lp
}

// maskValue hides personal data (DESIGN §9) and shortens long values.
func maskValue(f Field, v string) string {
	v = strings.TrimSpace(v)
	switch f {
	case FieldIDNumber, FieldGuardianID:
		return pii.MaskID(v)
	case FieldName, FieldGuardianName:
		return pii.MaskName(v)
	case FieldPhone:
		return pii.MaskPhone(v)
	case FieldStudentNo, FieldCertNo, FieldAddress, FieldHouseholdNo:
		n := utf8.RuneCountInString(v)
		if n <= 4 {
			return strings.Repeat("*", n)
		}
		r := []rune(v)
		return strings.Repeat("*", n-4) + string(r[n-4:])
	}
	if utf8.RuneCountInString(v) > 40 {
		return string([]rune(v)[:40]) + "…"
	}
	return v
}
