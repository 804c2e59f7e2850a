package store_test

import (
	"bytes"
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/baoxue/baoxue"
	"github.com/baoxue/baoxue/internal/audit"
	"github.com/baoxue/baoxue/internal/store"
	"github.com/baoxue/baoxue/internal/store/storetest"
)

func TestRunRoundTrip(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		entries := []baoxue.LedgerEntry{
			{SourceRow: 2, IDNumber: testID(1), Name: "张三", Sex: baoxue.Male, BirthDate: "2014-03-05",
				RegionCode: "622921100201", Status: baoxue.StatusEnrolled, Detail: "本地在读", MatchMethod: baoxue.MatchIDExact,
				MatchScore: 1, MatchedStudentNo: "G" + testID(1), SchoolCode: "2162000001", SchoolName: "土桥镇中心小学",
				Poverty: true, PovertyType: "脱贫户", Disability: "肢体四级", PriorityGroups: []string{"poor", "disabled"}},
			{SourceRow: 3, Name: "李四", Status: baoxue.StatusInvalidID, MatchMethod: baoxue.MatchNone, Detail: "ID_PRECISION_LOST"},
		}
		for i := range 3000 { // more than one batch
			entries = append(entries, baoxue.LedgerEntry{SourceRow: 4 + i, IDNumber: testID(100 + i), Name: "王五",
				Status: baoxue.StatusSuspected, MatchMethod: baoxue.MatchNone, MatchScore: 0.25, BirthDate: "2012-09-01"})
		}
		run := &store.Run{AsOf: baoxue.MakeDate(2025, 9, 1), AgeRule: json.RawMessage(`{"entry_age":6}`), DatasetIDs: []int64{}}
		id, err := db.SaveRun(ctx, run, func(w *store.LedgerWriter) error {
			for i := range entries {
				if err := w.Entry(&entries[i]); err != nil {
					return err
				}
			}
			run.Counts = map[string]int{"enrolled": 1, "invalid_id": 1, "suspected": 3000}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		var got []baoxue.LedgerEntry
		if err := db.LedgerEntries(ctx, id, "", func(e *baoxue.LedgerEntry) error { got = append(got, *e); return nil }); err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, entries) {
			t.Fatalf("ledger round trip differs; first got %+v want %+v", got[0], entries[0])
		}
		n := 0
		db.LedgerEntries(ctx, id, baoxue.StatusInvalidID, func(*baoxue.LedgerEntry) error { n++; return nil })
		if n != 1 {
			t.Fatalf("filtered entries %d", n)
		}
		back, err := db.Run(ctx, id)
		if err != nil || back.Counts["suspected"] != 3000 || string(back.AgeRule) != `{"entry_age":6}` || back.AsOf != run.AsOf {
			t.Fatalf("run %+v, %v", back, err)
		}
		runs, err := db.Runs(ctx)
		if err != nil || len(runs) != 1 {
			t.Fatalf("runs %+v %v", runs, err)
		}
		if _, err := db.Run(ctx, id+1); !errors.Is(err, baoxue.ErrNotFound) {
			t.Fatalf("missing run: %v", err)
		}
	})
}

