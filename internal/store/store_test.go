package store_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"github.com/baoxue/baoxue"
	"github.com/baoxue/baoxue/internal/pii"
	"github.com/baoxue/baoxue/internal/store"
	"github.com/baoxue/baoxue/internal/store/storetest"
)

// testID returns a distinct 18-character ID-like string for row i (validity does not matter to
// the store).
func testID(i int) string { return fmt.Sprintf("6229212014%07d%d", i, i%10) }

func samplePerson(i int) baoxue.Person {
	return baoxue.Person{
		SourceRow: i + 2, IDNumber: testID(i), IDRaw: "'" + testID(i), Name: "马尔江·买买提",
		Sex: baoxue.Female, BirthDate: baoxue.MakeDate(2014, 3, 5), Ethnicity: "东乡族",
		HouseholdNo: fmt.Sprintf("H%06d", i/4), Relation: "子", Address: "甘肃省临夏县土桥镇",
		RegionCode: "622921100201", Status: baoxue.RegistryNormal, StatusRaw: "正常",
		GuardianName: "马福", GuardianID: "622921198001011234", Phone: "13812345678",
	}
}

func dataset(kind baoxue.DatasetKind, sha string) *baoxue.Dataset {
	return &baoxue.Dataset{Kind: kind, FileName: "户籍.xlsx", SHA256: sha, Sheet: "Sheet1", Importer: "zhang",
		AsOf: baoxue.MakeDate(2025, 9, 1)}
}

func TestMigrateIdempotent(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		for range 2 {
			if err := db.Migrate(ctx); err != nil {
				t.Fatal(err)
			}
		}
		v, err := db.SchemaVersion(ctx)
		if err != nil || v < 1 {
			t.Fatalf("schema version %d, %v", v, err)
		}
		if got := db.Dialect(); got != "sqlite" && got != "postgres" {
			t.Fatalf("dialect %q", got)
		}
	})
}

func TestOpenURLForms(t *testing.T) {
	dir := t.TempDir()
	for _, u := range []string{filepath.Join(dir, "a.db"), "sqlite:" + filepath.Join(dir, "b.db"), "file:" + filepath.Join(dir, "c.db")} {
		db := storetest.OpenURL(t, u)
		if db.Dialect() != "sqlite" {
			t.Fatalf("%s: dialect %s", u, db.Dialect())
		}
		var mode string
		if err := db.SQL().QueryRow(`PRAGMA journal_mode`).Scan(&mode); err != nil || mode != "wal" {
			t.Fatalf("%s: journal_mode %q, %v", u, mode, err)
		}
		var fk, sync, busy int
		db.SQL().QueryRow(`PRAGMA foreign_keys`).Scan(&fk)
		db.SQL().QueryRow(`PRAGMA synchronous`).Scan(&sync)
		db.SQL().QueryRow(`PRAGMA busy_timeout`).Scan(&busy)
		if fk != 1 || sync != 2 || busy < 5000 {
			t.Fatalf("%s: foreign_keys=%d synchronous=%d busy_timeout=%d", u, fk, sync, busy)
		}
	}
	for _, bad := range []string{":memory:", "sqlite:", filepath.Join(dir, "a?b.db")} {
		if db, err := store.Open(context.Background(), bad, storetest.Keys(t)); err == nil {
			db.Close()
			t.Errorf("Open(%q) accepted", bad)
		}
	}
	if _, err := store.Open(context.Background(), filepath.Join(dir, "x.db"), nil); !errors.Is(err, baoxue.ErrInvalid) {
		t.Fatalf("open without key: %v", err)
	}
}

