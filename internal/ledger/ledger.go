// Package ledger writes the ledgers (台账) of a comparison run to files (DESIGN §2, §8): JSON Lines
// for programs, CSV for a quick look in Excel, and an .xlsx workbook laid out the way county
// offices keep their ledgers. What belongs here: file layouts, column names, labels, township
// subtotals, masking and formula escaping. What does not: deciding statuses (internal/compare).
//
// # Formats (chosen by the extension of the output path)
//
//   - .jsonl: one baoxue.LedgerEntry per line, with exactly the fields of DESIGN §8 in that order,
//     identifiers (enrolled, id_exact, M) rather than labels. Same entries → same bytes.
//   - .csv: UTF-8 with a byte-order mark (so that Excel recognises the encoding), the same fields
//     under Chinese headers, values as officials read them (本地在读, 男, 是). Long digit strings
//     (ID numbers, region and school codes) are written after a tab character so that Excel keeps
//     them as text instead of turning 622921201403051234 into 6.22921E+17; baoxue's importer and
//     most programs ignore the tab.
//   - .xlsx: one workbook with the three ledgers of DESIGN §2 as sheets — 适龄儿童台账 (every
//     school-age child), 疑似失学辍学台账 (suspected and review) and 辍学学生台账 (confirmed dropouts:
//     suspects whose own 学籍 says 辍学). Each sheet has a title row ("临夏县适龄儿童少年台账（截至
//     2026年9月1日）"), Chinese headers, the children grouped by township in code order (registry
//     order within a township) with a subtotal row after each township and a total at the end. One
//     workbook rather than three files because officials file and send the three together and the
//     counts must agree (三统一). An .xlsx sheet holds 1,048,576 rows: a run with more children than
//     MaxXLSXEntries must be written as .csv or .jsonl.
//
// # Personal data
//
// Ledger files carry ID numbers and names of minors. In file mode (baoxue compare --out) the
// inputs are the official's own files and the ledger is the official's own working list, so IDs
// are written in full — a masked ID cannot be looked up in 户籍 or 学籍. Options.MaskIDs masks them
// (620***********1234) for a ledger exported from the database by someone who may not unmask.
// Files are created with mode 0600 through a temporary file in the same directory and renamed
// into place only by Commit, so a failed run leaves no partial ledger behind.
//
// Every text cell of the .xlsx is written as a string, never as a formula; a value that begins
// with = + - @, a tab or a carriage return additionally gets Excel's quote prefix (formula
// injection, OWASP "CSV injection"), and in .csv such a value is preceded by an apostrophe.
package ledger

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/baoxue/baoxue"
)

// Format is a ledger file format.
type Format int

const (
	JSONL Format = iota + 1
	CSV
	XLSX
)

// ErrFormat is returned for an output path whose extension names no ledger format.
var ErrFormat = errors.New("台账文件应为 .jsonl、.csv 或 .xlsx")

// FormatOf returns the format named by the extension of path.
func FormatOf(path string) (Format, error) {
	switch strings.ToLower(filepath.Ext(path)) {
	case ".jsonl", ".ndjson":
		return JSONL, nil
	case ".csv":
		return CSV, nil
	case ".xlsx":
		return XLSX, nil
	}
	return 0, fmt.Errorf("%s：%w", filepath.Base(path), ErrFormat)
}

// Options shape a ledger file.
type Options struct {
	AsOf baoxue.Date // the run's as-of date, for the .xlsx titles
	// PlaceName names a division code (county, township or village); "" when unknown, in which
	// case the code is shown. nil shows codes.
	PlaceName func(code string) string
	// MaskIDs writes ID numbers masked (620***********1234) in every format, and the ID inside
	// a student number (G + ID) too.
	MaskIDs bool
	// MaskID masks one ID; required with MaskIDs (internal/pii.MaskID). The .jsonl and .csv
	// writers call it from several goroutines at once, so it must be safe for concurrent use.
	MaskID func(string) string
}

// masked returns e, or a copy with the ID number masked, and the ID part of a student number
// (G + 18 characters) masked too, when opts.MaskIDs is set.
func (o *Options) masked(e *baoxue.LedgerEntry) *baoxue.LedgerEntry {
	if !o.MaskIDs {
		return e
	}
	m := *e
	o.mask(&m)
	return &m
}

