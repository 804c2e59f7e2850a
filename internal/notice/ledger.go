package notice

import (
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/baoxue/baoxue"
	"github.com/baoxue/baoxue/internal/auth"
	"github.com/baoxue/baoxue/internal/casework"
	"github.com/baoxue/baoxue/internal/pii"
	"github.com/baoxue/baoxue/internal/store"
	"github.com/xuri/excelize/v2"
)

// DropoutColumns are the columns of the 辍学学生台账 (issue 6 item 11), in order.
var DropoutColumns = []string{"序号", "县区", "乡镇", "村", "姓名", "性别", "身份证号", "出生日期", "学校", "年级",
	"辍学时间", "辍学原因", "是否脱贫户/监测户", "包抓责任人", "劝返次数", "劝返情况", "复学时间", "安置方式", "当前状态"}

// DropoutLine is one child of the dropout ledger, every value already as printed (the ID masked).
type DropoutLine struct {
	County, Township, Village string
	Name, Sex, IDMasked       string
	Birth, School, Grade      string
	DropoutDate, Reasons      string
	Poor, Cadre               string
	Visits                    int
	Persuasion, ReturnDate    string
	Placement, State          string
}

func (l *DropoutLine) values() []string {
	return []string{l.County, l.Township, l.Village, l.Name, l.Sex, l.IDMasked, l.Birth, l.School, l.Grade,
		l.DropoutDate, l.Reasons, l.Poor, l.Cadre, "", l.Persuasion, l.ReturnDate, l.Placement, l.State}
}

// formulaLike reports text a spreadsheet could take for a formula (=, +, -, @, tab, CR): such
// cells get Excel's quote prefix, so they stay text even when edited or re-saved as CSV.
func formulaLike(s string) bool {
	return s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0]))
}

// WriteDropoutLedger writes the dropout ledger as an .xlsx workbook: a title row, the header of
// DropoutColumns and one row per line from next (which returns false at the end). Every value is
// a text cell; formula-like text is quote-prefixed.
func WriteDropoutLedger(w io.Writer, title string, next func(*DropoutLine) (bool, error)) (rows int, err error) {
	f := excelize.NewFile()
	defer f.Close()
	const sheet = "辍学学生台账"
	if err := f.SetSheetName("Sheet1", sheet); err != nil {
		return 0, err
	}
	text, err := f.NewStyle(&excelize.Style{NumFmt: 49, Border: borders()})
	if err != nil {
		return 0, err
	}
	xfs := f.Styles.CellXfs
	quoted := xfs.Xf[text]
	yes := true
	quoted.QuotePrefix = &yes
	xfs.Xf = append(xfs.Xf, quoted)
	xfs.Count = len(xfs.Xf)
	textQ := len(xfs.Xf) - 1
	head, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}, Border: borders(),
		Fill:      excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"DDEBF7"}},
		Alignment: &excelize.Alignment{Horizontal: "center", Vertical: "center", WrapText: true}})
	if err != nil {
		return 0, err
	}
	titleStyle, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true, Size: 16},
		Alignment: &excelize.Alignment{Horizontal: "center"}})
	if err != nil {
		return 0, err
	}
	sw, err := f.NewStreamWriter(sheet)
	if err != nil {
		return 0, err
	}
	widths := []float64{6, 10, 12, 14, 10, 6, 22, 12, 22, 8, 12, 24, 10, 12, 8, 28, 12, 16, 12}
	for i, wd := range widths {
		if err := sw.SetColWidth(i+1, i+1, wd); err != nil {
			return 0, err
		}
	}
	last, _ := excelize.CoordinatesToCellName(len(DropoutColumns), 1)
	if err := sw.MergeCell("A1", last); err != nil {
		return 0, err
	}
	if err := sw.SetRow("A1", []any{excelize.Cell{StyleID: titleStyle, Value: title}}); err != nil {
		return 0, err
	}
	header := make([]any, len(DropoutColumns))
	for i, c := range DropoutColumns {
		header[i] = excelize.Cell{StyleID: head, Value: c}
	}
	if err := sw.SetRow("A2", header); err != nil {
		return 0, err
	}
	var line DropoutLine
	for {
		line = DropoutLine{}
		ok, err := next(&line)
		if err != nil {
			return rows, err
		}
		if !ok {
			break
		}
		rows++
		cells := make([]any, 0, len(DropoutColumns))
		cells = append(cells, excelize.Cell{StyleID: text, Value: fmt.Sprint(rows)})
		for i, v := range line.values() {
			if i == 13 {
				v = fmt.Sprint(line.Visits)
			}
			style := text
			if formulaLike(v) {
				style = textQ
			}
			cells = append(cells, excelize.Cell{StyleID: style, Value: v})
		}
		cell, _ := excelize.CoordinatesToCellName(1, rows+2)
		if err := sw.SetRow(cell, cells); err != nil {
			return rows, err
		}
	}
	if err := sw.Flush(); err != nil {
		return rows, err
	}
	if err := f.SetPanes(sheet, &excelize.Panes{Freeze: true, YSplit: 2, TopLeftCell: "A3", ActivePane: "bottomLeft"}); err != nil {
		return rows, err
	}
	_, err = f.WriteTo(w)
	return rows, err
}

