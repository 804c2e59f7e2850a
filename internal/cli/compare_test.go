package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/baoxue/baoxue/internal/gen"
	"github.com/xuri/excelize/v2"
)

func runCompareCmd(t *testing.T, args ...string) (string, string, int) {
	t.Helper()
	var out, errb bytes.Buffer
	err := Run(context.Background(), args, func(string) string { return "" }, strings.NewReader(""), &out, &errb)
	return out.String(), errb.String(), ExitCode(err)
}

// genCounty writes a small generated county and returns its directory.
func genCounty(t *testing.T, rows int, seed uint64) string {
	t.Helper()
	dir := t.TempDir()
	if _, err := gen.GenerateCounty(context.Background(), dir, rows, seed, gen.ProfileRealistic); err != nil {
		t.Fatal(err)
	}
	return dir
}

func fileArgs(dir string) []string {
	return []string{"compare", "--registry", filepath.Join(dir, "registry.csv"), "--enrollment", filepath.Join(dir, "enrollment.csv"),
		"--national", filepath.Join(dir, "national.csv"), "--poverty", filepath.Join(dir, "poverty.csv"),
		"--disability", filepath.Join(dir, "disability.csv"), "--schools", filepath.Join(dir, "schools.csv"),
		"--villages", filepath.Join(dir, "villages.csv"), "--as-of", "2026-09-01"}
}

func TestCompareFilesThenEval(t *testing.T) {
	dir := genCounty(t, 4000, 2)
	out := filepath.Join(t.TempDir(), "ledger.jsonl")
	stdout, stderr, code := runCompareCmd(t, append(fileArgs(dir), "--out", out, "--json")...)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var sum struct {
		SchoolAge int            `json:"school_age"`
		Statuses  map[string]int `json:"statuses"`
		Out       string         `json:"out"`
		Inputs    []struct {
			Kind string `json:"kind"`
			Rows int    `json:"rows"`
		} `json:"inputs"`
		Seconds map[string]float64 `json:"seconds"`
	}
	if err := json.Unmarshal([]byte(stdout), &sum); err != nil || strings.Count(stdout, "\n") != 1 {
		t.Fatalf("summary %q: %v", stdout, err)
	}
	if sum.SchoolAge < 400 || sum.Statuses["enrolled"] == 0 || sum.Out != out || len(sum.Inputs) != 5 || sum.Seconds["total"] <= 0 {
		t.Errorf("summary %s", stdout)
	}
	first, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	if n := bytes.Count(first, []byte("\n")); n != sum.SchoolAge {
		t.Errorf("ledger has %d lines, summary says %d children", n, sum.SchoolAge)
	}
	// Same inputs, same bytes.
	if _, stderr, code := runCompareCmd(t, append(fileArgs(dir), "--out", out)...); code != 0 {
		t.Fatalf("second run: %s", stderr)
	}
	if again, _ := os.ReadFile(out); !bytes.Equal(first, again) {
		t.Error("two runs on the same files gave different ledgers")
	}

	stdout, stderr, code = runCompareCmd(t, "eval", "--truth", filepath.Join(dir, "truth.csv"), "--ledger", out, "--json")
	if code != 0 {
		t.Fatalf("eval exit %d: %s", code, stderr)
	}
	var rep struct {
		Recall            struct{ Value float64 } `json:"recall"`
		SuspectPrecision  struct{ Value float64 } `json:"suspect_precision"`
		AutoLinkPrecision struct{ Value float64 } `json:"auto_link_precision"`
		Missing           int                     `json:"missing"`
		Expected          int                     `json:"expected"`
	}
	if err := json.Unmarshal([]byte(stdout), &rep); err != nil {
		t.Fatal(err)
	}
	if rep.Expected != sum.SchoolAge || rep.Missing != 0 || rep.Recall.Value < 0.995 || rep.SuspectPrecision.Value < 0.97 || rep.AutoLinkPrecision.Value < 0.999 {
		t.Errorf("eval %s", stdout)
	}
	stdout, _, code = runCompareCmd(t, "eval", "--truth", filepath.Join(dir, "truth.csv"), "--ledger", out)
	if code != 0 || !strings.Contains(stdout, "查全率") || !strings.Contains(stdout, "expected \\ got") {
		t.Errorf("eval text: %s", stdout)
	}

	for _, ext := range []string{".csv", ".xlsx"} {
		p := filepath.Join(t.TempDir(), "ledger"+ext)
		if _, stderr, code := runCompareCmd(t, append(fileArgs(dir), "--out", p)...); code != 0 {
			t.Fatalf("%s: %s", ext, stderr)
		}
		if st, err := os.Stat(p); err != nil || st.Size() == 0 {
			t.Errorf("%s: %v", ext, err)
		}
		if ext == ".xlsx" {
			x, err := excelize.OpenFile(p)
			if err != nil {
				t.Fatal(err)
			}
			rows, _ := x.GetRows("适龄儿童台账")
			x.Close()
			if len(rows) < 4 || !strings.HasPrefix(rows[0][0], "临夏县适龄儿童少年台账（截至2026年9月1日）") ||
				strings.Trim(rows[2][2], "0123456789") == "" {
				t.Errorf("xlsx title or village name: %q", rows[:min(len(rows), 3)])
			}
		}
	}
}

