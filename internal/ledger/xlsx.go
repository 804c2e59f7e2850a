package ledger

import (
	"archive/zip"
	"bytes"
	"cmp"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"

	"github.com/baoxue/baoxue"
	"github.com/baoxue/baoxue/internal/compare"
	"github.com/xuri/excelize/v2"
)

// MaxXLSXEntries is the most children an .xlsx ledger holds: a sheet has 1,048,576 rows, less
// the title, header, subtotal and total rows of up to a few thousand townships.
const MaxXLSXEntries = 1_000_000

// sheetSpec is one of the three ledgers of DESIGN §2.
type sheetSpec struct {
	name  string
	title string // after the place name
	keep  func(e *baoxue.LedgerEntry) bool
}

var sheets = []sheetSpec{
	{"适龄儿童台账", "适龄儿童少年台账", func(*baoxue.LedgerEntry) bool { return true }},
	{"疑似失学辍学台账", "疑似失学辍学儿童少年台账", func(e *baoxue.LedgerEntry) bool {
		return e.Status == baoxue.StatusSuspected || e.Status == baoxue.StatusReview
	}},
	{"辍学学生台账", "辍学学生台账", compare.ConfirmedDropout},
}

var xlsxHeader = []string{"序号", "乡镇(街道)", "村(社区)", "姓名", "性别", "出生日期", "公民身份号码", "状态", "学校名称",
	"学籍号", "说明", "比对方式", "脱贫户", "脱贫属性", "残疾情况", "重点群体", "户籍行号"}

var xlsxWidths = []float64{7, 14, 16, 12, 5, 11, 21, 14, 24, 22, 60, 14, 7, 12, 14, 14, 9}

// xlsxWriter keeps the entries until Commit, because the sheets group children by township and
// the registry need not be sorted that way.
type xlsxWriter struct {
	t       *tempFile
	opts    Options
	entries []baoxue.LedgerEntry
	tooMany bool
}

func newXLSX(t *tempFile, opts Options) *xlsxWriter { return &xlsxWriter{t: t, opts: opts} }

func (w *xlsxWriter) Add(e *baoxue.LedgerEntry) error {
	if len(w.entries) >= MaxXLSXEntries {
		w.tooMany = true
		return fmt.Errorf("%s：适龄儿童超过 %d 人，超出 Excel 工作表的行数上限；请改用 .csv 或 .jsonl 输出: %w",
			w.t.final, MaxXLSXEntries, baoxue.ErrInvalid)
	}
	w.entries = append(w.entries, *w.opts.masked(e))
	return nil
}

func (w *xlsxWriter) Abort() { w.t.abort() }

func (w *xlsxWriter) Commit() error {
	if w.tooMany {
		w.t.abort()
		return fmt.Errorf("%s：适龄儿童超过 %d 人，请改用 .csv 或 .jsonl 输出: %w", w.t.final, MaxXLSXEntries, baoxue.ErrInvalid)
	}
	if err := w.write(); err != nil {
		w.t.abort()
		return fmt.Errorf("写入台账文件 %s：%w", w.t.final, err)
	}
	return w.t.commit()
}

// township is the 9-digit township part of a region code, "" when there is none.
func township(code string) string {
	if len(code) >= 9 {
		return code[:9]
	}
	return ""
}

func (w *xlsxWriter) placeName(code string) string {
	if code == "" {
		return ""
	}
	if w.opts.PlaceName != nil {
		if n := w.opts.PlaceName(code); n != "" {
			return n
		}
	}
	return code
}

// title returns the place the ledger covers: the county (or prefecture, province) shared by
// every child.
func (w *xlsxWriter) title() string {
	common, first := "", true
	for _, e := range w.entries {
		c := e.RegionCode
		if len(c) > 6 {
			c = c[:6]
		}
		if c == "" {
			continue
		}
		if first {
			common, first = c, false
			continue
		}
		n := 0
		for n < len(common) && n < len(c) && common[n] == c[n] {
			n++
		}
		common = common[:n]
	}
	switch {
	case len(common) >= 6:
		common = common[:6]
	case len(common) >= 4:
		common = common[:4]
	case len(common) >= 2:
		common = common[:2]
	default:
		return ""
	}
	if w.opts.PlaceName != nil {
		return w.opts.PlaceName(common)
	}
	return ""
}

// styles of the workbook.
type styles struct {
	title, head, text, textQ, wrap, wrapQ, num, sub, subWrap int
}