func borders() []excelize.Border {
	var b []excelize.Border
	for _, side := range []string{"left", "right", "top", "bottom"} {
		b = append(b, excelize.Border{Type: side, Color: "999999", Style: 1})
	}
	return b
}

// ExportDropouts writes the dropout ledger of the cases u may see (one county's, or all when
// county is ""), in region order, with IDs masked. name gives a region's name from its code.
// It returns the number of children written.
func ExportDropouts(ctx context.Context, db *store.DB, u auth.User, county, title string, name func(code string) string, w io.Writer) (int, error) {
	rows := make(chan *store.DropoutRow)
	errc := make(chan error, 1)
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	go func() {
		defer close(rows)
		errc <- db.EachDropoutCase(ctx, u, county, func(r *store.DropoutRow) error {
			c := *r
			select {
			case rows <- &c:
				return nil
			case <-ctx.Done():
				return ctx.Err()
			}
		})
	}()
	n, err := WriteDropoutLedger(w, title, func(l *DropoutLine) (bool, error) {
		r, ok := <-rows
		if !ok {
			return false, <-errc
		}
		*l = dropoutLine(r, name)
		return true, nil
	})
	if err != nil {
		cancel()
		for range rows {
		}
	}
	return n, err
}

func dropoutLine(r *store.DropoutRow, name func(string) string) DropoutLine {
	c := &r.Case
	part := func(n int) string {
		if len(c.RegionCode) < n {
			return ""
		}
		return name(c.RegionCode[:n])
	}
	poor := "否"
	if c.Poverty {
		poor = "是"
		if c.PovertyType != "" {
			poor += "（" + c.PovertyType + "）"
		}
	}
	reasons := make([]string, len(c.Reasons))
	for i, x := range c.Reasons {
		reasons[i] = baoxue.Label(baoxue.DropoutReasons, x)
	}
	persuasion := baoxue.Label(casework.VisitResults, r.LastVisit)
	if r.LastVisit == "" {
		persuasion = "尚未走访"
	}
	cadre := r.CadreName
	if cadre == "" {
		cadre = c.Cadre
	}
	grade := ""
	if c.Grade > 0 {
		grade = gradeName(c.Grade)
	}
	ret := c.ReturnDate.String()
	return DropoutLine{County: part(6), Township: part(9), Village: part(12), Name: c.Name, Sex: c.Sex.Label(),
		IDMasked: pii.MaskID(c.IDNumber), Birth: c.BirthDate.String(), School: c.SchoolName, Grade: grade,
		DropoutDate: c.DropoutDate.String(), Reasons: strings.Join(reasons, "、"), Poor: poor, Cadre: cadre,
		Visits: r.Visits, Persuasion: persuasion, ReturnDate: ret, Placement: baoxue.Label(baoxue.Placements, c.Placement),
		State: casework.StateLabel(c.State)}
}
