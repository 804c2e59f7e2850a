package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func runGen(t *testing.T, args ...string) (string, string, int) {
	t.Helper()
	var out, errb bytes.Buffer
	err := Run(context.Background(), append([]string{"gen"}, args...), func(string) string { return "" },
		strings.NewReader(""), &out, &errb)
	return out.String(), errb.String(), ExitCode(err)
}

func TestGenJSONSummary(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "out")
	stdout, stderr, code := runGen(t, "--scale", "3000", "--seed", "4", "--profile", "clean", "--out", dir, "--json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if strings.Count(stdout, "\n") != 1 {
		t.Fatalf("want one line of JSON, got %q", stdout)
	}
	var sum struct {
		Out         string           `json:"out"`
		Scale       string           `json:"scale"`
		Profile     string           `json:"profile"`
		Seed        uint64           `json:"seed"`
		Rows        map[string]int64 `json:"rows"`
		SchoolAge   int64            `json:"school_age"`
		OutOfSchool *int64           `json:"out_of_school"`
		Seconds     *float64         `json:"seconds"`
	}
	if err := json.Unmarshal([]byte(stdout), &sum); err != nil {
		t.Fatal(err)
	}
	if sum.Out != dir || sum.Scale != "3000" || sum.Profile != "clean" || sum.Seed != 4 || sum.Rows["registry"] != 3000 ||
		sum.SchoolAge == 0 || sum.OutOfSchool == nil || sum.Seconds == nil {
		t.Errorf("summary %s", stdout)
	}
	for _, f := range []string{"registry", "enrollment", "national", "poverty", "disability", "schools", "villages", "truth"} {
		if _, err := os.Stat(filepath.Join(dir, f+".csv")); err != nil {
			t.Error(err)
		}
		if sum.Rows[f] == 0 {
			t.Errorf("rows[%s] = 0", f)
		}
	}
}

func TestGenText(t *testing.T) {
	stdout, stderr, code := runGen(t, "--scale", "500", "--out", t.TempDir())
	if code != 0 || !strings.Contains(stdout, "户籍 500 行") {
		t.Errorf("exit %d, stdout %q, stderr %q", code, stdout, stderr)
	}
}

func TestGenBadUsage(t *testing.T) {
	dir := t.TempDir()
	for _, args := range [][]string{
		{"--scale", "county"},                                              // no --out
		{"--scale", "city", "--out", dir},                                  // unknown scale
		{"--scale", "0", "--out", dir},                                     // no people
		{"--profile", "messy", "--out", dir},                               // unknown profile
		{"--format", "ods", "--out", dir},                                  // unknown format
		{"--encoding", "big5", "--out", dir},                               // unknown encoding
		{"--as-of", "2026/09/01", "--out", dir},                            // bad date
		{"--scale", "province", "--format", "xlsx", "--out", dir},          // too big for a sheet
		{"--seed", "-1", "--out", dir},                                     // not a seed
		{"--out", dir, "extra"},                                            // stray argument
		{"--scale", "2000000", "--format", "xlsx", "--out", dir, "--json"}, // too big for a sheet
	} {
		stdout, stderr, code := runGen(t, args...)
		if code != 2 || stdout != "" || stderr == "" {
			t.Errorf("gen %v: exit %d, stdout %q, stderr %q; want exit 2 with a message", args, code, stdout, stderr)
		}
	}
	_, stderr, _ := runGen(t, "--scale", "province", "--format", "xlsx", "--out", dir)
	if !strings.Contains(stderr, "--format csv") {
		t.Errorf("xlsx refusal does not say what to do: %q", stderr)
	}
}
