// Package eval scores a comparison ledger against the truth file of the synthetic generator
// (internal/gen, truth.csv): how many truly out-of-school children the ledger finds, how many of
// its suspects are real, how large the review queue is, how precise its automatic links are, and
// where each child's status went wrong. `baoxue eval` prints the Report; the quality tests of
// internal/compare hold its thresholds.
//
// # Expected statuses
//
// A truth row is expected in the ledger when its child is in the registry (registry_row > 0) and
// inside the compulsory window (in_window = 1). Its expected status follows issue 4 item 6, which
// is newer than internal/gen's ExpectedLedgerStatus where they differ:
//
//	enrolled, enrolled_elsewhere, home_taught, completed   the same status
//	suspended (学籍 休学)                                     enrolled (with a warning)
//	deceased, emigrated                                   exempt
//	moved_out (户籍 迁出)                                     not in the ledger (counted apart)
//	out_of_school                                         suspected
//	under_age, over_age inside the window                 suspected, counted as NoRecord
//
// The generator gives in_window = 1 and status under_age to a child of the window whose entry it
// delayed (a 7-year-old not yet in grade 1), and over_age to one who started early and is past
// grade 9, without any 学籍 row. Nothing in the data tells such a child from a dropout, and a
// child of compulsory age without a 学籍 is exactly what the comparison must send someone to
// verify (the visit would record 缓学 or 已完成); so they are expected as suspected, but they are
// neither counted as truly out of school (recall) nor held against the ledger's precision:
// SuspectPrecision leaves them out, SuspectPrecisionStrict counts them as false suspects.
//
// and whatever the truth status, a child whose registry ID the generator damaged beyond repair
// (registry.id_typo, id_swap, id_excel_sci, id_excel_000) is expected as invalid_id.
//
// # Measures
//
//   - Recall: truly out-of-school children (truth out_of_school) whose ledger status is suspected
//     or review. Recall counts those with a usable registry ID, the ones the comparison decides;
//     RecallAll also counts the out-of-school children with a damaged registry ID as found when
//     they are listed as invalid_id, since every invalid_id row goes to a person for repair.
//   - SuspectPrecision: of the children the ledger calls suspected, the share truly out of school.
//   - ReviewShare: review entries over the ledger's school-age children.
//   - AutoLinkPrecision: of the automatic id_variant and fuzzy links (status neither review nor
//     invalid_id), the share whose matched_student_no is the truth's student_no. Links of
//     invalid_id rows and exact links are reported apart.
//   - DamagedIDs: children with a damaged registry ID, and how many of them are invalid_id.
//   - Confusion: expected status × ledger status, with "missing" for an expected child the ledger
//     lacks and "absent" for a ledger row the truth does not expect.
package eval

import (
	"bufio"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"

	"github.com/baoxue/baoxue"
)

// Columns of truth.csv this package reads.
var truthColumns = []string{"registry_row", "status", "in_window", "student_no", "poverty", "disability", "damage"}

// Ratio is a count out of a total, with the fraction for convenience.
type Ratio struct {
	Count int     `json:"count"`
	Total int     `json:"total"`
	Value float64 `json:"value"` // Count/Total, 1 when Total is 0
}

func ratio(c, t int) Ratio {
	v := 1.0
	if t > 0 {
		v = float64(c) / float64(t)
	}
	return Ratio{Count: c, Total: t, Value: v}
}

// Report is the outcome of Evaluate; its JSON form is what `baoxue eval --json` prints.
type Report struct {
	LedgerEntries  int `json:"ledger_entries"`
	Expected       int `json:"expected"`        // truth rows expected in the ledger
	MovedOut       int `json:"moved_out"`       // truth rows not expected (迁出)
	Missing        int `json:"missing"`         // expected rows the ledger lacks
	Unexpected     int `json:"unexpected"`      // ledger rows the truth does not expect
	OutOfSchool    int `json:"out_of_school"`   // expected rows truly out of school
	NoRecord       int `json:"no_record"`       // expected rows under_age/over_age inside the window
	StatusCorrect  int `json:"status_correct"`  // expected rows with exactly the expected status
	StatusMismatch int `json:"status_mismatch"` // expected rows present with another status

	Recall            Ratio `json:"recall"`
	RecallAll         Ratio `json:"recall_all"`
	SuspectPrecision  Ratio `json:"suspect_precision"`
	SuspectStrict     Ratio `json:"suspect_precision_strict"`
	ReviewShare       Ratio `json:"review_share"`
	AutoLinkPrecision Ratio `json:"auto_link_precision"`
	ExactPrecision    Ratio `json:"exact_link_precision"`
	InvalidIDLinks    Ratio `json:"invalid_id_link_precision"`
	DamagedIDs        Ratio `json:"damaged_ids_invalid"` // damaged registry IDs listed as invalid_id
	PovertyFlags      Ratio `json:"poverty_flags_agree"`
	DisabilityFlags   Ratio `json:"disability_flags_agree"`

	// Confusion[expected][got] counts children; see the package comment for "missing"/"absent".
	Confusion map[string]map[string]int `json:"confusion"`
	// Misses lists up to MaxExamples source rows of each kind of error, for a person to look at.
	Misses map[string][]int `json:"examples,omitempty"`
}