// mask masks the IDs of e in place when opts.MaskIDs is set (see masked).
func (o *Options) mask(e *baoxue.LedgerEntry) {
	if !o.MaskIDs {
		return
	}
	e.IDNumber = o.MaskID(e.IDNumber)
	if s := e.MatchedStudentNo; len(s) == 19 {
		e.MatchedStudentNo = s[:1] + o.MaskID(s[1:])
	}
}

// Writer receives the entries of one run, in ledger order, and writes them to a file that
// appears only on Commit.
type Writer interface {
	Add(e *baoxue.LedgerEntry) error
	// Commit finishes the file and renames it into place.
	Commit() error
	// Abort removes the temporary file; it is safe after Commit (then it does nothing).
	Abort()
}

// Create starts a ledger at path in the format its extension names.
func Create(path string, opts Options) (Writer, error) {
	format, err := FormatOf(path)
	if err != nil {
		return nil, err
	}
	if opts.MaskIDs && opts.MaskID == nil {
		return nil, fmt.Errorf("ledger: MaskIDs without MaskID: %w", baoxue.ErrInvalid)
	}
	t, err := newTempFile(path)
	if err != nil {
		return nil, err
	}
	switch format {
	case JSONL:
		return newJSONL(t, opts), nil
	case CSV:
		return newCSV(t, opts)
	}
	return newXLSX(t, opts), nil
}

// tempFile is the file a writer fills before it is renamed to its final name.
type tempFile struct {
	*os.File
	final string
	done  bool
}

func newTempFile(path string) (*tempFile, error) {
	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	f, err := os.CreateTemp(dir, "."+base+".*.tmp") // mode 0600
	if err != nil {
		return nil, fmt.Errorf("创建台账文件 %s：%w", path, err)
	}
	return &tempFile{File: f, final: path}, nil
}

// commit closes the file and renames it into place (without fsync, see below).
func (t *tempFile) commit() error {
	if t.done {
		return nil
	}
	t.done = true
	// No fsync: the ledger is derived output, reproducible byte for byte from its inputs, and an
	// fsync of a 1.27 GB province ledger costs ~3.4 s of disk writeback (dd conv=fsync: 367 MB/s),
	// half the run. After a crash the official reruns the comparison; the temporary name and the
	// rename still mean that no reader ever sees a partial ledger under the final name.
	if err := t.Close(); err != nil {
		os.Remove(t.Name())
		return fmt.Errorf("写入台账文件 %s：%w", t.final, err)
	}
	if err := os.Rename(t.Name(), t.final); err != nil {
		os.Remove(t.Name())
		return fmt.Errorf("保存台账文件 %s：%w", t.final, err)
	}
	return nil
}

func (t *tempFile) abort() {
	if t.done {
		return
	}
	t.done = true
	t.Close()
	os.Remove(t.Name())
}

// Column names and labels shared by .csv and .xlsx.
var (
	sexLabel    = map[baoxue.Sex]string{baoxue.Male: "男", baoxue.Female: "女"}
	methodLabel = map[baoxue.MatchMethod]string{
		baoxue.MatchIDExact: "身份证号一致", baoxue.MatchIDVariant: "身份证号近似", baoxue.MatchFuzzy: "姓名等信息比对",
		baoxue.MatchNone: "未匹配",
	}
)

func statusLabel(s baoxue.LedgerStatus) string { return baoxue.Label(baoxue.LedgerStatuses, string(s)) }

func groupsLabel(g []string) string {
	switch len(g) { // most children are in no group or one: no slice, no join
	case 0:
		return ""
	case 1:
		return baoxue.Label(baoxue.PriorityGroups, g[0])
	}
	out := make([]string, len(g))
	for i, x := range g {
		out[i] = baoxue.Label(baoxue.PriorityGroups, x)
	}
	return strings.Join(out, "、")
}

func yesNo(b bool) string {
	if b {
		return "是"
	}
	return "否"
}

// needsQuote reports whether a spreadsheet program could take a value for a formula.
func needsQuote(v string) bool {
	if v == "" {
		return false
	}
	switch v[0] {
	case '=', '+', '-', '@', '\t', '\r':
		return true
	}
	return strings.HasPrefix(v, "＝") || strings.HasPrefix(v, "＋") || strings.HasPrefix(v, "－") || strings.HasPrefix(v, "＠")
}
