package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/baoxue/baoxue/internal/idcard"
)

// runID runs `baoxue id …` with stdin and returns the decoded output lines, the raw stderr and
// the exit code.
func runID(t *testing.T, stdin io.Reader, args ...string) ([]map[string]any, string, int) {
	t.Helper()
	var out, errb bytes.Buffer
	err := Run(context.Background(), append([]string{"id"}, args...), func(string) string { return "" },
		stdin, &out, &errb)
	var lines []map[string]any
	for _, l := range strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n") {
		if l == "" {
			continue
		}
		var m map[string]any
		if err := json.Unmarshal([]byte(l), &m); err != nil {
			t.Fatalf("output line %q is not JSON: %v", l, err)
		}
		lines = append(lines, m)
	}
	return lines, errb.String(), ExitCode(err)
}

func TestIDCheckStdin(t *testing.T) {
	in := "11010519491231002X\n" +
		"6.22921201403051E+17\r\n" + // CRLF from a Windows file
		"\n" + // a blank line still gets its answer, so output lines match input lines
		"  '110105491231002\n" +
		"110105194912310021" // last line without newline
	lines, stderr, code := runID(t, strings.NewReader("\ufeff"+in), "check")
	if code != 0 {
		t.Fatalf("exit %d, stderr %q", code, stderr)
	}
	want := []map[string]any{
		{"input": "11010519491231002X", "valid": true, "id_number": "11010519491231002X",
			"birth_date": "1949-12-31", "sex": "F", "region_code": "110105", "region_name": "朝阳区",
			"error": ""},
		{"input": "6.22921201403051E+17", "valid": false, "id_number": "", "birth_date": "", "sex": "",
			"region_code": "", "region_name": "", "error": "ID_PRECISION_LOST",
			"message": idcard.ErrPrecisionLost.Message()},
		{"input": "", "valid": false, "id_number": "", "birth_date": "", "sex": "",
			"region_code": "", "region_name": "", "error": "ID_EMPTY", "message": idcard.ErrEmpty.Message()},
		{"input": "  '110105491231002", "valid": true, "id_number": "11010519491231002X",
			"birth_date": "1949-12-31", "sex": "F", "region_code": "110105", "region_name": "朝阳区",
			"upgraded": true, "error": ""},
		{"input": "110105194912310021", "valid": false, "id_number": "", "birth_date": "", "sex": "",
			"region_code": "", "region_name": "", "error": "ID_CHECKSUM", "message": idcard.ErrChecksum.Message()},
	}
	if len(lines) != len(want) {
		t.Fatalf("got %d lines, want %d: %v", len(lines), len(want), lines)
	}
	for i := range want {
		if !equalJSON(lines[i], want[i]) {
			t.Errorf("line %d:\n got %v\nwant %v", i+1, lines[i], want[i])
		}
	}
}

func TestIDCheckArgs(t *testing.T) {
	lines, stderr, code := runID(t, iotest.ErrReader(errors.New("stdin must not be read")),
		"check", "11010319800101002"+string(idcard.CheckDigit([]byte("11010319800101002"))), "999999")
	if code != 0 {
		t.Fatalf("exit %d, stderr %q", code, stderr)
	}
	if len(lines) != 2 {
		t.Fatalf("got %d lines: %v", len(lines), lines)
	}
	// An abolished district (崇文区, 2010) is still a valid address in old IDs.
	if lines[0]["valid"] != true || lines[0]["region_name"] != "崇文区" || lines[0]["sex"] != "F" {
		t.Errorf("abolished district: %v", lines[0])
	}
	if lines[1]["valid"] != false || lines[1]["error"] != "ID_FORMAT" {
		t.Errorf("short input: %v", lines[1])
	}
}

func TestIDCheckErrors(t *testing.T) {
	tests := []struct {
		name  string
		stdin io.Reader
		args  []string
		code  int
	}{
		{"no action", strings.NewReader(""), nil, 2},
		{"unknown action", strings.NewReader(""), []string{"verify"}, 2},
		{"unknown flag", strings.NewReader(""), []string{"check", "--frob"}, 2},
		{"unreadable stdin", iotest.ErrReader(errors.New("disk on fire")), []string{"check"}, 1},
		{"line too long", strings.NewReader(strings.Repeat("1", maxIDLine+1)), []string{"check"}, 1},
		{"empty stdin", strings.NewReader(""), []string{"check"}, 0},
		{"help", strings.NewReader(""), []string{"check", "-h"}, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			lines, stderr, code := runID(t, tc.stdin, tc.args...)
			if code != tc.code {
				t.Fatalf("exit %d, want %d (stderr %q)", code, tc.code, stderr)
			}
			if code != 0 && (len(lines) != 0 || !strings.Contains(stderr, "baoxue: ")) {
				t.Errorf("failure must print nothing on stdout and an error on stderr: %v %q", lines, stderr)
			}
		})
	}
}

// equalJSON compares two decoded JSON objects of strings and booleans.
func equalJSON(a, b map[string]any) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if w, ok := b[k]; !ok || w != v {
			return false
		}
	}
	return true
}