// MaxExamples bounds the rows listed per kind of error in Report.Misses.
const MaxExamples = 20

type truthRow struct {
	status     string
	inWindow   bool
	studentNo  string
	poverty    bool
	disability bool
	damagedID  bool
}

// damaged reports whether a damage list breaks the registry ID beyond normalisation.
func damaged(damage string) bool {
	for d := range strings.SplitSeq(damage, ";") {
		switch d {
		case "registry.id_typo", "registry.id_swap", "registry.id_excel_sci", "registry.id_excel_000":
			return true
		}
	}
	return false
}

// Expected is the ledger status a child of this truth status, inside the window, should get; ""
// when it must not be in the ledger (see the package comment).
func Expected(truthStatus string, damagedID bool) baoxue.LedgerStatus {
	if truthStatus == "moved_out" {
		return ""
	}
	if damagedID {
		return baoxue.StatusInvalidID
	}
	switch truthStatus {
	case "enrolled", "suspended":
		return baoxue.StatusEnrolled
	case "enrolled_elsewhere":
		return baoxue.StatusEnrolledElsewhere
	case "home_taught":
		return baoxue.StatusHomeTaught
	case "completed":
		return baoxue.StatusCompleted
	case "deceased", "emigrated":
		return baoxue.StatusExempt
	case "out_of_school", "under_age", "over_age":
		return baoxue.StatusSuspected
	}
	return ""
}

// noRecord reports a truth status that, inside the window, means "no 学籍 at all, not a dropout".
func noRecord(status string) bool { return status == "under_age" || status == "over_age" }

// ReadTruth reads truth.csv into rows keyed by registry_row.
func ReadTruth(r io.Reader) (map[int]truthRow, error) {
	cr := csv.NewReader(bufio.NewReader(r))
	cr.ReuseRecord = true
	head, err := cr.Read()
	if err != nil {
		return nil, fmt.Errorf("真值文件：读取表头：%w", err)
	}
	col := map[string]int{}
	for i, h := range head {
		col[strings.TrimPrefix(h, "\uFEFF")] = i
	}
	for _, c := range truthColumns {
		if _, ok := col[c]; !ok {
			return nil, fmt.Errorf("真值文件缺少列 %s（应为 baoxue gen 生成的 truth.csv）: %w", c, baoxue.ErrInvalid)
		}
	}
	out := map[int]truthRow{}
	for line := 2; ; line++ {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("真值文件第 %d 行：%w", line, err)
		}
		row, err := strconv.Atoi(rec[col["registry_row"]])
		if err != nil {
			return nil, fmt.Errorf("真值文件第 %d 行：registry_row %q 不是数字: %w", line, rec[col["registry_row"]], baoxue.ErrInvalid)
		}
		if row <= 0 {
			continue // a migrant pupil, not in the registry
		}
		out[row] = truthRow{
			status:     rec[col["status"]],
			inWindow:   rec[col["in_window"]] == "1",
			studentNo:  strings.ToUpper(strings.TrimSpace(rec[col["student_no"]])),
			poverty:    rec[col["poverty"]] == "1",
			disability: rec[col["disability"]] != "",
			damagedID:  damaged(rec[col["damage"]]),
		}
	}
	return out, nil
}

