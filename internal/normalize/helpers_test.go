package normalize

import (
	"strings"
	"sync"
	"testing"
	"unicode"

	"github.com/baoxue/baoxue/internal/region"
)

// The division tree is loaded once per test binary: it takes tens of milliseconds.
var (
	treeOnce sync.Once
	treeVal  *region.Tree
	treeErr  error
)

func testTree(t testing.TB) *region.Tree {
	t.Helper()
	treeOnce.Do(func() { treeVal, treeErr = region.Load() })
	if treeErr != nil {
		t.Fatal(treeErr)
	}
	return treeVal
}

// checkProblem fails unless p has the wanted code ("" for no problem), and unless a problem is
// one the Codes table documents with that severity and has a Chinese message.
func checkProblem(t *testing.T, in string, p *Problem, want string) {
	t.Helper()
	switch {
	case want == "" && p != nil:
		t.Errorf("%q: unexpected problem %v", in, p)
		return
	case want != "" && p == nil:
		t.Errorf("%q: no problem, want %s", in, want)
		return
	case p == nil:
		return
	case p.Code != want:
		t.Errorf("%q: problem %v, want %s", in, p, want)
	}
	documented := false
	for _, c := range Codes() {
		if c.Code == p.Code && c.Severity == p.Severity {
			documented = true
		}
	}
	if !documented {
		t.Errorf("%q: %s with severity %v is not in Codes()", in, p.Code, p.Severity)
	}
	if !strings.ContainsFunc(p.Message, func(r rune) bool { return unicode.Is(unicode.Han, r) }) {
		t.Errorf("%q: message %q is not Chinese", in, p.Message)
	}
}

// wantSeverity fails unless p has severity s.
func wantSeverity(t *testing.T, in string, p *Problem, s Severity) {
	t.Helper()
	if p == nil || p.Severity != s {
		t.Errorf("%q: problem %v, want severity %v", in, p, s)
	}
}
