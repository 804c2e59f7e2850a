package store_test

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/baoxue/baoxue"
	"github.com/baoxue/baoxue/internal/auth"
	"github.com/baoxue/baoxue/internal/store"
	"github.com/baoxue/baoxue/internal/store/storetest"
)

// Province-size case benchmarks (issue 6: the task list and 动态清零 for a province in ≤ 200 ms
// p95). The database holds BAOXUE_BENCH_CASES cases (default 100,000) spread over 86 counties of
// 14 prefectures, 16 townships and 10 villages each, in every state, with 400 cadres; a cadre has
// about 100 cases. PostgreSQL runs too when BAOXUE_TEST_POSTGRES_URL is set.
//
//	go test -run '^$' -bench 'Cases' -benchmem ./internal/store/

var states = []baoxue.CaseState{baoxue.CaseSuspected, baoxue.CaseVerifying, baoxue.CaseCleared, baoxue.CaseConfirmed,
	baoxue.CasePersuading, baoxue.CaseLegal, baoxue.CaseUnreachable, baoxue.CaseReturned, baoxue.CaseMonitoring,
	baoxue.CaseClosed, baoxue.CaseClosed, baoxue.CaseClosed, baoxue.CaseCleared, baoxue.CaseCleared}

func benchCases(b *testing.B, db *store.DB, n int) {
	b.Helper()
	ctx := context.Background()
	today := baoxue.MakeDate(2025, 9, 1)
	tx, err := db.SQL().BeginTx(ctx, nil)
	if err != nil {
		b.Fatal(err)
	}
	stmt, err := tx.PrepareContext(ctx, `INSERT INTO cases (child_bidx, name, sex, region_code, county_code, school_name,
		source, state, state_since, due_date, verifier, cadre, version, created_at, updated_at)
		VALUES ($1, $2, 'M', $3, $4, '某校', 'comparison', $5, $6, $7, $8, $9, 1, $10, $10)`)
	if err != nil {
		b.Fatal(err)
	}
	now := time.Now().UTC()
	for i := 0; i < n; i++ {
		pref := 1 + i%14
		county := fmt.Sprintf("62%02d%02d", pref, 1+(i/14)%6)
		village := fmt.Sprintf("%s%03d%03d", county, 100+(i/84)%16, 200+(i/1344)%10)
		st := states[i%len(states)]
		due := today.AddDays(7 - i%30)
		var bidx any = []byte(fmt.Sprintf("child-%012d", i))
		if _, err := stmt.ExecContext(ctx, bidx, "学生"+strconv.Itoa(i), village, county, string(st), int64(today.AddDays(-10)),
			int64(due), fmt.Sprintf("cadre%03d", i%400), fmt.Sprintf("cadre%03d", i%400), now); err != nil {
			b.Fatal(err)
		}
	}
	stmt.Close()
	if err := tx.Commit(); err != nil {
		b.Fatal(err)
	}
	if db.Dialect() == "sqlite" {
		db.SQL().ExecContext(ctx, `ANALYZE`)
	} else {
		db.SQL().ExecContext(ctx, `ANALYZE cases`)
	}
}

func benchN() int {
	if v, err := strconv.Atoi(os.Getenv("BAOXUE_BENCH_CASES")); err == nil && v > 0 {
		return v
	}
	return 100_000
}

func BenchmarkCases(b *testing.B) {
	for _, tg := range storetest.Targets(b) {
		db := storetest.OpenURL(b, tg.URL)
		benchCases(b, db, benchN())
		ctx := context.Background()
		today := baoxue.MakeDate(2025, 9, 1)
		user := func(role auth.Role, scope, name string) auth.User {
			sc, err := auth.ParseScope(scope)
			if err != nil {
				b.Fatal(err)
			}
			return auth.User{Username: name, Role: role, Scope: sc}
		}
		province, county := user(auth.RoleOfficer, "62", "p"), user(auth.RoleOfficer, "620101", "c")
		cadre := user(auth.RoleCadre, "620101100", "cadre001")
		b.Run(tg.Name+"/zero-province", func(b *testing.B) {
			for b.Loop() {
				if _, _, err := db.Zero(ctx, province, "62", today); err != nil {
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
		b.Run(tg.Name+"/tasks-cadre", func(b *testing.B) {
			for b.Loop() {
				if _, err := db.Tasks(ctx, cadre, today); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(tg.Name+"/tasks-county", func(b *testing.B) {
			for b.Loop() {
				if _, err := db.Tasks(ctx, county, today); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(tg.Name+"/overdue-county", func(b *testing.B) {
			for b.Loop() {
				if _, _, err := db.Overdue(ctx, county, today); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