// ReadLedger reads a ledger in JSON Lines.
func ReadLedger(r io.Reader) ([]baoxue.LedgerEntry, error) {
	var out []baoxue.LedgerEntry
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 1<<20), 16<<20)
	for line := 1; sc.Scan(); line++ {
		b := sc.Bytes()
		if len(strings.TrimSpace(string(b))) == 0 {
			continue
		}
		var e baoxue.LedgerEntry
		if err := json.Unmarshal(b, &e); err != nil {
			return nil, fmt.Errorf("台账第 %d 行不是有效的 JSON：%w", line, err)
		}
		out = append(out, e)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("读取台账：%w", err)
	}
	return out, nil
}

// Evaluate scores a ledger against the truth.
func Evaluate(truth map[int]truthRow, ledger []baoxue.LedgerEntry) *Report {
	rep := &Report{LedgerEntries: len(ledger), Confusion: map[string]map[string]int{}, Misses: map[string][]int{}}
	example := func(kind string, row int) {
		if len(rep.Misses[kind]) < MaxExamples {
			rep.Misses[kind] = append(rep.Misses[kind], row)
		}
	}
	confuse := func(want, got string) {
		if rep.Confusion[want] == nil {
			rep.Confusion[want] = map[string]int{}
		}
		rep.Confusion[want][got]++
	}
	byRow := make(map[int]*baoxue.LedgerEntry, len(ledger))
	for i := range ledger {
		byRow[ledger[i].SourceRow] = &ledger[i]
	}

	var found, foundAll, oosUsable, suspects, realSuspects, noRecordSuspects, reviews int
	var autoLinks, autoRight, exact, exactRight, invLinks, invRight, damagedN, damagedInvalid int
	var povAgree, disAgree, flagged int
	rows := make([]int, 0, len(truth))
	for row := range truth {
		rows = append(rows, row)
	}
	slices.Sort(rows)
	for _, row := range rows {
		t := truth[row]
		if !t.inWindow {
			continue
		}
		want := Expected(t.status, t.damagedID)
		e := byRow[row]
		if want == "" {
			if t.status == "moved_out" {
				rep.MovedOut++
			}
			if e != nil {
				rep.Unexpected++
				confuse("absent", string(e.Status))
				example("unexpected", row)
			}
			continue
		}
		rep.Expected++
		if noRecord(t.status) {
			rep.NoRecord++
		}
		if t.damagedID {
			damagedN++
		}
		oos := t.status == "out_of_school"
		if oos {
			rep.OutOfSchool++
			if !t.damagedID {
				oosUsable++
			}
		}
		if e == nil {
			rep.Missing++
			confuse(string(want), "missing")
			example("missing", row)
			continue
		}
		confuse(string(want), string(e.Status))
		if e.Status == want {
			rep.StatusCorrect++
		} else {
			rep.StatusMismatch++
			example(string(want)+"→"+string(e.Status), row)
		}
		if t.damagedID && e.Status == baoxue.StatusInvalidID {
			damagedInvalid++
		}
		if oos {
			hit := e.Status == baoxue.StatusSuspected || e.Status == baoxue.StatusReview
			if hit && !t.damagedID {
				found++
			}
			if hit || t.damagedID && e.Status == baoxue.StatusInvalidID {
				foundAll++
			}
			if !hit && !(t.damagedID && e.Status == baoxue.StatusInvalidID) {
				example("out_of_school_missed", row)
			}
		}
		flagged++
		if e.Poverty == t.poverty {
			povAgree++
		}
		if (e.Disability != "") == t.disability {
			disAgree++
		}
	}
	for i := range ledger {
		e := &ledger[i]
		t, ok := truth[e.SourceRow]
		switch e.Status {
		case baoxue.StatusSuspected:
			suspects++
			switch {
			case ok && t.status == "out_of_school":
				realSuspects++
			case ok && t.inWindow && noRecord(t.status):
				noRecordSuspects++
			default:
				example("false_suspect", e.SourceRow)
			}
		case baoxue.StatusReview:
			reviews++
		}
		if !ok || !t.inWindow {
			rep.Unexpected++
			confuse("absent", string(e.Status))
			example("unexpected", e.SourceRow)
			continue
		}
		right := strings.EqualFold(strings.TrimSpace(e.MatchedStudentNo), t.studentNo) && t.studentNo != ""
		switch {
		case e.MatchedStudentNo == "":
		case e.Status == baoxue.StatusInvalidID:
			invLinks++
			if right {
				invRight++
			}
		case e.Status == baoxue.StatusReview:
		case e.MatchMethod == baoxue.MatchIDVariant || e.MatchMethod == baoxue.MatchFuzzy:
			autoLinks++
			if right {
				autoRight++
			} else {
				example("wrong_auto_link", e.SourceRow)
			}
		case e.MatchMethod == baoxue.MatchIDExact:
			exact++
			if right {
				exactRight++
			}
		}
	}
	rep.Recall = ratio(found, oosUsable)
	rep.RecallAll = ratio(foundAll, rep.OutOfSchool)
	rep.SuspectPrecision = ratio(realSuspects, suspects-noRecordSuspects)
	rep.SuspectStrict = ratio(realSuspects, suspects)
	rep.ReviewShare = ratio(reviews, len(ledger))
	rep.AutoLinkPrecision = ratio(autoRight, autoLinks)
	rep.ExactPrecision = ratio(exactRight, exact)
	rep.InvalidIDLinks = ratio(invRight, invLinks)
	rep.DamagedIDs = ratio(damagedInvalid, damagedN)
	rep.PovertyFlags = ratio(povAgree, flagged)
	rep.DisabilityFlags = ratio(disAgree, flagged)
	if len(rep.Misses) == 0 {
		rep.Misses = nil
	}
	return rep
}

