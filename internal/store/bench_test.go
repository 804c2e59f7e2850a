package store_test

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/baoxue/baoxue"
	"github.com/baoxue/baoxue/internal/store"
	"github.com/baoxue/baoxue/internal/store/storetest"
)

// importPersons imports n generated registry rows as one dataset and returns the rate.
func importPersons(tb testing.TB, db *store.DB, sha string, n int) float64 {
	tb.Helper()
	people := make([]baoxue.Person, 1000)
	for i := range people {
		people[i] = samplePerson(i)
	}
	start := time.Now()
	_, err := db.ImportDataset(context.Background(), dataset(baoxue.KindRegistry, sha), func(w *store.DatasetWriter) error {
		for i := range n {
			p := &people[i%len(people)]
			p.SourceRow = i + 2
			p.IDNumber = testID(i)
			if err := w.Person(p); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		tb.Fatal(err)
	}
	return float64(n) / time.Since(start).Seconds()
}

// BenchmarkImportPersons imports 100,000 registry rows per iteration (encryption, blind index and
// database included) and reports rows/s, on SQLite and, when configured, PostgreSQL.
func BenchmarkImportPersons(b *testing.B) {
	for _, tg := range storetest.Targets(b) {
		b.Run(tg.Name, func(b *testing.B) {
			db := storetest.OpenURL(b, tg.URL)
			const n = 100_000
			i := 0
			start := time.Now()
			for b.Loop() {
				i++
				importPersons(b, db, fmt.Sprint("bench", i), n)
			}
			b.ReportMetric(float64(n*i)/time.Since(start).Seconds(), "rows/s")
		})
	}
}

// TestImportRate imports BAOXUE_IMPORT_ROWS registry rows (e.g. 1000000) into each engine and
// logs the rate; it is skipped unless the variable is set. Run with -v to see the numbers.
func TestImportRate(t *testing.T) {
	n, _ := strconv.Atoi(os.Getenv("BAOXUE_IMPORT_ROWS"))
	if n <= 0 {
		t.Skip("set BAOXUE_IMPORT_ROWS to measure the import rate")
	}
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		rate := importPersons(t, db, "rate", n)
		t.Logf("%s: imported %d persons at %.0f rows/s", db.Dialect(), n, rate)
	})
}