func newStyles(f *excelize.File) (styles, error) {
	var s styles
	border := []excelize.Border{
		{Type: "left", Color: "808080", Style: 1}, {Type: "right", Color: "808080", Style: 1},
		{Type: "top", Color: "808080", Style: 1}, {Type: "bottom", Color: "808080", Style: 1},
	}
	var err error
	mk := func(st *excelize.Style) int {
		id, e := f.NewStyle(st)
		if err == nil {
			err = e
		}
		return id
	}
	s.title = mk(&excelize.Style{Font: &excelize.Font{Bold: true, Size: 16},
		Alignment: &excelize.Alignment{Horizontal: "center", Vertical: "center"}})
	s.head = mk(&excelize.Style{Border: border, Font: &excelize.Font{Bold: true},
		Fill:      excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"DDEBF7"}},
		Alignment: &excelize.Alignment{Horizontal: "center", Vertical: "center", WrapText: true}})
	s.text = mk(&excelize.Style{NumFmt: 49, Border: border, Alignment: &excelize.Alignment{Vertical: "center"}})
	s.wrap = mk(&excelize.Style{NumFmt: 49, Border: border, Alignment: &excelize.Alignment{Vertical: "center", WrapText: true}})
	s.num = mk(&excelize.Style{Border: border, Alignment: &excelize.Alignment{Horizontal: "center", Vertical: "center"}})
	s.sub = mk(&excelize.Style{NumFmt: 49, Border: border, Font: &excelize.Font{Bold: true},
		Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"F2F2F2"}}, Alignment: &excelize.Alignment{Vertical: "center"}})
	s.subWrap = mk(&excelize.Style{NumFmt: 49, Border: border, Font: &excelize.Font{Bold: true},
		Fill:      excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"F2F2F2"}},
		Alignment: &excelize.Alignment{Vertical: "center", WrapText: true}})
	if err != nil {
		return s, err
	}
	s.textQ = quotePrefixed(f, s.text)
	s.wrapQ = quotePrefixed(f, s.wrap)
	return s, nil
}

// quotePrefixed adds a copy of a cell style with Excel's quotePrefix flag (which excelize's
// Style cannot express) and returns its id.
func quotePrefixed(f *excelize.File, id int) int {
	xfs := f.Styles.CellXfs
	xf := xfs.Xf[id]
	yes := true
	xf.QuotePrefix = &yes
	xfs.Xf = append(xfs.Xf, xf)
	xfs.Count = len(xfs.Xf)
	return len(xfs.Xf) - 1
}

func (s *styles) cell(v string, wrap bool) excelize.Cell {
	style := s.text
	switch {
	case wrap && needsQuote(v):
		style = s.wrapQ
	case wrap:
		style = s.wrap
	case needsQuote(v):
		style = s.textQ
	}
	return excelize.Cell{StyleID: style, Value: v}
}

// chineseDate writes 2026年9月1日.
func chineseDate(d baoxue.Date) string {
	if d == 0 {
		return ""
	}
	return fmt.Sprintf("%d年%d月%d日", d.Year(), int(d.Month()), d.Day())
}

func (w *xlsxWriter) write() error {
	// Township order, registry order within a township (a stable sort keeps it).
	order := make([]int32, len(w.entries))
	for i := range order {
		order[i] = int32(i)
	}
	slices.SortStableFunc(order, func(a, b int32) int {
		ta, tb := township(w.entries[a].RegionCode), township(w.entries[b].RegionCode)
		switch {
		case ta == tb:
			return 0
		case ta == "":
			return 1 // unknown township last
		case tb == "":
			return -1
		}
		return cmp.Compare(ta, tb)
	})

	f := excelize.NewFile()
	defer f.Close()
	st, err := newStyles(f)
	if err != nil {
		return err
	}
	place := w.title()
	for i, spec := range sheets {
		if i == 0 {
			if err := f.SetSheetName("Sheet1", spec.name); err != nil {
				return err
			}
		} else if _, err := f.NewSheet(spec.name); err != nil {
			return err
		}
		title := place + spec.title
		if w.opts.AsOf != 0 {
			title += "（截至" + chineseDate(w.opts.AsOf) + "）"
		}
		if err := w.writeSheet(f, &st, spec, title, order); err != nil {
			return err
		}
	}
	f.SetActiveSheet(0)
	var buf bytes.Buffer
	if _, err := f.WriteTo(&buf); err != nil {
		return err
	}
	return canonicalZip(w.t, buf.Bytes())
}

// canonicalZip copies a zip archive with its entries in a fixed order. excelize writes the
// worksheets in the order of a map, so the same workbook could otherwise come out with its parts
// shuffled; the entries are copied compressed, not recompressed.
func canonicalZip(dst io.Writer, data []byte) error {
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return err
	}
	files := slices.Clone(zr.File)
	rank := func(name string) int {
		switch name {
		case "[Content_Types].xml":
			return 0
		case "_rels/.rels":
			return 1
		}
		return 2
	}
	slices.SortFunc(files, func(a, b *zip.File) int {
		return cmp.Or(cmp.Compare(rank(a.Name), rank(b.Name)), cmp.Compare(a.Name, b.Name))
	})
	zw := zip.NewWriter(dst)
	for _, f := range files {
		if err := zw.Copy(f); err != nil {
			return err
		}
	}
	return zw.Close()
}

