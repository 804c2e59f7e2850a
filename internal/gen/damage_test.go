package gen

import (
	"bytes"
	"math/rand/v2"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"

	"github.com/baoxue/baoxue/internal/idcard"
)

// idCodeFor is what the ID validator must say about an ID cell with this damage: the structural
// kinds make it unusable, the formatting kinds are normalised away.
func idCodeFor(kind string) idcard.Code {
	switch kind {
	case "id_typo", "id_swap", "id_excel_000": // …000 is text in a CSV: the checksum fails
		return idcard.ErrChecksum
	case "id_excel_sci":
		return idcard.ErrPrecisionLost
	case "id_missing":
		return idcard.ErrEmpty
	}
	return idcard.OK
}

// alsoAccepted: a typo or swap may hit the birth date or the address code, which the validator
// reports first; …000 may be called precision loss outright.
func alsoAccepted(kind string, code idcard.Code) bool {
	switch kind {
	case "id_typo", "id_swap":
		return code == idcard.ErrBirthdate || code == idcard.ErrRegion
	case "id_excel_000":
		return code == idcard.ErrPrecisionLost
	}
	return false
}

// damageOf returns the kinds truth lists for one file.
func damageOf(truthDamage, file string) []string {
	var out []string
	for _, d := range strings.Split(truthDamage, ";") {
		if f, k, ok := strings.Cut(d, "."); ok && f == file {
			out = append(out, k)
		}
	}
	return out
}

func hasPrefixKind(kinds []string, prefix string) string {
	for _, k := range kinds {
		if strings.HasPrefix(k, prefix) {
			return k
		}
	}
	return ""
}

// TestDamageRecordedIsApplied checks, child by child, that a cell differs from the truth exactly
// when truth.csv lists damage for it, and that the validator reads each ID damage as it should.
func TestDamageRecordedIsApplied(t *testing.T) {
	for _, tc := range []struct {
		profile string
		rows    int
	}{{ProfileRealistic, 60000}, {ProfileHard, 15000}} {
		t.Run(tc.profile, func(t *testing.T) {
			dir, sum := generate(t, Options{Rows: tc.rows, Seed: 11, Profile: tc.profile})
			tabs := readAll(t, dir, sum.Encoding == "gbk")
			reg, truth := tabs["registry"], tabs["truth"]
			st := styles(Options{Profile: tc.profile, AsOf: DefaultAsOfValue, Encoding: sum.Encoding}, "")
			v := idcard.NewValidator(testTree(t).Address(), DefaultAsOfValue)
			byStuNo := map[string]map[string][]string{}
			for _, f := range []string{"enrollment", "national"} {
				byStuNo[f] = map[string][]string{}
				for _, row := range tabs[f].rows {
					byStuNo[f][tabs[f].get(row, colStuNo...)] = row
				}
			}
			kinds := map[string]int{}
			checkID := func(where, cell, trueID string, dmg []string) {
				t.Helper()
				k := hasPrefixKind(dmg, "id_")
				num, code := v.Check(cell)
				if want := idCodeFor(k); code != want && !alsoAccepted(k, code) {
					t.Errorf("%s: ID cell %q with damage %q: validator says %v, want %v", where, cell, k, code, want)
				}
				if k == "" && cell != trueID {
					t.Errorf("%s: ID cell %q differs from %s but no damage is listed", where, cell, trueID)
				}
				if k != "" && code == idcard.OK && num.String() != trueID {
					t.Errorf("%s: ID cell %q (%s) normalises to %s, not %s", where, cell, k, num, trueID)
				}
				if k != "" && cell == trueID {
					t.Errorf("%s: damage %s listed but the cell is the true ID", where, k)
				}
			}
			for i, row := range truth.rows {
				all := truth.get(row, "damage")
				for _, d := range strings.Split(all, ";") {
					if d != "" {
						kinds[d]++
					}
				}
				id, name := truth.get(row, "id_number"), truth.get(row, "name")
				where := "truth row " + strconv.Itoa(i+1)
				if rr, _ := strconv.Atoi(truth.get(row, "registry_row")); rr > 0 {
					r := reg.rows[rr-1]
					dmg := damageOf(all, "registry")
					checkID(where+" registry", reg.get(r, colRegID...), id, dmg)
					if (reg.get(r, colName...) != name) != (hasPrefixKind(dmg, "name_") != "") {
						t.Errorf("%s: registry name %q vs %q, damage %v", where, reg.get(r, colName...), name, dmg)
					}
					want := string(appendDate(nil, dayOfISO(truth.get(row, "birth_date")), st[outRegistry].dateFmt))
					if (reg.get(r, "出生日期") != want) != (hasPrefixKind(dmg, "date_format") != "") {
						t.Errorf("%s: registry date %q vs %q, damage %v", where, reg.get(r, "出生日期"), want, dmg)
					}
				}
				file := truth.get(row, "enrollment_file")
				if file == "" {
					continue
				}
				r, ok := byStuNo[file][truth.get(row, "student_no")]
				if !ok {
					t.Errorf("%s: student %s not in %s", where, truth.get(row, "student_no"), file)
					continue
				}
				dmg := damageOf(all, file)
				checkID(where+" "+file, tabs[file].get(r, colEnrID...), id, dmg)
				if got := tabs[file].get(r, colName...); (got != name) != (hasPrefixKind(dmg, "name_") != "") {
					t.Errorf("%s: %s name %q vs %q, damage %v", where, file, got, name, dmg)
				}
			}
			// Every kind of damage the profile has occurs, and hard has more of it per row.
			seen := map[string]bool{}
			for d := range kinds {
				_, k, _ := strings.Cut(d, ".")
				seen[k] = true
			}
			for _, k := range DamageKinds() {
				if !seen[k] {
					t.Errorf("no child has damage %s", k)
				}
			}
			t.Logf("%s: damage on children: %v", tc.profile, kinds)
		})
	}
}

