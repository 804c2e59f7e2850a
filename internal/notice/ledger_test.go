package notice

import (
	"bytes"
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/baoxue/baoxue"
	"github.com/baoxue/baoxue/internal/auth"
	"github.com/baoxue/baoxue/internal/casework"
	"github.com/baoxue/baoxue/internal/store"
	"github.com/baoxue/baoxue/internal/store/storetest"
	"github.com/xuri/excelize/v2"
)

// The ledger has exactly the columns, one text row per child, and formula-like text
// stays text.
func TestWriteDropoutLedger(t *testing.T) {
	lines := []DropoutLine{
		{County: "临夏县", Township: "韩集镇", Village: "阳洼山村", Name: "马小花", Sex: "女", IDMasked: "622***********1234",
			Birth: "2011-03-05", School: "韩集初级中学", Grade: "初一年级", DropoutDate: "2025-03-03", Reasons: "外出务工",
			Poor: "是", Cadre: "马干部", Visits: 3, Persuasion: "拒绝复学", State: "劝返中"},
		{Name: "=HYPERLINK(\"http://x\",\"点我\")", Sex: "男", School: "+1-2", Cadre: "@cadre", Visits: 0, State: "确认辍学·建档"},
	}
	var buf bytes.Buffer
	i := 0
	n, err := WriteDropoutLedger(&buf, "临夏县辍学学生台账", func(l *DropoutLine) (bool, error) {
		if i == len(lines) {
			return false, nil
		}
		*l = lines[i]
		i++
		return true, nil
	})
	if err != nil || n != 2 {
		t.Fatalf("wrote %d: %v", n, err)
	}
	f, err := excelize.OpenReader(&buf)
	if err != nil {
		t.Fatal(err)
	}
	rows, err := f.GetRows("辍学学生台账")
	if err != nil {
		t.Fatal(err)
	}
	if rows[0][0] != "临夏县辍学学生台账" || !slices.Equal(rows[1], DropoutColumns) {
		t.Fatalf("title %q, header %q", rows[0], rows[1])
	}
	want := []string{"1", "临夏县", "韩集镇", "阳洼山村", "马小花", "女", "622***********1234", "2011-03-05", "韩集初级中学",
		"初一年级", "2025-03-03", "外出务工", "是", "马干部", "3", "拒绝复学", "", "", "劝返中"}
	if !slices.Equal(rows[2], want) {
		t.Errorf("row 1 = %q", rows[2])
	}
	for _, cell := range []string{"E4", "I4", "N4"} {
		v, _ := f.GetCellValue("辍学学生台账", cell)
		if typ, _ := f.GetCellType("辍学学生台账", cell); typ == excelize.CellTypeFormula {
			t.Errorf("%s is a formula", cell)
		}
		if formula, _ := f.GetCellFormula("辍学学生台账", cell); formula != "" {
			t.Errorf("%s has formula %q", cell, formula)
		}
		id, _ := f.GetCellStyle("辍学学生台账", cell)
		if xf := f.Styles.CellXfs.Xf[id]; xf.QuotePrefix == nil || !*xf.QuotePrefix {
			t.Errorf("%s (%q) is not quote-prefixed", cell, v)
		}
	}
	if v, _ := f.GetCellValue("辍学学生台账", "E4"); !strings.HasPrefix(v, "=HYPERLINK") {
		t.Errorf("value changed: %q", v)
	}
}

// Export from the store: only cases ever confirmed, IDs masked, within the user's scope.
func TestExportDropouts(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		sc, _ := auth.ParseScope("622921")
		officer := &store.Account{User: auth.User{Username: "county.office", Role: auth.RoleOfficer, Scope: sc, PasswordHash: "x"}}
		if err := db.CreateUser(ctx, officer); err != nil {
			t.Fatal(err)
		}
		by := store.CaseActor{User: officer.User, Now: time.Date(2025, 3, 10, 9, 0, 0, 0, time.UTC)}
		for i, id := range []string{"622921201103051234", "622921201103061236"} {
			c, err := db.CreateCase(ctx, by, store.NewCase{IDNumber: id, Name: "学生" + id[17:], Sex: baoxue.Male,
				RegionCode: "622921100201", Poverty: i == 0})
			if err != nil {
				t.Fatal(err)
			}
			if i == 1 {
				continue // stays a suspect: not on the dropout ledger
			}
			c, err = db.TransitionCase(ctx, by, c.ID, c.Version, baoxue.CaseVerifying, casework.Input{Verifier: "county.office"})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := db.TransitionCase(ctx, by, c.ID, c.Version, baoxue.CaseConfirmed, casework.Input{
				DropoutDate: baoxue.MakeDate(2025, 3, 1), Reasons: []string{"poverty", "distance"}, Note: "核实"}); err != nil {
				t.Fatal(err)
			}
		}
		var buf bytes.Buffer
		names := map[string]string{"622921": "临夏县", "622921100": "韩集镇", "622921100201": "阳洼山村"}
		n, err := ExportDropouts(ctx, db, officer.User, "622921", "临夏县辍学学生台账", func(c string) string { return names[c] }, &buf)
		if err != nil || n != 1 {
			t.Fatalf("exported %d: %v", n, err)
		}
		f, err := excelize.OpenReader(&buf)
		if err != nil {
			t.Fatal(err)
		}
		rows, _ := f.GetRows("辍学学生台账")
		row := rows[2]
		if row[1] != "临夏县" || row[3] != "阳洼山村" || row[6] != "622***********1234" || row[11] != "家庭经济困难、上学远/上学难" ||
			row[12] != "是" || row[14] != "0" || row[15] != "尚未走访" || row[18] != "确认辍学·建档" {
			t.Errorf("row %q", row)
		}
		for _, r := range rows {
			for _, v := range r {
				if strings.Contains(v, "622921201103051234") || strings.Contains(v, "20110305") {
					t.Errorf("full ID or birth digits in cell %q", v)
				}
			}
		}
		other, _ := auth.ParseScope("622922")
		if _, err := ExportDropouts(ctx, db, auth.User{Username: "x", Role: auth.RoleOfficer, Scope: other}, "622921", "", func(string) string { return "" }, &bytes.Buffer{}); err == nil {
			t.Error("another county exported this county's ledger")
		}
	})
}
