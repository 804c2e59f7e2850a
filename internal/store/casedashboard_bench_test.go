package store_test

import (
	"context"
	"testing"

	"github.com/baoxue/baoxue"
	"github.com/baoxue/baoxue/internal/auth"
	"github.com/baoxue/baoxue/internal/store/storetest"
)

// The dashboard's case figures at province size (issue 5: dashboard p95 ≤ 200 ms under 50
// sessions), on the database of BenchmarkCases with return dates spread over the school year
// (returned, monitoring and closed cases, half of them this semester, one in three poor-family):
//
//	go test -run '^$' -bench 'CaseDashboard' -benchmem ./internal/store/
func BenchmarkCaseDashboard(b *testing.B) {
	for _, tg := range storetest.Targets(b) {
		db := storetest.OpenURL(b, tg.URL)
		benchCases(b, db, benchN())
		ctx := context.Background()
		if _, err := db.SQL().ExecContext(ctx, `UPDATE cases SET return_date = CASE id % 4 WHEN 0 THEN 20241015
			WHEN 1 THEN 20250312 WHEN 2 THEN 20250520 ELSE 20250110 END, poverty = (id % 3 = 0)
			WHERE state IN ('returned', 'monitoring', 'closed')`); err != nil {
			b.Fatal(err)
		}
		if db.Dialect() == "sqlite" {
			db.SQL().ExecContext(ctx, `ANALYZE`)
		} else {
			db.SQL().ExecContext(ctx, `ANALYZE cases`)
		}
		today := baoxue.MakeDate(2025, 6, 15)
		semester := baoxue.MakeDate(2025, 3, 1)
		user := func(scope string) auth.User {
			sc, err := auth.ParseScope(scope)
			if err != nil {
				b.Fatal(err)
			}
			return auth.User{Username: "o" + scope, Role: auth.RoleOfficer, Scope: sc}
		}
		province, county := user("62"), user("620101")
		var returned int
		b.Run(tg.Name+"/returned-province", func(b *testing.B) {
			for b.Loop() {
				n, _, err := db.Returned(ctx, province, "62", semester, today)
				if err != nil {
					b.Fatal(err)
				}
				returned = n
			}
		})
		b.Logf("%s: %d children back this semester in the province", tg.Name, returned)
		b.Run(tg.Name+"/returned-county", func(b *testing.B) {
			for b.Loop() {
				if _, _, err := db.Returned(ctx, county, "620101", semester, today); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(tg.Name+"/zero-counties-province", func(b *testing.B) {
			for b.Loop() {
				if _, _, err := db.ZeroCounties(ctx, province, "62", today); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(tg.Name+"/zero-county", func(b *testing.B) {
			for b.Loop() {
				if _, _, err := db.Zero(ctx, county, "620101", today); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