// TestFileDamage counts damage over all rows of the files, the way an importer meets it.
func TestFileDamage(t *testing.T) {
	perRow := map[string]float64{}
	for _, tc := range []struct {
		profile string
		rows    int
	}{{ProfileRealistic, 40000}, {ProfileHard, 15000}} {
		dir, sum := generate(t, Options{Rows: tc.rows, Seed: 4, Profile: tc.profile})
		gbk := sum.Encoding == "gbk"
		if gbk != (tc.profile == ProfileHard) {
			t.Errorf("%s: encoding %s", tc.profile, sum.Encoding)
		}
		tabs := readAll(t, dir, gbk)
		reg := tabs["registry"]
		count := map[string]int{}
		for _, row := range reg.rows {
			id := reg.get(row, colRegID...)
			switch {
			case strings.Contains(id, "E+"):
				count["sci"]++
			case strings.HasSuffix(id, "000") && len(id) == 18 && idcard.CheckDigit([]byte(id[:17])) != id[17]:
				count["000"]++
			case strings.ContainsRune(id, '６') || strings.ContainsRune(id, '２'):
				count["fullwidth"]++
			case strings.HasSuffix(id, "x"):
				count["lower_x"]++
			case strings.HasPrefix(id, "'"):
				count["apostrophe"]++
			case strings.TrimSpace(strings.Trim(id, "\u3000")) != id:
				count["space"]++
			case len(id) == 18 && idcard.CheckDigit([]byte(id[:17])) != id[17]:
				count["typo"]++
			}
		}
		for _, k := range []string{"sci", "000", "fullwidth", "lower_x", "apostrophe", "space", "typo"} {
			if count[k] == 0 {
				t.Errorf("%s: no registry ID with %s damage (%v)", tc.profile, k, count)
			}
		}
		total := 0
		for _, c := range count {
			total += c
		}
		perRow[tc.profile] = float64(total) / float64(len(reg.rows))

		enr := tabs["enrollment"]
		formats := map[int]int{}
		sexes, flags := map[string]int{}, map[string]int{}
		empty, temp := 0, 0
		for _, row := range enr.rows {
			formats[dateFormatOf(enr.get(row, "出生日期"))]++
			sexes[enr.get(row, "性别")]++
			flags[enr.get(row, "是否送教上门")]++
			if enr.get(row, colEnrID...) == "" {
				empty++
			}
			if s := enr.get(row, colStuNo...); s[0] == 'L' || s[0] == 'J' {
				temp++
			}
		}
		if len(formats) != numDateFormats || formats[-1] != 0 {
			t.Errorf("%s: enrollment date formats %v, want all four", tc.profile, formats)
		}
		if sexes["男"] == 0 || sexes["1"] == 0 || flags["否"] == 0 || flags["0"] == 0 {
			t.Errorf("%s: sex codings %v, 送教上门 codings %v: want both codings of each", tc.profile, sexes, flags)
		}
		if empty == 0 || empty != temp {
			t.Errorf("%s: %d enrollment rows without ID, %d temporary student numbers", tc.profile, empty, temp)
		}
		seps := 0
		for _, f := range []string{"registry", "enrollment", "poverty", "national", "disability"} {
			for _, row := range tabs[f].rows {
				n := tabs[f].get(row, colName...)
				if strings.ContainsAny(n, "•・．.?") {
					seps++
				}
			}
		}
		if seps == 0 {
			t.Errorf("%s: no name with another separator than ·", tc.profile)
		}
		if len(reg.pre) == 0 {
			t.Errorf("%s: registry has no title row above the header", tc.profile)
		}
		if !bytes.Contains(reg.raw, []byte("\r\n")) {
			t.Errorf("%s: registry lines do not end in CRLF", tc.profile)
		}
		if tc.profile == ProfileHard {
			if reg.header[0] != "序号" || reg.rows[len(reg.rows)-1][0] != strconv.Itoa(len(reg.rows)) {
				t.Errorf("hard: registry 序号 column %q … %q", reg.header[0], reg.rows[len(reg.rows)-1][0])
			}
			if !bytes.HasSuffix(reg.raw, []byte("\r\n\r\n\r\n")) {
				t.Error("hard: no blank rows after the data")
			}
		} else if !bytes.HasPrefix(readFile(t, dir, "registry.csv"), []byte("\uFEFF")) {
			t.Error("realistic: registry has no BOM")
		}
	}
	if r := perRow[ProfileHard] / perRow[ProfileRealistic]; r < 2.5 || r > 6 {
		t.Errorf("hard has %.1f× the damaged registry IDs of realistic per row, want about 4×", r)
	}
}

