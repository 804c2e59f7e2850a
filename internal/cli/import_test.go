package cli

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestImportCommand(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "county.db")
	csv := filepath.Join(dir, "户籍.csv")
	data := "2024年户籍人口\n\n姓名,公民身份号码,出生日期,家庭人口数\n" +
		"张三,620102201403051238,2014-03-05,4\n" +
		"李四,6.22921201403051E+17,2012-01-01,3\n"
	if err := os.WriteFile(csv, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
	out, errs, code := runCmd(t, nil, "import", "--db", db, "--kind", "registry", csv, "--as-of", "2024-09-01", "--json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	var sum map[string]any
	if err := json.Unmarshal([]byte(out), &sum); err != nil {
		t.Fatalf("%v: %q", err, out)
	}
	for k, want := range map[string]float64{"rows": 2, "accepted": 1, "rejected": 1, "stored": 2, "header_row": 3} {
		if sum[k] != want {
			t.Errorf("%s = %v, want %v (%s)", k, sum[k], want, out)
		}
	}
	if codes, _ := sum["errors_by_code"].(map[string]any); codes["ID_PRECISION_LOST"] != float64(1) {
		t.Errorf("errors_by_code %v", sum["errors_by_code"])
	}
	if _, err := os.Stat(csv + ".errors.xlsx"); err != nil {
		t.Errorf("no error report: %v", err)
	}

	// Again: a no-op with a message, exit 0.
	out, errs, code = runCmd(t, nil, "import", "--db", db, "--kind", "registry", csv)
	if code != 0 || !strings.Contains(out, "已于") || !strings.Contains(out, "未重复导入") {
		t.Errorf("second import: exit %d, %q %q", code, out, errs)
	}

	// Text output names the unknown column and the report.
	other := filepath.Join(dir, "b.csv")
	os.WriteFile(other, []byte(strings.Replace(data, "张三", "王五", 1)), 0o644)
	out, _, code = runCmd(t, nil, "import", "--db", db, "--kind", "registry", "--as-of", "2024-09-01", other)
	if code != 0 || !strings.Contains(out, "通过 1 行，有错误 1 行") || !strings.Contains(out, "家庭人口数") || !strings.Contains(out, "b.csv.errors.xlsx") {
		t.Errorf("text output: %q", out)
	}

	// --map names a column the detection does not know.
	mapped := filepath.Join(dir, "c.csv")
	os.WriteFile(mapped, []byte("姓名,证照号\n张三,620102201403051238\n"), 0o644)
	out, errs, code = runCmd(t, nil, "import", "--db", db, "--kind", "registry", "--map", "证照号=id_number", "--json", mapped)
	if code != 0 || !strings.Contains(out, `"accepted":1`) {
		t.Errorf("--map: exit %d %q %q", code, out, errs)
	}

	// Usage errors exit 2; a file that cannot be read exits 1 with the reason on one line.
	if _, _, code := runCmd(t, nil, "import", "--db", db, "--kind", "people", csv); code != 2 {
		t.Errorf("bad kind: exit %d", code)
	}
	if _, _, code := runCmd(t, nil, "import", "--db", db, "--kind", "registry"); code != 2 {
		t.Errorf("no file: exit %d", code)
	}
	xls := filepath.Join(dir, "old.xls")
	os.WriteFile(xls, append([]byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1}, make([]byte, 1024)...), 0o644)
	_, errs, code = runCmd(t, nil, "import", "--db", db, "--kind", "registry", xls)
	if code != 1 || !strings.Contains(errs, "另存为") || strings.Count(strings.TrimSpace(errs), "\n") != 0 {
		t.Errorf(".xls: exit %d, %q", code, errs)
	}
}

// TestImportDryRun: --dry-run counts and reports exactly as an import would, without a database.
func TestImportDryRun(t *testing.T) {
	dir := t.TempDir()
	csv := filepath.Join(dir, "户籍.csv")
	data := "姓名,公民身份号码,出生日期\n张三,620102201403051238,2014-03-05\n李四,6.22921201403051E+17,2012-01-01\n"
	if err := os.WriteFile(csv, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
	out, errs, code := runCmd(t, nil, "import", "--dry-run", "--kind", "registry", "--as-of", "2024-09-01", csv)
	if code != 0 || !strings.Contains(out, "已检查") || !strings.Contains(out, "通过 1 行，有错误 1 行") || !strings.Contains(out, "ID_PRECISION_LOST 1") {
		t.Fatalf("exit %d: %q %q", code, out, errs)
	}
	if _, err := os.Stat(csv + ".errors.xlsx"); err != nil {
		t.Errorf("no error report: %v", err)
	}
	db := filepath.Join(dir, "county.db")
	check, _, _ := runCmd(t, nil, "import", "--dry-run", "--json", "--db", db, "--kind", "registry", "--as-of", "2024-09-01", "--report", "-", csv)
	imp, _, _ := runCmd(t, nil, "import", "--json", "--db", db, "--kind", "registry", "--as-of", "2024-09-01", "--report", "-", csv)
	var c, i map[string]any
	json.Unmarshal([]byte(check), &c)
	json.Unmarshal([]byte(imp), &i)
	for _, k := range []string{"rows", "accepted", "rejected", "warnings", "stored"} {
		if c[k] != i[k] || c[k] == nil {
			t.Errorf("%s: dry run %v, import %v", k, c[k], i[k])
		}
	}
	if c["dataset_id"] != float64(0) || i["dataset_id"] != float64(1) {
		t.Errorf("dataset ids: %v %v", c["dataset_id"], i["dataset_id"])
	}
}