func TestImportRoundTrip(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		persons := []baoxue.Person{samplePerson(1), samplePerson(2),
			{SourceRow: 9, IDRaw: "6.22921201403051E+17", IDError: "ID_PRECISION_LOST", Name: "张三"}}
		ds := dataset(baoxue.KindRegistry, "aa01")
		ds.ImportedAt = time.Date(2025, 9, 2, 10, 30, 0, 123456789, time.UTC)
		id, err := db.ImportDataset(ctx, ds, func(w *store.DatasetWriter) error {
			for i := range persons {
				if err := w.Person(&persons[i]); err != nil {
					return err
				}
			}
			ds.RowsRead, ds.Accepted, ds.Rejected, ds.Warnings = 4, 3, 1, 2
			ds.ErrorCounts = map[string]int{"ID_PRECISION_LOST": 1, "ID_EMPTY": 1}
			return nil
		})
		if err != nil || id == 0 || ds.ID != id {
			t.Fatalf("import: id %d, ds.ID %d, %v", id, ds.ID, err)
		}
		var got []baoxue.Person
		if err := db.Persons(ctx, id, func(p *baoxue.Person) error { got = append(got, *p); return nil }); err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, persons) {
			t.Fatalf("persons round trip:\n got %+v\nwant %+v", got, persons)
		}
		back, err := db.Dataset(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		want := *ds
		want.ImportedAt = ds.ImportedAt.Truncate(time.Microsecond)
		if !reflect.DeepEqual(*back, want) {
			t.Fatalf("dataset round trip:\n got %+v\nwant %+v", *back, want)
		}

		enr := []baoxue.Enrollment{{SourceRow: 2, StudentNo: "G" + testID(1), IDNumber: testID(1), IDRaw: testID(1),
			Name: "马尔江·买买提", Sex: baoxue.Female, BirthDate: baoxue.MakeDate(2014, 3, 5), SchoolCode: "2162000001",
			SchoolName: "土桥镇中心小学", Grade: 5, Status: baoxue.EnrollActive, StatusRaw: "在读", HomeTaught: true, National: true},
			{SourceRow: 3, Name: "李四", IDError: "ID_EMPTY"}}
		pov := []baoxue.PovertyRecord{{SourceRow: 2, HouseholdNo: "H1", Name: "马福", IDNumber: testID(7), IDRaw: testID(7),
			Relation: "户主", Type: "脱贫户", RegionCode: "622921100201"}}
		dis := []baoxue.DisabilityRecord{{SourceRow: 2, Name: "王五", IDNumber: testID(8), IDRaw: testID(8),
			CertNo: testID(8) + "42", Category: "肢体", Level: 4}}
		schools := []baoxue.School{{Code: "2162000001", Name: "土桥镇中心小学", RegionCode: "622921100", Kind: "小学", Boarding: true}}
		villages := []baoxue.Village{{Code: "622921100201", Name: "大滩村"}}
		eid, err := db.ImportDataset(ctx, dataset(baoxue.KindEnrollment, "bb"), func(w *store.DatasetWriter) error {
			for i := range enr {
				if err := w.Enrollment(&enr[i]); err != nil {
					return err
				}
			}
			return errors.Join(w.Poverty(&pov[0]), w.Disability(&dis[0]), w.School(&schools[0]), w.Village(&villages[0]))
		})
		if err != nil {
			t.Fatal(err)
		}
		var gotE []baoxue.Enrollment
		var gotP []baoxue.PovertyRecord
		var gotD []baoxue.DisabilityRecord
		if err := errors.Join(
			db.Enrollments(ctx, eid, func(e *baoxue.Enrollment) error { gotE = append(gotE, *e); return nil }),
			db.Poverty(ctx, eid, func(r *baoxue.PovertyRecord) error { gotP = append(gotP, *r); return nil }),
			db.Disability(ctx, eid, func(r *baoxue.DisabilityRecord) error { gotD = append(gotD, *r); return nil }),
		); err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(gotE, enr) || !reflect.DeepEqual(gotP, pov) || !reflect.DeepEqual(gotD, dis) {
			t.Fatalf("round trip:\n%+v\n%+v\n%+v", gotE, gotP, gotD)
		}
		gotS, err1 := db.Schools(ctx)
		gotV, err2 := db.Villages(ctx)
		if err := errors.Join(err1, err2); err != nil || !reflect.DeepEqual(gotS, schools) || !reflect.DeepEqual(gotV, villages) {
			t.Fatalf("schools %+v villages %+v %v", gotS, gotV, err)
		}
		// Upserts replace by code.
		schools[0].Name = "土桥镇第一小学"
		if err := db.UpsertSchools(ctx, schools); err != nil {
			t.Fatal(err)
		}
		if err := db.UpsertVillages(ctx, []baoxue.Village{{Code: "622921100202", Name: "小滩村"}}); err != nil {
			t.Fatal(err)
		}
		gotS, _ = db.Schools(ctx)
		gotV, _ = db.Villages(ctx)
		if len(gotS) != 1 || gotS[0].Name != "土桥镇第一小学" || len(gotV) != 2 {
			t.Fatalf("after upsert: %+v %+v", gotS, gotV)
		}

		all, err := db.Datasets(ctx)
		if err != nil || len(all) != 2 || all[0].ID != id || all[1].ID != eid {
			t.Fatalf("datasets %+v, %v", all, err)
		}
		c, err := db.Counts(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if c.Datasets != 2 || c.Persons != 3 || c.Enrollments != 2 || c.Poverty != 1 || c.Disability != 1 ||
			c.Schools != 1 || c.Villages != 2 || c.ByKind["registry"] != 1 || c.ByKind["enrollment"] != 1 {
			t.Fatalf("counts %+v", c)
		}
		latest, err := db.LatestDataset(ctx, baoxue.KindEnrollment)
		if err != nil || latest.ID != eid {
			t.Fatalf("latest %+v %v", latest, err)
		}
	})
}