func dateFormatOf(s string) int {
	switch {
	case strings.Contains(s, "年"):
		return fmtChinese
	case strings.Contains(s, "/"):
		return fmtSlash
	case strings.Contains(s, "-"):
		return fmtISO
	case len(s) == 8:
		return fmtCompact
	}
	return -1
}

func TestGBKDecodes(t *testing.T) {
	dir, _ := generate(t, Options{Rows: 5000, Seed: 9, Profile: ProfileRealistic, Encoding: "gbk"})
	tabs := readAll(t, dir, true)
	for name, tb := range tabs {
		if bytes.ContainsRune(tb.raw, utf8.RuneError) {
			t.Errorf("%s: GBK decoding produced U+FFFD", name)
		}
		if bytes.HasPrefix(tb.raw, []byte("\uFEFF")) {
			t.Errorf("%s: a GBK file has a UTF-8 BOM", name)
		}
	}
	if reg := tabs["registry"]; !strings.HasPrefix(reg.get(reg.rows[0], "户籍地址"), "甘肃省临夏回族自治州临夏县") {
		t.Errorf("decoded address %q", reg.get(reg.rows[0], "户籍地址"))
	}
}

func TestXLSX(t *testing.T) {
	a, _ := generate(t, Options{Rows: 800, Seed: 5, Profile: ProfileHard, Format: "xlsx"})
	b, _ := generate(t, Options{Rows: 800, Seed: 5, Profile: ProfileHard, Format: "xlsx"})
	for f := range numOutFiles {
		name := outName(f) + ".xlsx"
		if f == outTruth {
			name = "truth.csv"
		}
		if !bytes.Equal(readFile(t, a, name), readFile(t, b, name)) {
			t.Errorf("%s differs between two runs", name)
		}
	}
	x, err := excelize.OpenFile(filepath.Join(a, "registry.xlsx"))
	if err != nil {
		t.Fatal(err)
	}
	defer x.Close()
	rows, err := x.GetRows("户籍人口")
	if err != nil {
		t.Fatal(err)
	}
	header := -1
	for i, r := range rows {
		if len(r) > 1 && r[1] == "人员姓名" {
			header = i
			break
		}
	}
	if header < 2 {
		t.Fatalf("registry.xlsx: header at row %d, want below the title rows", header+1)
	}
	data := 0
	for _, r := range rows[header+1:] {
		if len(r) > 0 {
			data++
		}
	}
	if data != 800 {
		t.Errorf("registry.xlsx has %d data rows, want 800", data)
	}
	numeric := 0
	for i := header + 2; i <= len(rows) && numeric == 0; i++ {
		cell, _ := excelize.CoordinatesToCellName(3, i)
		typ, _ := x.GetCellType("户籍人口", cell)
		val, _ := x.GetCellValue("户籍人口", cell)
		if typ == excelize.CellTypeUnset && val != "" { // numbers carry no type attribute
			numeric++
		}
	}
	if numeric == 0 {
		t.Error("registry.xlsx: no ID stored as a number (Excel damage)")
	}
}

