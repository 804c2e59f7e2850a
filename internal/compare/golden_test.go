package compare

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/baoxue/baoxue/internal/gen"
)

var update = flag.Bool("update", false, "rewrite golden files")

// encode writes entries the way the .jsonl ledger does.
func encode(t testing.TB, c county, opts Options) []byte {
	t.Helper()
	led, _ := c.ledger(t, opts)
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	for i := range led {
		if err := enc.Encode(&led[i]); err != nil {
			t.Fatal(err)
		}
	}
	return buf.Bytes()
}

// TestGoldenLedger runs a small generated county (hard profile: every kind of damage) and
// compares the ledger with testdata/county.golden.jsonl; run with -update after a deliberate
// change and read the diff. Two runs with different numbers of workers give the same bytes.
func TestGoldenLedger(t *testing.T) {
	c := loadCounty(t, 2500, 7, gen.ProfileHard)
	one := encode(t, c, Options{Workers: 1})
	four := encode(t, c, Options{Workers: 4})
	if !bytes.Equal(one, four) {
		t.Fatal("the ledger depends on the number of workers")
	}
	again := encode(t, c, Options{Workers: 2})
	if !bytes.Equal(one, again) {
		t.Fatal("two runs on the same inputs gave different ledgers")
	}
	golden := filepath.Join("testdata", "county.golden.jsonl")
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(golden, one, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(one, want) {
		t.Errorf("ledger differs from %s; run go test -run TestGoldenLedger -update and review the diff", golden)
	}
}