func TestCompareErrors(t *testing.T) {
	dir := genCounty(t, 800, 3)
	reg, enr := filepath.Join(dir, "registry.csv"), filepath.Join(dir, "enrollment.csv")
	empty := filepath.Join(dir, "empty.csv")
	os.WriteFile(empty, nil, 0o644)
	headerOnly := filepath.Join(dir, "header.csv")
	os.WriteFile(headerOnly, []byte("姓名,身份证号,性别,出生日期,户口状态,监护人姓名\n"), 0o644)
	noID := filepath.Join(dir, "noid.csv")
	os.WriteFile(noID, []byte("姓名,性别,出生日期,户口状态,监护人姓名\n马一,男,2014-03-05,正常,马福\n"), 0o644)
	cases := []struct {
		name  string
		args  []string
		code  int
		wants []string
	}{
		{"empty registry", []string{"--registry", empty, "--enrollment", enr}, 1, []string{"empty.csv", "空"}},
		{"registry without data rows", []string{"--registry", headerOnly, "--enrollment", enr}, 1, []string{"header.csv", "没有数据行"}},
		{"missing ID column", []string{"--registry", noID, "--enrollment", enr}, 1, []string{"noid.csv", "公民身份号码"}},
		{"registry given as enrollment", []string{"--registry", reg, "--enrollment", reg}, 1, []string{"registry.csv", "户籍"}},
		{"missing as-of", []string{"--registry", reg, "--enrollment", enr, "--as-of", ""}, 2, []string{"--as-of"}},
		{"bad output format", []string{"--registry", reg, "--enrollment", enr, "--out", "x.txt"}, 2, []string{".jsonl"}},
		{"no enrollment", []string{"--registry", reg}, 2, []string{"--enrollment"}},
		{"both modes", []string{"--registry", reg, "--enrollment", enr, "--db", filepath.Join(dir, "b.db")}, 2, []string{"--db"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			outDir := t.TempDir()
			out := filepath.Join(outDir, "ledger.jsonl")
			args := append([]string{"compare", "--as-of", "2026-09-01", "--out", out}, tc.args...)
			_, stderr, code := runCompareCmd(t, args...)
			if code != tc.code {
				t.Fatalf("exit %d, want %d: %s", code, tc.code, stderr)
			}
			if tc.code == 1 && strings.Count(strings.TrimSpace(stderr), "\n") != 0 {
				t.Errorf("error is not one line: %q", stderr)
			}
			for _, w := range tc.wants {
				if !strings.Contains(stderr, w) {
					t.Errorf("stderr %q lacks %q", stderr, w)
				}
			}
			if ls, _ := os.ReadDir(outDir); len(ls) != 0 {
				t.Errorf("a failed run left %v", ls)
			}
		})
	}
}

