package store

import (
	"context"
	"database/sql"

	"github.com/baoxue/baoxue"
)

const upsertSchoolSQL = `INSERT INTO schools (code, name, region_code, kind, boarding, dataset_id)
	VALUES ($1, $2, $3, $4, $5, $6)
	ON CONFLICT (code) DO UPDATE SET name = excluded.name, region_code = excluded.region_code,
		kind = excluded.kind, boarding = excluded.boarding, dataset_id = excluded.dataset_id`

const upsertVillageSQL = `INSERT INTO villages (code, name, township_code, dataset_id) VALUES ($1, $2, $3, $4)
	ON CONFLICT (code) DO UPDATE SET name = excluded.name, township_code = excluded.township_code,
		dataset_id = excluded.dataset_id`

// townshipOf is the 9-digit township a 12-digit village code belongs to.
func townshipOf(code string) string {
	if len(code) >= 9 {
		return code[:9]
	}
	return ""
}

// UpsertSchools adds or replaces schools by code, outside any dataset.
func (db *DB) UpsertSchools(ctx context.Context, schools []baoxue.School) error {
	return db.inWriteTx(ctx, "upsert schools", func(tx *sql.Tx) error {
		stmt, err := tx.PrepareContext(ctx, upsertSchoolSQL)
		if err != nil {
			return translate("upsert schools", err)
		}
		defer stmt.Close()
		for _, s := range schools {
			if _, err := stmt.ExecContext(ctx, s.Code, s.Name, s.RegionCode, s.Kind, s.Boarding, nil); err != nil {
				return translate("upsert school "+s.Code, err)
			}
		}
		return nil
	})
}

// UpsertVillages adds or replaces villages by code, outside any dataset.
func (db *DB) UpsertVillages(ctx context.Context, villages []baoxue.Village) error {
	return db.inWriteTx(ctx, "upsert villages", func(tx *sql.Tx) error {
		stmt, err := tx.PrepareContext(ctx, upsertVillageSQL)
		if err != nil {
			return translate("upsert villages", err)
		}
		defer stmt.Close()
		for _, v := range villages {
			if _, err := stmt.ExecContext(ctx, v.Code, v.Name, townshipOf(v.Code), nil); err != nil {
				return translate("upsert village "+v.Code, err)
			}
		}
		return nil
	})
}

// Schools lists every school by code.
func (db *DB) Schools(ctx context.Context) ([]baoxue.School, error) {
	var out []baoxue.School
	err := stream(ctx, db, "list schools", `SELECT code, name, region_code, kind, boarding FROM schools ORDER BY code`, nil,
		func(r *sql.Rows, s *baoxue.School) error {
			return r.Scan(&s.Code, &s.Name, &s.RegionCode, &s.Kind, &s.Boarding)
		},
		func(s *baoxue.School) error { out = append(out, *s); return nil })
	return out, err
}

// Villages lists every village by code.
func (db *DB) Villages(ctx context.Context) ([]baoxue.Village, error) {
	var out []baoxue.Village
	err := stream(ctx, db, "list villages", `SELECT code, name FROM villages ORDER BY code`, nil,
		func(r *sql.Rows, v *baoxue.Village) error { return r.Scan(&v.Code, &v.Name) },
		func(v *baoxue.Village) error { out = append(out, *v); return nil })
	return out, err
}