func (w *xlsxWriter) writeSheet(f *excelize.File, st *styles, spec sheetSpec, title string, order []int32) error {
	sw, err := f.NewStreamWriter(spec.name)
	if err != nil {
		return err
	}
	for i, wd := range xlsxWidths {
		if err := sw.SetColWidth(i+1, i+1, wd); err != nil {
			return err
		}
	}
	last, _ := excelize.CoordinatesToCellName(len(xlsxHeader), 1)
	if err := sw.MergeCell("A1", last); err != nil {
		return err
	}
	if err := sw.SetPanes(&excelize.Panes{Freeze: true, YSplit: 2, TopLeftCell: "A3", ActivePane: "bottomLeft"}); err != nil {
		return err
	}
	if err := sw.SetRow("A1", []any{excelize.Cell{StyleID: st.title, Value: title}}, excelize.RowOpts{Height: 32}); err != nil {
		return err
	}
	head := make([]any, len(xlsxHeader))
	for i, h := range xlsxHeader {
		head[i] = excelize.Cell{StyleID: st.head, Value: h}
	}
	if err := sw.SetRow("A2", head, excelize.RowOpts{Height: 22}); err != nil {
		return err
	}
	row := 2
	put := func(vals []any) error {
		row++
		cell, _ := excelize.CoordinatesToCellName(1, row)
		return sw.SetRow(cell, vals)
	}
	var total, sub counts
	seq := 0
	cur, started := "", false
	flushSub := func() error {
		if !started || sub.n == 0 {
			return nil
		}
		name := w.placeName(cur)
		if cur == "" {
			name = "乡镇不详"
		}
		err := put(subtotalRow(st, "小计", name, sub))
		sub = counts{}
		return err
	}
	vals := make([]any, len(xlsxHeader))
	for _, i := range order {
		e := &w.entries[i]
		if !spec.keep(e) {
			continue
		}
		if t := township(e.RegionCode); !started || t != cur {
			if err := flushSub(); err != nil {
				return err
			}
			cur, started = t, true
		}
		seq++
		sub.add(e.Status)
		total.add(e.Status)
		id := e.IDNumber
		village := ""
		if len(e.RegionCode) == 12 {
			village = w.placeName(e.RegionCode)
		}
		tname := ""
		if t := township(e.RegionCode); t != "" {
			tname = w.placeName(t)
		}
		vals[0] = excelize.Cell{StyleID: st.num, Value: seq}
		vals[1] = st.cell(tname, false)
		vals[2] = st.cell(village, false)
		vals[3] = st.cell(e.Name, false)
		vals[4] = st.cell(sexLabel[e.Sex], false)
		vals[5] = st.cell(e.BirthDate, false)
		vals[6] = st.cell(id, false)
		vals[7] = st.cell(statusLabel(e.Status), false)
		vals[8] = st.cell(e.SchoolName, false)
		vals[9] = st.cell(e.MatchedStudentNo, false)
		vals[10] = st.cell(e.Detail, true)
		vals[11] = st.cell(methodLabel[e.MatchMethod], false)
		vals[12] = st.cell(yesNo(e.Poverty), false)
		vals[13] = st.cell(e.PovertyType, false)
		vals[14] = st.cell(e.Disability, false)
		vals[15] = st.cell(groupsLabel(e.PriorityGroups), false)
		vals[16] = excelize.Cell{StyleID: st.num, Value: e.SourceRow}
		if err := put(vals); err != nil {
			return err
		}
	}
	if err := flushSub(); err != nil {
		return err
	}
	if err := put(subtotalRow(st, "合计", "", total)); err != nil {
		return err
	}
	return sw.Flush()
}

// counts tallies children per status for a subtotal.
type counts struct {
	n  int
	by map[baoxue.LedgerStatus]int
}

func (c *counts) add(s baoxue.LedgerStatus) {
	if c.by == nil {
		c.by = map[baoxue.LedgerStatus]int{}
	}
	c.n++
	c.by[s]++
}

// breakdown lists the non-zero statuses in the order of baoxue.LedgerStatuses.
func (c *counts) breakdown() string {
	var parts []string
	for _, s := range baoxue.LedgerStatuses {
		if n := c.by[baoxue.LedgerStatus(s.ID)]; n > 0 {
			parts = append(parts, s.Label+" "+strconv.Itoa(n)+" 人")
		}
	}
	return strings.Join(parts, "，")
}

func subtotalRow(st *styles, label, place string, c counts) []any {
	vals := make([]any, len(xlsxHeader))
	for i := range vals {
		vals[i] = excelize.Cell{StyleID: st.sub, Value: ""}
	}
	vals[0] = excelize.Cell{StyleID: st.sub, Value: label}
	vals[1] = excelize.Cell{StyleID: st.sub, Value: place}
	vals[3] = excelize.Cell{StyleID: st.sub, Value: strconv.Itoa(c.n) + " 人"}
	vals[10] = excelize.Cell{StyleID: st.subWrap, Value: c.breakdown()}
	return vals
}
