package ingest

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/baoxue/baoxue"
	"github.com/baoxue/baoxue/internal/gen"
	"github.com/baoxue/baoxue/internal/store"
	"github.com/baoxue/baoxue/internal/store/storetest"
)

// killRows is the size of the registry TestImportKilled imports: the 1,000,000 rows, or
// 50,000 under the race detector (which slows the import about tenfold); BAOXUE_KILL_ROWS
// overrides both.
func killRows() int {
	if n, err := strconv.Atoi(os.Getenv("BAOXUE_KILL_ROWS")); err == nil && n > 0 {
		return n
	}
	if raceDetector {
		return 50_000
	}
	return 1_000_000
}

// TestImportKilled kills (SIGKILL) a process in the middle of an import, once per engine: on
// SQLite half-way through the file, on PostgreSQL while its COPY streams rows. Afterwards the
// database holds none of that dataset (the transaction vanished), SQLite passes its integrity
// check, and the same import run again succeeds with every row.
func TestImportKilled(t *testing.T) {
	if testing.Short() {
		t.Skip("spawns a process and imports a large file")
	}
	rows := killRows()
	ctx := context.Background()
	dir := t.TempDir()
	start := time.Now()
	if _, err := gen.GenerateCounty(ctx, dir, rows, 3, gen.ProfileRealistic); err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(dir, "registry.csv")
	t.Logf("%d rows generated in %.1f s", rows, time.Since(start).Seconds())
	for _, tg := range storetest.Targets(t) {
		t.Run(tg.Name, func(t *testing.T) { killDuringImport(t, tg.URL, file, rows) })
	}
}

func killDuringImport(t *testing.T, dbURL, file string, rows int) {
	ctx := context.Background()
	db := storetest.OpenURL(t, dbURL) // migrated before the child starts
	db.Close()

	start := time.Now()
	cmd := exec.Command(os.Args[0], "-test.run=^TestImportKilledChild$", "-test.v")
	cmd.Env = append(os.Environ(), "BAOXUE_KILL_CHILD=1", "BAOXUE_KILL_DB="+dbURL, "BAOXUE_KILL_FILE="+file)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	// The child prints its progress; kill it half-way through the file.
	killed := false
	sc := bufio.NewScanner(out)
	for sc.Scan() {
		var done, total int64
		if n, _ := fmt.Sscanf(sc.Text(), "progress %d %d", &done, &total); n == 2 && total > 0 && done*2 >= total {
			if err := cmd.Process.Kill(); err != nil {
				t.Fatal(err)
			}
			killed = true
			break
		}
	}
	cmd.Wait()
	if !killed {
		t.Fatal("the child finished before it could be killed")
	}
	t.Logf("killed after %.1f s", time.Since(start).Seconds())

	db = storetest.OpenURL(t, dbURL)
	// PostgreSQL rolls the transaction back when it notices the connection is gone; the
	// counts below wait for that through the unique (kind, sha256) of the dataset row.
	if all, err := db.Datasets(ctx); err != nil || len(all) != 0 {
		t.Fatalf("after the kill: %d datasets, %v", len(all), err)
	}
	var persons int
	if err := db.SQL().QueryRowContext(ctx, "SELECT count(*) FROM persons").Scan(&persons); err != nil || persons != 0 {
		t.Fatalf("%d persons left behind, %v", persons, err)
	}
	if db.Dialect() == "sqlite" {
		var check string
		if err := db.SQL().QueryRowContext(ctx, "PRAGMA integrity_check").Scan(&check); err != nil || check != "ok" {
			t.Fatalf("integrity check: %q, %v", check, err)
		}
	}
	start = time.Now()
	opts := importOptions(t)
	opts.Today, opts.Report = gen.DefaultAsOfValue, "-"
	ictx, cancel := context.WithTimeout(ctx, 5*time.Minute) // a lock left by the killed import would hang here
	defer cancel()
	s, err := Import(ictx, db, file, baoxue.KindRegistry, opts)
	if err != nil || s.Rows != rows || s.Stored == 0 {
		t.Fatalf("import after the kill: %v %s", err, summaryJSON(t, s))
	}
	if err := db.SQL().QueryRowContext(ctx, "SELECT count(*) FROM persons").Scan(&persons); err != nil || persons != s.Stored {
		t.Fatalf("%d persons stored, summary says %d, %v", persons, s.Stored, err)
	}
	t.Logf("re-imported %d rows (%d stored) in %.1f s", s.Rows, s.Stored, time.Since(start).Seconds())
}

// TestImportKilledChild is the process TestImportKilled kills.
func TestImportKilledChild(t *testing.T) {
	if os.Getenv("BAOXUE_KILL_CHILD") == "" {
		t.Skip("run by TestImportKilled")
	}
	db, err := store.Open(context.Background(), os.Getenv("BAOXUE_KILL_DB"), storetest.Keys(t))
	if err != nil {
		t.Fatal(err)
	}
	opts := importOptions(t)
	opts.Today, opts.Report = gen.DefaultAsOfValue, "-"
	opts.Progress = func(done, total int64) { fmt.Printf("progress %d %d\n", done, total) }
	Import(context.Background(), db, os.Getenv("BAOXUE_KILL_FILE"), baoxue.KindRegistry, opts)
	fmt.Println("finished")
}