func TestImportDuplicate(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		fill := func(w *store.DatasetWriter) error { p := samplePerson(1); return w.Person(&p) }
		id, err := db.ImportDataset(ctx, dataset(baoxue.KindRegistry, "same"), fill)
		if err != nil {
			t.Fatal(err)
		}
		called := false
		id2, err := db.ImportDataset(ctx, dataset(baoxue.KindRegistry, "same"), func(w *store.DatasetWriter) error {
			called = true
			return fill(w)
		})
		if !errors.Is(err, baoxue.ErrExists) || id2 != id || called {
			t.Fatalf("duplicate import: id %d (want %d), called %v, err %v", id2, id, called, err)
		}
		// The same file as another kind is a different dataset.
		if _, err := db.ImportDataset(ctx, dataset(baoxue.KindPoverty, "same"), func(*store.DatasetWriter) error { return nil }); err != nil {
			t.Fatal(err)
		}
		c, _ := db.Counts(ctx)
		if c.Persons != 1 || c.Datasets != 2 {
			t.Fatalf("counts after duplicate %+v", c)
		}
	})
}

func TestImportRollback(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		boom := errors.New("row 7 is broken")
		// Enough rows that some batches have already been sent to the database when fill fails.
		_, err := db.ImportDataset(ctx, dataset(baoxue.KindRegistry, "r1"), func(w *store.DatasetWriter) error {
			for i := range 6000 {
				p := samplePerson(i)
				if err := w.Person(&p); err != nil {
					return err
				}
			}
			return boom
		})
		if !errors.Is(err, boom) {
			t.Fatalf("err = %v", err)
		}
		cctx, cancel := context.WithCancel(ctx)
		_, err = db.ImportDataset(cctx, dataset(baoxue.KindRegistry, "r2"), func(w *store.DatasetWriter) error {
			for i := range 6000 {
				if i == 4000 {
					cancel()
				}
				p := samplePerson(i)
				if err := w.Person(&p); err != nil {
					return err
				}
			}
			return nil
		})
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("cancelled import: err = %v", err)
		}
		c, err := db.Counts(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if c.Datasets != 0 || c.Persons != 0 {
			t.Fatalf("rows left behind: %+v", c)
		}
		// The store is still usable.
		if _, err := db.ImportDataset(ctx, dataset(baoxue.KindRegistry, "r1"), func(*store.DatasetWriter) error { return nil }); err != nil {
			t.Fatal(err)
		}
	})
}

func TestNotFound(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		if _, err := db.Dataset(ctx, 999); !errors.Is(err, baoxue.ErrNotFound) {
			t.Errorf("Dataset: %v", err)
		}
		if ds, err := db.DatasetBySHA(ctx, baoxue.KindRegistry, "nope"); !errors.Is(err, baoxue.ErrNotFound) || ds != nil {
			t.Errorf("DatasetBySHA: %v, %v", ds, err)
		}
		if _, err := db.LatestDataset(ctx, baoxue.KindRegistry); !errors.Is(err, baoxue.ErrNotFound) {
			t.Errorf("LatestDataset: %v", err)
		}
		if ps, err := db.FindPersonByID(ctx, testID(1)); !errors.Is(err, baoxue.ErrNotFound) || ps != nil {
			t.Errorf("FindPersonByID: %v, %v", ps, err)
		}
	})
}