// A known ID number, phone and student number must not appear in clear anywhere in the database.
func TestNoPersonalDataInClear(t *testing.T) {
	const id, guardian, phone = "622921201403051234", "622921198001015678", "13912345678"
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		p := baoxue.Person{SourceRow: 2, IDNumber: id, IDRaw: id, Name: "张三", GuardianID: guardian, Phone: phone,
			Address: "甘肃省临夏县土桥镇大滩村", GuardianName: "张福"}
		e := baoxue.Enrollment{SourceRow: 2, StudentNo: "G" + id, IDNumber: id, IDRaw: id, Name: "张三"}
		d := baoxue.DisabilityRecord{SourceRow: 2, IDNumber: id, IDRaw: id, CertNo: id + "42"}
		pv := baoxue.PovertyRecord{SourceRow: 2, IDNumber: id, IDRaw: id}
		_, err := db.ImportDataset(ctx, dataset(baoxue.KindRegistry, "pii"), func(w *store.DatasetWriter) error {
			return errors.Join(w.Person(&p), w.Enrollment(&e), w.Disability(&d), w.Poverty(&pv))
		})
		if err != nil {
			t.Fatal(err)
		}
		_, err = db.SaveRun(ctx, &store.Run{AsOf: 20250901}, func(w *store.LedgerWriter) error {
			return w.Entry(&baoxue.LedgerEntry{SourceRow: 2, IDNumber: id, MatchedStudentNo: "G" + id, Status: baoxue.StatusEnrolled})
		})
		if err != nil {
			t.Fatal(err)
		}
		secrets := []string{id, guardian, phone, "大滩村", id[6:14] /* the birth date digits */}
		if db.Dialect() == "sqlite" {
			path := dbPath(t, db)
			// Write the WAL back and scan every byte of every file of the database.
			if _, err := db.SQL().Exec(`PRAGMA wal_checkpoint(TRUNCATE)`); err != nil {
				t.Fatal(err)
			}
			for _, f := range []string{path, path + "-wal", path + "-shm"} {
				b, err := os.ReadFile(f)
				if errors.Is(err, os.ErrNotExist) {
					continue
				}
				if err != nil {
					t.Fatal(err)
				}
				for _, s := range secrets {
					if bytes.Contains(b, []byte(s)) {
						t.Errorf("%s contains %q in clear", filepath.Base(f), s)
					}
				}
			}
			return
		}
		// PostgreSQL: every row of every table of the schema, as text (bytea prints as hex).
		rows, err := db.SQL().QueryContext(ctx, `SELECT table_name FROM information_schema.tables
			WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'`)
		if err != nil {
			t.Fatal(err)
		}
		var tables []string
		for rows.Next() {
			var name string
			rows.Scan(&name)
			tables = append(tables, name)
		}
		rows.Close()
		if len(tables) < 10 {
			t.Fatalf("only %d tables found: %v", len(tables), tables)
		}
		for _, table := range tables {
			rows, err := db.SQL().QueryContext(ctx, fmt.Sprintf(`SELECT t::text FROM %s t`, table))
			if err != nil {
				t.Fatal(err)
			}
			for rows.Next() {
				var text string
				rows.Scan(&text)
				for _, s := range secrets {
					if strings.Contains(text, s) || strings.Contains(text, hex.EncodeToString([]byte(s))) {
						t.Errorf("table %s holds %q in clear: %s", table, s, text)
					}
				}
			}
			rows.Close()
		}
	})
}

func dbPath(t *testing.T, db *store.DB) string {
	t.Helper()
	var seq int
	var name, file string
	if err := db.SQL().QueryRow(`PRAGMA database_list`).Scan(&seq, &name, &file); err != nil {
		t.Fatal(err)
	}
	return file
}

func appendN(t *testing.T, db *store.DB, n int) {
	t.Helper()
	l := audit.NewLogger(db)
	for i := range n {
		rec := &baoxue.AuditRecord{Actor: "zhang", Role: "officer", Scope: "622921", Action: "case.update",
			Object: fmt.Sprintf("case/%d", i), Result: "ok", Detail: `{"from":"suspected","to":"verifying"}`}
		if err := l.Log(context.Background(), rec); err != nil {
			t.Fatal(err)
		}
	}
}

func verify(t *testing.T, db *store.DB) *audit.Report {
	t.Helper()
	rep, err := audit.Verify(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	return rep
}

func TestAuditChain(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		// Concurrent appenders must form one gap-free chain.
		var wg sync.WaitGroup
		for g := range 4 {
			wg.Go(func() {
				l := audit.NewLogger(db)
				for i := range 10 {
					if err := l.Log(ctx, &baoxue.AuditRecord{Actor: fmt.Sprint("user", g), Action: "login", Object: fmt.Sprint(i)}); err != nil {
						t.Error(err)
						return
					}
				}
			})
		}
		wg.Wait()
		rep := verify(t, db)
		if rep.Broken != nil || rep.Records != 40 || rep.LastSeq != 40 {
			t.Fatalf("report %+v broken %+v", rep, rep.Broken)
		}
		// Records read back hash to what was stored: times survive the round trip exactly.
		rec := &baoxue.AuditRecord{Time: time.Date(2025, 9, 1, 8, 0, 0, 123456789, time.Local), Action: "export", Actor: "李"}
		if err := db.AppendAudit(ctx, rec); err != nil || rec.Seq != 41 {
			t.Fatalf("append: seq %d, %v", rec.Seq, err)
		}
		var back *baoxue.AuditRecord
		db.AuditRecords(ctx, 41, func(r *baoxue.AuditRecord) error { c := *r; back = &c; return nil })
		if back == nil || !back.Time.Equal(rec.Time) || back.Hash != rec.Hash || back.PrevHash != rep.LastHash {
			t.Fatalf("read back %+v, appended %+v", back, rec)
		}
	})
}

func TestAuditLogRefusesChanges(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		appendN(t, db, 3)
		for _, q := range []string{
			`UPDATE audit_log SET detail = 'x' WHERE seq = 2`,
			`DELETE FROM audit_log WHERE seq = 3`,
			`DELETE FROM audit_log`,
			`DELETE FROM audit_head`,
			`UPDATE audit_head SET seq = 2, hash = 'aa'`,
		} {
			_, err := db.SQL().Exec(q)
			if err == nil {
				t.Errorf("%s: accepted", q)
			}
		}
		if db.Dialect() == "postgres" {
			if _, err := db.SQL().Exec(`TRUNCATE audit_log`); err == nil {
				t.Error("TRUNCATE accepted")
			}
		}
		if rep := verify(t, db); rep.Broken != nil || rep.Records != 3 {
			t.Fatalf("after refused changes: %+v %+v", rep, rep.Broken)
		}
	})
}