// WriteText prints the report for a person: the measures, then the confusion matrix.
func (r *Report) WriteText(w io.Writer) error {
	bw := bufio.NewWriter(w)
	pct := func(x Ratio) string { return fmt.Sprintf("%.2f%% (%d/%d)", 100*x.Value, x.Count, x.Total) }
	fmt.Fprintf(bw, "台账 %d 人，真值应列入 %d 人（迁出不计 %d 人），缺失 %d，多出 %d，状态一致 %d，不一致 %d\n",
		r.LedgerEntries, r.Expected, r.MovedOut, r.Missing, r.Unexpected, r.StatusCorrect, r.StatusMismatch)
	fmt.Fprintf(bw, "失学辍学儿童 %d 人；另有适龄但真值为未入学/已超龄、无任何学籍者 %d 人（应列疑似，不计入准确率）\n", r.OutOfSchool, r.NoRecord)
	fmt.Fprintf(bw, "  查全率（疑似∪待确认，户籍身份证号可用者）  %s\n", pct(r.Recall))
	fmt.Fprintf(bw, "  查全率（含身份证号无效清单）              %s\n", pct(r.RecallAll))
	fmt.Fprintf(bw, "疑似失学辍学的准确率                        %s\n", pct(r.SuspectPrecision))
	fmt.Fprintf(bw, "  （把无学籍的未入学/超龄者也算作误报）     %s\n", pct(r.SuspectStrict))
	fmt.Fprintf(bw, "待人工确认占适龄儿童                        %s\n", pct(r.ReviewShare))
	fmt.Fprintf(bw, "自动关联（身份证近似、姓名比对）的准确率    %s\n", pct(r.AutoLinkPrecision))
	fmt.Fprintf(bw, "身份证号一致关联的准确率                    %s\n", pct(r.ExactPrecision))
	fmt.Fprintf(bw, "身份证号无效者的学籍关联准确率              %s\n", pct(r.InvalidIDLinks))
	fmt.Fprintf(bw, "户籍身份证号损坏者列为身份证号无效          %s\n", pct(r.DamagedIDs))
	fmt.Fprintf(bw, "脱贫户标记一致 %s，残疾标记一致 %s\n", pct(r.PovertyFlags), pct(r.DisabilityFlags))
	cols := []string{}
	for _, s := range baoxue.LedgerStatuses {
		cols = append(cols, s.ID)
	}
	cols = append(cols, "missing")
	fmt.Fprintf(bw, "\n%-20s", "expected \\ got")
	for _, c := range cols {
		fmt.Fprintf(bw, " %10.10s", c)
	}
	fmt.Fprintln(bw)
	rows := append(slices.Clone(cols[:len(cols)-1]), "absent")
	for _, want := range rows {
		m := r.Confusion[want]
		if len(m) == 0 {
			continue
		}
		fmt.Fprintf(bw, "%-20s", want)
		for _, c := range cols {
			fmt.Fprintf(bw, " %10d", m[c])
		}
		fmt.Fprintln(bw)
	}
	kinds := make([]string, 0, len(r.Misses))
	for k := range r.Misses {
		kinds = append(kinds, k)
	}
	slices.Sort(kinds)
	for _, k := range kinds {
		fmt.Fprintf(bw, "例（户籍数据行号）%s: %v\n", k, r.Misses[k])
	}
	return bw.Flush()
}
