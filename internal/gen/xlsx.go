package gen

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/xuri/excelize/v2"

	"github.com/baoxue/baoxue/internal/idcard"
)

// convertToXLSX turns the generated CSV files (UTF-8) into one-sheet workbooks with excelize's
// StreamWriter; truth.csv stays CSV. IDs that Excel would have turned into numbers become numeric
// cells, as they are in the files officials send.
func convertToXLSX(csvDir, outDir string, st *[numOutFiles]fileStyle) error {
	for f := range numOutFiles {
		src := filepath.Join(csvDir, outName(f)+".csv")
		if f == outTruth {
			if err := os.Rename(src, filepath.Join(outDir, "truth.csv")); err != nil {
				return fmt.Errorf("移动 truth.csv: %w", err)
			}
			continue
		}
		if err := csvToXLSX(src, filepath.Join(outDir, outName(f)+".xlsx"), sheetName(f)); err != nil {
			return fmt.Errorf("生成 %s.xlsx: %w", outName(f), err)
		}
	}
	return nil
}

func sheetName(f int) string {
	switch f {
	case outRegistry:
		return "户籍人口"
	case outEnrollment:
		return "学籍"
	case outNational:
		return "外省在读"
	case outPoverty:
		return "脱贫人口"
	case outDisability:
		return "残疾人"
	case outSchools:
		return "学校"
	}
	return "村社区"
}

func csvToXLSX(src, dst, sheet string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	x := excelize.NewFile()
	defer x.Close()
	if err := x.SetSheetName("Sheet1", sheet); err != nil {
		return err
	}
	fixed := "2026-01-01T00:00:00Z" // fixed properties keep the workbook byte-identical per seed
	if err := x.SetDocProps(&excelize.DocProperties{Created: fixed, Modified: fixed, Creator: "baoxue gen", LastModifiedBy: "baoxue gen"}); err != nil {
		return err
	}
	sw, err := x.NewStreamWriter(sheet)
	if err != nil {
		return err
	}
	sc := bufio.NewScanner(in)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	row := 0
	var vals []any
	for sc.Scan() {
		line := strings.TrimSuffix(sc.Text(), "\r")
		if row == 0 {
			line = strings.TrimPrefix(line, "\uFEFF")
		}
		row++
		if line == "" {
			continue // a blank row stays blank
		}
		vals = vals[:0]
		for _, fld := range splitCSVLine(line) {
			vals = append(vals, cellValue(fld))
		}
		cell, err := excelize.CoordinatesToCellName(1, row)
		if err != nil {
			return err
		}
		if err := sw.SetRow(cell, vals); err != nil {
			return err
		}
	}
	if err := sc.Err(); err != nil {
		return err
	}
	if err := sw.Flush(); err != nil {
		return err
	}
	out, err := os.Create(dst)
	if err != nil {
		return err
	}
	if _, err := x.WriteTo(out); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}

// splitCSVLine splits one line of the generator's own CSV (no field contains a line break).
func splitCSVLine(line string) []string {
	var out []string
	for {
		if strings.HasPrefix(line, `"`) {
			var b strings.Builder
			i := 1
			for i < len(line) {
				if line[i] == '"' {
					if i+1 < len(line) && line[i+1] == '"' {
						b.WriteByte('"')
						i += 2
						continue
					}
					i++
					break
				}
				b.WriteByte(line[i])
				i++
			}
			out = append(out, b.String())
			line = line[i:]
		} else {
			j := strings.IndexByte(line, ',')
			if j < 0 {
				return append(out, line)
			}
			out = append(out, line[:j])
			line = line[j:]
		}
		if line == "" {
			return out
		}
		line = line[1:] // the comma
	}
}

// cellValue keeps text as text, except an ID Excel already mangled into a number.
func cellValue(s string) any {
	if isExcelNumber(s) {
		if v, err := strconv.ParseFloat(s, 64); err == nil {
			return v
		}
	}
	return s
}

func isExcelNumber(s string) bool {
	if strings.HasSuffix(s, "E+17") || strings.HasSuffix(s, "E+18") {
		return len(s) > 4 && s[0] >= '1' && s[0] <= '9'
	}
	if len(s) == 18 && strings.HasSuffix(s, "000") {
		for i := 0; i < 18; i++ {
			if s[i] < '0' || s[i] > '9' {
				return false
			}
		}
		return idcard.CheckDigit([]byte(s[:17])) != s[17]
	}
	return false
}