// disableGuards removes the append-only protection the way a database administrator could.
func disableGuards(t *testing.T, db *store.DB) {
	t.Helper()
	var stmts []string
	if db.Dialect() == "sqlite" {
		stmts = []string{`DROP TRIGGER audit_log_no_update`, `DROP TRIGGER audit_log_no_delete`,
			`DROP TRIGGER audit_head_advance_only`, `DROP TRIGGER audit_head_no_delete`}
	} else {
		stmts = []string{`ALTER TABLE audit_log DISABLE TRIGGER USER`, `ALTER TABLE audit_head DISABLE TRIGGER USER`}
	}
	for _, s := range stmts {
		if _, err := db.SQL().Exec(s); err != nil {
			t.Fatalf("%s: %v", s, err)
		}
	}
}

func TestAuditTamperingDetected(t *testing.T) {
	tests := []struct {
		name    string
		sql     []string
		seq     int64
		problem audit.Problem
	}{
		{"edit detail", []string{`UPDATE audit_log SET detail = '{}' WHERE seq = 4`}, 4, audit.Modified},
		{"edit actor of first", []string{`UPDATE audit_log SET actor = 'wang' WHERE seq = 1`}, 1, audit.Modified},
		{"delete middle", []string{`DELETE FROM audit_log WHERE seq = 3`}, 3, audit.Deleted},
		{"delete last", []string{`DELETE FROM audit_log WHERE seq = 6`}, 6, audit.Deleted},
		{"delete last and head", []string{`DELETE FROM audit_log WHERE seq = 6`, `UPDATE audit_head SET seq = 5`}, 5, audit.Modified},
		{"renumber", []string{`DELETE FROM audit_log WHERE seq = 2`, `UPDATE audit_log SET seq = seq - 1 WHERE seq > 2`}, 2, audit.Modified},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			storetest.Each(t, func(t *testing.T, db *store.DB) {
				appendN(t, db, 6)
				disableGuards(t, db)
				for _, q := range tt.sql {
					if _, err := db.SQL().Exec(q); err != nil {
						t.Fatalf("%s: %v", q, err)
					}
				}
				rep := verify(t, db)
				if rep.Broken == nil {
					t.Fatal("tampering not detected")
				}
				if rep.Broken.Seq != tt.seq || rep.Broken.Problem != tt.problem {
					t.Fatalf("found seq %d %s (%s), want seq %d %s", rep.Broken.Seq, rep.Broken.Problem,
						rep.Broken.Message(), tt.seq, tt.problem)
				}
			})
		})
	}
}

// Two handles on one SQLite file (as two processes would have) and several goroutines write at
// once; BEGIN IMMEDIATE and busy_timeout must make every write succeed.
func TestConcurrentWriters(t *testing.T) {
	for _, tg := range storetest.Targets(t) {
		t.Run(tg.Name, func(t *testing.T) {
			a := storetest.OpenURL(t, tg.URL)
			b := storetest.OpenURL(t, tg.URL)
			ctx := context.Background()
			var wg sync.WaitGroup
			errs := make(chan error, 100)
			for w, db := range []*store.DB{a, b, a, b} {
				wg.Go(func() {
					for i := range 5 {
						_, err := db.ImportDataset(ctx, dataset(baoxue.KindRegistry, fmt.Sprintf("w%d-%d", w, i)),
							func(dw *store.DatasetWriter) error {
								for r := range 300 {
									p := samplePerson(r)
									if err := dw.Person(&p); err != nil {
										return err
									}
								}
								return nil
							})
						if err != nil {
							errs <- err
						}
						if err := db.AppendAudit(ctx, &baoxue.AuditRecord{Action: "import", Actor: fmt.Sprint(w)}); err != nil {
							errs <- err
						}
						if err := db.UpsertSchools(ctx, []baoxue.School{{Code: fmt.Sprint(2162000000 + i), Name: "x"}}); err != nil {
							errs <- err
						}
					}
				})
			}
			// Readers run beside the writers.
			wg.Go(func() {
				for range 20 {
					if _, err := a.Counts(ctx); err != nil {
						errs <- err
					}
				}
			})
			wg.Wait()
			close(errs)
			for err := range errs {
				t.Error(err)
			}
			c, err := b.Counts(ctx)
			if err != nil || c.Datasets != 20 || c.Persons != 6000 || c.Audit != 20 {
				t.Fatalf("counts %+v %v", c, err)
			}
			if rep := verify(t, a); rep.Broken != nil {
				t.Fatal(rep.Broken.Message())
			}
		})
	}
}
