package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/baoxue/baoxue"
	"github.com/baoxue/baoxue/internal/auth"
	"github.com/baoxue/baoxue/internal/casework"
	"github.com/baoxue/baoxue/internal/pii"
	"github.com/baoxue/baoxue/internal/store"
	"github.com/xuri/excelize/v2"
)

// baoxue case sync / zero / daily / export on a database with one comparison run.
func TestCaseCommands(t *testing.T) {
	dir := t.TempDir()
	dbPath := filepath.Join(dir, "county.db")
	if _, errs, code := runCmd(t, nil, "migrate", "--db", dbPath); code != 0 {
		t.Fatal(errs)
	}
	ctx := context.Background()
	keys, err := pii.LoadOrCreateKey(dbPath + ".key")
	if err != nil {
		t.Fatal(err)
	}
	db, err := store.Open(ctx, dbPath, keys)
	if err != nil {
		t.Fatal(err)
	}
	ids := []string{"622921201103051234", "622921201103061236", "622922201103071238"}
	run := &store.Run{AsOf: baoxue.MakeDate(2025, 3, 1)}
	_, err = db.SaveRun(ctx, run, func(w *store.LedgerWriter) error {
		for i, id := range ids {
			region := "622921100201"
			if i == 2 {
				region = "622922100201"
			}
			if err := w.Entry(&baoxue.LedgerEntry{SourceRow: i + 2, IDNumber: id, Name: fmt.Sprintf("学生%d", i), Sex: baoxue.Male,
				RegionCode: region, Status: baoxue.StatusSuspected}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	db.Close()

	out, errs, code := runCmd(t, nil, "case", "sync", "--db", dbPath, "--date", "2025-03-02", "--json")
	var res store.SyncResult
	if code != 0 || json.Unmarshal([]byte(out), &res) != nil || res.Created != 3 {
		t.Fatalf("sync: exit %d %q %s", code, out, errs)
	}
	out, _, _ = runCmd(t, nil, "case", "sync", "--db", dbPath, "--date", "2025-03-02")
	if !strings.Contains(out, "新建案件 0 件，已有未结案件 3 件") {
		t.Errorf("second sync: %q", out)
	}
	// Suspects are not overdue within 7 days; 8 days later all three are.
	out, _, code = runCmd(t, nil, "case", "zero", "--db", dbPath, "--date", "2025-03-05", "--region", "6229", "--json")
	if code != 0 || !strings.Contains(out, `"open":0`) {
		t.Errorf("zero before the deadline: %q", out)
	}
	out, _, _ = runCmd(t, nil, "case", "zero", "--db", dbPath, "--date", "2025-03-12", "--json")
	var z struct {
		Total    struct{ Open, OverdueSuspects int }
		Children []struct {
			Code string
			Open int
		}
	}
	if err := json.Unmarshal([]byte(out), &z); err != nil || z.Total.Open != 3 || len(z.Children) != 1 || z.Children[0].Code != "6229" {
		t.Errorf("zero after the deadline: %q", out)
	}
	out, errs, code = runCmd(t, nil, "case", "daily", "--db", dbPath, "--date", "2025-03-12", "--json")
	if code != 0 || !strings.Contains(out, `"counties":2`) {
		t.Errorf("daily: exit %d %q %s", code, out, errs)
	}

	// Confirm one dropout, then export the county's ledger.
	db, err = store.Open(ctx, dbPath, keys)
	if err != nil {
		t.Fatal(err)
	}
	sc, _ := auth.ParseScope("622921")
	officer := &store.Account{User: auth.User{Username: "county.office", Role: auth.RoleOfficer, Scope: sc, PasswordHash: "x"}}
	if err := db.CreateUser(ctx, officer); err != nil {
		t.Fatal(err)
	}
	by := store.CaseActor{User: officer.User, Now: time.Date(2025, 3, 12, 9, 0, 0, 0, time.Local)}
	list, _, err := db.CaseList(ctx, officer.User, store.CaseFilter{})
	if err != nil || len(list) != 2 {
		t.Fatalf("county cases %d: %v", len(list), err)
	}
	c := list[0]
	c2, err := db.TransitionCase(ctx, by, c.ID, c.Version, baoxue.CaseVerifying, casework.Input{Verifier: "county.office"})
	if err == nil {
		_, err = db.TransitionCase(ctx, by, c2.ID, c2.Version, baoxue.CaseConfirmed, casework.Input{
			DropoutDate: baoxue.MakeDate(2025, 2, 20), Reasons: []string{"work"}, Note: "务工"})
	}
	if err != nil {
		t.Fatal(err)
	}
	db.Close()
	xlsx := filepath.Join(dir, "ledger.xlsx")
	out, errs, code = runCmd(t, nil, "case", "export", "--db", dbPath, "--out", xlsx, "--county", "622921")
	if code != 0 || !strings.Contains(out, "已导出辍学学生台账 1 人") {
		t.Fatalf("export: exit %d %q %s", code, out, errs)
	}
	f, err := excelize.OpenFile(xlsx)
	if err != nil {
		t.Fatal(err)
	}
	rows, _ := f.GetRows("辍学学生台账")
	if len(rows) != 3 || rows[2][1] != "临夏县" || rows[2][6] != pii.MaskID(ids[int(c.Name[len(c.Name)-1]-'0')]) || rows[2][11] != "外出务工" {
		t.Errorf("ledger rows %q", rows)
	}
	if _, _, code := runCmd(t, nil, "case", "export", "--db", dbPath, "--out", filepath.Join(dir, "x.csv")); code != 2 {
		t.Errorf("export to .csv: exit %d", code)
	}
	out, errs, code = runCmd(t, nil, "case", "settings", "--db", dbPath, "--json", "verify_days=10", "checkpoints=60,30")
	if code != 0 || !strings.Contains(out, `"verify_days":10`) || !strings.Contains(out, `"checkpoints":[30,60]`) {
		t.Errorf("settings: exit %d %q %s", code, out, errs)
	}
	if _, errs, code := runCmd(t, nil, "case", "settings", "--db", dbPath, "verify_days=-3"); code != 1 || !strings.Contains(errs, "1–730") {
		t.Errorf("bad setting: exit %d %s", code, errs)
	}
	if _, _, code := runCmd(t, nil, "case", "settings", "--db", dbPath, "colour=blue"); code != 2 {
		t.Errorf("unknown setting: exit %d", code)
	}
	if _, _, code := runCmd(t, nil, "case", "nonsense"); code != 2 {
		t.Errorf("unknown subcommand: exit %d", code)
	}
}