func TestFindPersonByID(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		for _, sha := range []string{"one", "two"} {
			_, err := db.ImportDataset(ctx, dataset(baoxue.KindRegistry, sha), func(w *store.DatasetWriter) error {
				for i := range 50 {
					p := samplePerson(i)
					if err := w.Person(&p); err != nil {
						return err
					}
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
		}
		ps, err := db.FindPersonByID(ctx, testID(17))
		if err != nil || len(ps) != 2 || ps[0].IDNumber != testID(17) || ps[0].SourceRow != 19 {
			t.Fatalf("FindPersonByID = %+v, %v", ps, err)
		}
	})
}

// Foreign keys hold for ordinary writes, also after an import (which turns enforcement off for its
// own transaction on SQLite).
func TestForeignKeysEnforced(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		_, err := db.ImportDataset(context.Background(), dataset(baoxue.KindRegistry, "fk"), func(w *store.DatasetWriter) error {
			p := samplePerson(1)
			return w.Person(&p)
		})
		if err != nil {
			t.Fatal(err)
		}
		_, err = db.SQL().Exec(`INSERT INTO persons (dataset_id, source_row) VALUES (12345, 1)`)
		if err == nil {
			t.Fatal("row for a missing dataset accepted")
		}
	})
}

func TestWrongKeyRefused(t *testing.T) {
	for _, tg := range storetest.Targets(t) {
		t.Run(tg.Name, func(t *testing.T) {
			ctx := context.Background()
			storetest.OpenURL(t, tg.URL) // migrated with the test key
			other, err := pii.New(bytes.Repeat([]byte{1}, pii.MasterKeySize))
			if err != nil {
				t.Fatal(err)
			}
			db, err := store.Open(ctx, tg.URL, other)
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			if err := db.Migrate(ctx); !errors.Is(err, store.ErrWrongKey) {
				t.Fatalf("migrate with another key: %v", err)
			}
		})
	}
}

// Deleting a dataset removes its rows (ON DELETE CASCADE on SQLite, a trigger on PostgreSQL), and
// rows never point at a missing dataset, also when updated.
func TestDatasetCascade(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		ids := make([]int64, 2)
		for i := range ids {
			id, err := db.ImportDataset(ctx, dataset(baoxue.KindRegistry, fmt.Sprint("c", i)), func(w *store.DatasetWriter) error {
				for r := range 10 {
					p := samplePerson(r)
					if err := w.Person(&p); err != nil {
						return err
					}
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			ids[i] = id
		}
		if _, err := db.SQL().Exec(`UPDATE persons SET dataset_id = 777 WHERE dataset_id = $1`, ids[0]); err == nil {
			t.Fatal("update to a missing dataset accepted")
		}
		if _, err := db.SQL().Exec(`DELETE FROM datasets WHERE id = $1`, ids[0]); err != nil {
			t.Fatal(err)
		}
		c, err := db.Counts(ctx)
		if err != nil || c.Persons != 10 || c.Datasets != 1 {
			t.Fatalf("after delete: %+v %v", c, err)
		}
	})
}

// A panic in fill must not leave the writer goroutine or the connection behind.
func TestImportPanicReleases(t *testing.T) {
	db := storetest.OpenURL(t, filepath.Join(t.TempDir(), "p.db"))
	func() {
		defer func() { recover() }()
		db.ImportDataset(context.Background(), dataset(baoxue.KindRegistry, "panic"), func(w *store.DatasetWriter) error {
			p := samplePerson(1)
			w.Person(&p)
			panic("importer bug")
		})
	}()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if _, err := db.ImportDataset(ctx, dataset(baoxue.KindRegistry, "after"), func(*store.DatasetWriter) error { return nil }); err != nil {
		t.Fatalf("store unusable after a panic: %v", err)
	}
}