func TestCompareDatabaseMode(t *testing.T) {
	dir := genCounty(t, 3000, 5)
	db := filepath.Join(t.TempDir(), "b.db")
	for _, k := range []string{"villages", "schools", "registry", "enrollment", "national", "poverty", "disability"} {
		if _, stderr, code := runCompareCmd(t, "import", "--db", db, "--kind", k, filepath.Join(dir, k+".csv")); code != 0 {
			t.Fatalf("import %s: %s", k, stderr)
		}
	}
	type summary struct {
		RunID    int64            `json:"run_id"`
		Datasets map[string]int64 `json:"datasets"`
		Statuses map[string]int   `json:"statuses"`
		Changes  struct {
			PreviousRun int64 `json:"previous_run"`
			New         int   `json:"new_suspects"`
			StillOpen   int   `json:"still_open"`
			Resolved    int   `json:"resolved"`
		} `json:"changes"`
	}
	run := func(extra ...string) summary {
		stdout, stderr, code := runCompareCmd(t, append([]string{"compare", "--db", db, "--as-of", "2026-09-01", "--json"}, extra...)...)
		if code != 0 {
			t.Fatalf("exit %d: %s", code, stderr)
		}
		var s summary
		if err := json.Unmarshal([]byte(stdout), &s); err != nil {
			t.Fatal(err)
		}
		return s
	}
	masked := filepath.Join(t.TempDir(), "l.jsonl")
	first := run("--out", masked)
	open := first.Statuses["suspected"] + first.Statuses["review"]
	if first.RunID == 0 || len(first.Datasets) != 5 || open == 0 || first.Changes.PreviousRun != 0 || first.Changes.New != open {
		t.Errorf("first run %+v", first)
	}
	second := run()
	if second.RunID != first.RunID+1 || second.Changes.PreviousRun != first.RunID || second.Changes.StillOpen != open ||
		second.Changes.New != 0 || second.Changes.Resolved != 0 {
		t.Errorf("second run %+v (first %+v)", second, first)
	}
	data, err := os.ReadFile(masked)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(data, []byte(`"id_number":"622***********`)) || bytes.Contains(data, []byte(`"id_number":"6229212`)) {
		t.Errorf("database-mode ledger must mask IDs: %.300s", data)
	}
	if _, stderr, code := runCompareCmd(t, "compare", "--db", filepath.Join(t.TempDir(), "empty.db"), "--as-of", "2026-09-01"); code != 1 ||
		!strings.Contains(stderr, "baoxue import --kind registry") {
		t.Errorf("empty database: exit %d %q", code, stderr)
	}
}

// TestCompareKeepsNoLentText: the comparison borrows the text of the files' blocks (ingest's
// LendText) and must copy what it keeps. With BAOXUE_LEND_CHECK every file is read in tiny
// blocks whose text is overwritten once the comparison has taken a block's records; a string it
// kept would then differ, so the ledgers must be those of a normal run, byte for byte.
func TestCompareKeepsNoLentText(t *testing.T) {
	dir := genCounty(t, 3000, 5)
	for _, mode := range [][]string{nil, {"--exact-only"}} {
		var ledgers [2][]byte
		for i, block := range []string{"", "3000"} {
			out := filepath.Join(t.TempDir(), "ledger.jsonl")
			var stdout, stderr bytes.Buffer
			getenv := func(k string) string {
				if k == "BAOXUE_LEND_CHECK" {
					return block
				}
				return ""
			}
			args := append(append(fileArgs(dir), mode...), "--out", out)
			if err := Run(context.Background(), args, getenv, strings.NewReader(""), &stdout, &stderr); err != nil {
				t.Fatalf("%v, BAOXUE_LEND_CHECK=%q: %v: %s", mode, block, err, stderr.String())
			}
			b, err := os.ReadFile(out)
			if err != nil {
				t.Fatal(err)
			}
			ledgers[i] = b
		}
		if len(ledgers[0]) == 0 || !bytes.Equal(ledgers[0], ledgers[1]) {
			t.Errorf("%v: the ledger read with lent text overwritten differs from the normal one (%d and %d bytes)",
				mode, len(ledgers[0]), len(ledgers[1]))
		}
	}
	if _, stderr, code := runCompareCmdEnv(t, map[string]string{"BAOXUE_LEND_CHECK": "x"},
		append(fileArgs(dir), "--out", filepath.Join(t.TempDir(), "l.jsonl"))...); code != 1 || !strings.Contains(stderr, "BAOXUE_LEND_CHECK") {
		t.Errorf("a malformed BAOXUE_LEND_CHECK: exit %d, %s", code, stderr)
	}
}

func runCompareCmdEnv(t *testing.T, env map[string]string, args ...string) (string, string, int) {
	t.Helper()
	var out, errb bytes.Buffer
	err := Run(context.Background(), args, func(k string) string { return env[k] }, strings.NewReader(""), &out, &errb)
	return out.String(), errb.String(), ExitCode(err)
}