func TestExcelSci(t *testing.T) {
	for _, tc := range []struct {
		id    string
		short bool
		want  string
	}{
		{"622921201403051234", false, "6.22921201403051E+17"},
		{"622921201403051234", true, "6.22921E+17"},
		{"622921501403051234", true, "6.22922E+17"},
		{"622920000000001234", true, "6.2292E+17"},
		{"999999999999999999", false, "1E+18"},
		{"110105194912310021", false, "1.1010519491231E+17"},
	} {
		var id [18]byte
		copy(id[:], tc.id)
		if got := string(appendExcelSci(nil, &id, tc.short)); got != tc.want {
			t.Errorf("appendExcelSci(%s, %v) = %s, want %s", tc.id, tc.short, got, tc.want)
		}
	}
}

// FuzzIDDamage: whatever the ID, typos and swaps break its checksum (so no damaged ID is someone
// else's valid ID), Excel damage is recognisable, formatting damage normalises back.
func FuzzIDDamage(f *testing.F) {
	f.Add(uint64(62292120140305123), uint64(1))
	f.Add(uint64(11010519491231002), uint64(2))
	f.Add(uint64(62292119990101000), uint64(3))
	f.Add(uint64(62292119990100964), uint64(4)) // day 00: not an ID the generator could issue
	v := idcard.NewValidator(nil, 0)
	f.Fuzz(func(t *testing.T, body, seed uint64) {
		var id [18]byte
		s := strconv.FormatUint(body%1e17, 10)
		s = strings.Repeat("0", 17-len(s)) + s
		copy(id[:], s)
		id[17] = idcard.CheckDigit(id[:17])
		if _, code := v.Check(string(id[:])); code != idcard.OK {
			return // the generator only damages valid IDs (e.g. no birth date 1999-01-00)
		}
		r := rand.New(rand.NewPCG(seed, 0))
		for k := dIDTypo; k <= dIDLowerX; k++ {
			endsX := id[17] == 'X'
			switch {
			case k == dIDLowerX && !endsX, (k == dIDExcelSci || k == dIDExcel000) && endsX:
				continue // pickIDDamage never chooses these
			}
			cell := string(appendDamagedID(nil, r, &id, k))
			num, _ := v.Check(cell)
			switch k {
			case dIDTypo, dIDSwap:
				if len(cell) != 18 || cell == string(id[:]) || idcard.CheckDigit([]byte(cell[:17])) == cell[17] {
					t.Errorf("%s of %s = %s still passes the check", k, id, cell)
				}
			case dIDExcelSci:
				x, err := strconv.ParseFloat(cell, 64)
				if err != nil || x < 1e16 {
					t.Errorf("%s of %s = %s", k, id, cell)
				}
			case dIDMissing:
				if cell != "" {
					t.Errorf("missing ID = %q", cell)
				}
			case dIDExcel000:
				if cell[:15] != string(id[:15]) || cell[15:] != "000" {
					t.Errorf("%s of %s = %s", k, id, cell)
				}
			default:
				if num.String() != string(id[:]) {
					t.Errorf("%s of %s = %q normalises to %s", k, id, cell, num)
				}
			}
		}
	})
}

func TestCivilDates(t *testing.T) {
	for d := time.Date(1890, 1, 1, 0, 0, 0, 0, time.UTC); d.Year() < 2110; d = d.AddDate(0, 0, 13) {
		z := int32(d.Unix() / 86400)
		if got := dayOf(d.Year(), int(d.Month()), d.Day()); got != z {
			t.Fatalf("dayOf(%s) = %d, want %d", d.Format(time.DateOnly), got, z)
		}
		y, m, dd := civil(z)
		if y != d.Year() || m != int(d.Month()) || dd != d.Day() {
			t.Fatalf("civil(%d) = %d-%d-%d, want %s", z, y, m, dd, d.Format(time.DateOnly))
		}
	}
	for _, tc := range []struct {
		format int
		want   string
	}{{fmtISO, "2014-03-05"}, {fmtCompact, "20140305"}, {fmtSlash, "2014/3/5"}, {fmtChinese, "2014年3月5日"}} {
		if got := string(appendDate(nil, dayOf(2014, 3, 5), tc.format)); got != tc.want {
			t.Errorf("format %d: %s, want %s", tc.format, got, tc.want)
		}
	}
	if a := ageOn(dayOf(2010, 9, 1), dayOf(2026, 8, 31)); a != 15 {
		t.Errorf("age %d", a)
	}
}

// BenchmarkGenerateCounty20k is the quick county other packages' tests use.
func BenchmarkGenerateCounty20k(b *testing.B) {
	tree := testTree(b)
	dir := b.TempDir()
	for b.Loop() {
		if _, err := Generate(b.Context(), Options{Rows: 20000, Seed: 1, Profile: ProfileRealistic, Out: dir}, tree, nil); err != nil {
			b.Fatal(err)
		}
	}
}
