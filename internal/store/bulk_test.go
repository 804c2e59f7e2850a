package store_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/baoxue/baoxue"
	"github.com/baoxue/baoxue/internal/store"
	"github.com/baoxue/baoxue/internal/store/storetest"
)

// Tests of the bulk path (bulk.go, pipeline.go): a PostgreSQL COPY streams from a goroutine that
// holds the connection, so every way an import can end must release it.

// TestBulkInterleaved: rows of several tables and single-row statements, mixed, all arrive, each
// table in the order given.
func TestBulkInterleaved(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		id, err := db.ImportDataset(ctx, dataset(baoxue.KindRegistry, "mixed"), func(w *store.DatasetWriter) error {
			for i := range 18_000 {
				p := samplePerson(i)
				if err := w.Person(&p); err != nil {
					return err
				}
				switch i % 6000 {
				case 3000:
					s := baoxue.School{Code: fmt.Sprintf("21620000%02d", i/6000), Name: "小学"}
					if err := w.School(&s); err != nil {
						return err
					}
				case 4000:
					e := baoxue.Enrollment{SourceRow: i, IDNumber: testID(i), Name: "张三", Status: baoxue.EnrollActive}
					if err := w.Enrollment(&e); err != nil {
						return err
					}
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		rows := 0
		err = db.Persons(ctx, id, func(p *baoxue.Person) error {
			if p.SourceRow != rows+2 {
				return fmt.Errorf("person %d has row %d", rows, p.SourceRow)
			}
			rows++
			return nil
		})
		if err != nil || rows != 18_000 {
			t.Fatalf("%d persons, %v", rows, err)
		}
		var enr []int
		db.Enrollments(ctx, id, func(e *baoxue.Enrollment) error { enr = append(enr, e.SourceRow); return nil })
		schools, _ := db.DatasetSchools(ctx, id)
		if fmt.Sprint(enr) != "[4000 10000 16000]" || len(schools) != 3 {
			t.Errorf("enrollments %v, schools %+v", enr, schools)
		}
	})
}

// TestBulkFailureMidStream: a row the database refuses in the middle of a large import (PostgreSQL
// rejects invalid UTF-8 while the COPY runs) fails the import, leaves nothing, and releases the
// connection; so does a panic in fill after rows were streamed.
func TestBulkFailureMidStream(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		_, err := db.ImportDataset(ctx, dataset(baoxue.KindRegistry, "bad"), func(w *store.DatasetWriter) error {
			for i := range 40_000 {
				p := samplePerson(i)
				if i == 25_000 && db.Dialect() == "postgres" {
					p.Name = "\xff\xfe"
				}
				if err := w.Person(&p); err != nil {
					return err
				}
			}
			if db.Dialect() == "sqlite" {
				return fmt.Errorf("refused by the caller")
			}
			return nil
		})
		if err == nil {
			t.Fatal("import succeeded")
		}
		func() {
			defer func() { recover() }()
			db.ImportDataset(ctx, dataset(baoxue.KindRegistry, "panic"), func(w *store.DatasetWriter) error {
				for i := range 20_000 {
					p := samplePerson(i)
					w.Person(&p)
				}
				panic("importer bug")
			})
		}()
		tctx, cancel := context.WithTimeout(ctx, 30*time.Second)
		defer cancel()
		c, err := db.Counts(tctx)
		if err != nil || c.Datasets != 0 || c.Persons != 0 {
			t.Fatalf("after the failures: %+v, %v", c, err)
		}
		id, err := db.ImportDataset(tctx, dataset(baoxue.KindRegistry, "good"), func(w *store.DatasetWriter) error {
			p := samplePerson(1)
			return w.Person(&p)
		})
		if err != nil || id == 0 {
			t.Fatalf("store unusable after the failures: %v", err)
		}
	})
}
