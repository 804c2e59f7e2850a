package ingest

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/xuri/excelize/v2"
)

// The error report (<file>.errors.xlsx, issue 3 item 7) lists the rows of an import that had
// problems so the official can fix them and import again:
//
//	行号 | 错误说明 | 错误代码 | the original columns, in the file's order
//
// The explanation comes first because the official reads it first; the original columns follow
// under their original header texts, so the sheet can be re-imported as it is (行号, 错误说明 and
// 错误代码 are ignored by the header detection). Cells with an error are filled red, cells with
// only a warning yellow, and warnings are marked （警告） in the explanation.
//
// Original values are written unchanged — ID numbers included, unmasked: the report goes back to
// the office whose file it came from, and a masked ID could not be corrected. It is as sensitive
// as the input file and is written next to it.
//
// Every value is written as a text cell (never a formula), and the data columns use the Text
// number format so that an ID typed in while fixing stays text. A value beginning with = + - @,
// a tab or a carriage return is additionally written with Excel's quote prefix (the hidden
// apostrophe), so that editing the cell cannot turn it into a formula either (formula injection,
// OWASP "CSV injection"); the visible value stays the original.

// Names of the report's own columns.
const (
	ReportColRow     = "行号"
	ReportColMessage = "错误说明"
	ReportColCode    = "错误代码"
)

// ReportProblem is one problem of a row.
type ReportProblem struct {
	Column  int // 0-based column of the original row; -1 for the row as a whole
	Code    string
	Message string
	Warning bool // a warning (cell filled yellow) rather than an error (red)
}

// ReportRow is one original row with its problems.
type ReportRow struct {
	Number   int
	Cells    []string
	Problems []ReportProblem
}

// reportSheet is the worksheet name of the error report.
const reportSheet = "错误行"

// maxReportRows is how many rows fit below the header in one worksheet.
const maxReportRows = excelize.TotalRows - 2

// ReportWriter streams an error report to disk; memory stays small whatever the row count
// (excelize's StreamWriter spills to a temporary file).
type ReportWriter struct {
	path   string
	header []string
	f      *excelize.File
	sw     *excelize.StreamWriter
	row    int // last written sheet row
	// styles: text, text with quote prefix, error, error with quote prefix, warning, warning
	// with quote prefix, header, note.
	text, textQ, bad, badQ, warn, warnQ, head, note int
	omitted                                         int
	maxRows                                         int
}

// NewReportWriter starts a report with the original header texts (Header.Names).
func NewReportWriter(path string, header []string) (*ReportWriter, error) {
	f := excelize.NewFile()
	w := &ReportWriter{path: path, header: header, f: f, maxRows: maxReportRows}
	if err := w.init(); err != nil {
		f.Close()
		return nil, fmt.Errorf("创建错误报告 %s：%w", path, err)
	}
	return w, nil
}

func (w *ReportWriter) init() error {
	f := w.f
	if err := f.SetSheetName("Sheet1", reportSheet); err != nil {
		return err
	}
	border := []excelize.Border{
		{Type: "left", Color: "BFBFBF", Style: 1}, {Type: "right", Color: "BFBFBF", Style: 1},
		{Type: "top", Color: "BFBFBF", Style: 1}, {Type: "bottom", Color: "BFBFBF", Style: 1},
	}
	var err error
	if w.text, err = f.NewStyle(&excelize.Style{NumFmt: 49}); err != nil {
		return err
	}
	if w.bad, err = f.NewStyle(&excelize.Style{NumFmt: 49, Border: border,
		Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"FFC7CE"}},
		Font: &excelize.Font{Color: "9C0006"}}); err != nil {
		return err
	}
	if w.warn, err = f.NewStyle(&excelize.Style{NumFmt: 49, Border: border,
		Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"FFEB9C"}},
		Font: &excelize.Font{Color: "9C5700"}}); err != nil {
		return err
	}
	if w.head, err = f.NewStyle(&excelize.Style{NumFmt: 49, Border: border,
		Fill:      excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"DDEBF7"}},
		Font:      &excelize.Font{Bold: true},
		Alignment: &excelize.Alignment{Vertical: "center", WrapText: true}}); err != nil {
		return err
	}
	if w.note, err = f.NewStyle(&excelize.Style{NumFmt: 49,
		Alignment: &excelize.Alignment{Vertical: "top", WrapText: true}}); err != nil {
		return err
	}
	w.textQ = quotePrefixed(f, w.text)
	w.badQ = quotePrefixed(f, w.bad)
	w.warnQ = quotePrefixed(f, w.warn)
	if w.sw, err = f.NewStreamWriter(reportSheet); err != nil {
		return err
	}
	n := 3 + len(w.header)
	_ = w.sw.SetColWidth(1, 1, 8)
	_ = w.sw.SetColWidth(2, 2, 50)
	_ = w.sw.SetColWidth(3, 3, 22)
	if n > 3 {
		_ = w.sw.SetColWidth(4, min(n, excelize.MaxColumns), 16)
	}
	if err := w.sw.SetPanes(&excelize.Panes{Freeze: true, XSplit: 3, YSplit: 1, TopLeftCell: "D2", ActivePane: "bottomRight"}); err != nil {
		return err
	}
	head := make([]any, 0, n)
	for _, s := range append([]string{ReportColRow, ReportColMessage, ReportColCode}, w.header...) {
		head = append(head, excelize.Cell{StyleID: w.head, Value: s})
	}
	w.row = 1
	return w.sw.SetRow("A1", head, excelize.RowOpts{Height: 30})
}

// quotePrefixed adds a copy of cell style id with Excel's quotePrefix flag, which excelize's
// Style cannot express, and returns the new style id.
func quotePrefixed(f *excelize.File, id int) int {
	xfs := f.Styles.CellXfs
	xf := xfs.Xf[id]
	yes := true
	xf.QuotePrefix = &yes
	xfs.Xf = append(xfs.Xf, xf)
	xfs.Count = len(xfs.Xf)
	return len(xfs.Xf) - 1
}

// needsQuote reports whether a value could be taken for a formula by a spreadsheet program.
func needsQuote(v string) bool {
	if v == "" {
		return false
	}
	switch v[0] {
	case '=', '+', '-', '@', '\t', '\r':
		return true
	}
	// Full-width ＝ ＋ － ＠ are folded to ASCII by some programs when editing.
	return strings.HasPrefix(v, "＝") || strings.HasPrefix(v, "＋") || strings.HasPrefix(v, "－") || strings.HasPrefix(v, "＠")
}

// cell styles one value by its mark: 0 none, markWarning, markError.
func (w *ReportWriter) cell(v string, mark int) excelize.Cell {
	style, quoted := w.text, w.textQ
	switch mark {
	case markError:
		style, quoted = w.bad, w.badQ
	case markWarning:
		style, quoted = w.warn, w.warnQ
	}
	if needsQuote(v) {
		style = quoted
	}
	return excelize.Cell{StyleID: style, Value: v}
}

const (
	markWarning = 1
	markError   = 2
)

// Add appends one row.
func (w *ReportWriter) Add(r ReportRow) error {
	if w.row-1 >= w.maxRows {
		w.omitted++
		return nil
	}
	marks := map[int]int{}
	var msgs, codes []string
	for _, p := range r.Problems {
		m := markError
		if p.Warning {
			m = markWarning
		}
		if p.Column >= 0 {
			marks[p.Column] = max(marks[p.Column], m)
		}
		msg, where := p.Message, ""
		if p.Column >= 0 {
			where = w.columnName(p.Column)
		}
		if p.Warning {
			where += "（警告）"
		}
		if where != "" {
			msg = where + "：" + msg
		}
		msgs = append(msgs, msg)
		if p.Code != "" && !containsString(codes, p.Code) {
			codes = append(codes, p.Code)
		}
	}
	width := max(len(r.Cells), len(w.header))
	for c := range marks {
		width = max(width, c+1)
	}
	width = min(width, excelize.MaxColumns-3)
	vals := make([]any, 0, 3+width)
	vals = append(vals,
		excelize.Cell{StyleID: w.text, Value: r.Number},
		w.noteCell(strings.Join(msgs, "；")),
		w.cell(strings.Join(codes, ", "), 0))
	for i := 0; i < width; i++ {
		v := ""
		if i < len(r.Cells) {
			v = r.Cells[i]
		}
		vals = append(vals, w.cell(v, marks[i]))
	}
	w.row++
	if err := w.sw.SetRow(fmt.Sprintf("A%d", w.row), vals); err != nil {
		return fmt.Errorf("写入错误报告 %s：%w", w.path, err)
	}
	return nil
}

func (w *ReportWriter) noteCell(v string) excelize.Cell {
	c := w.cell(v, 0)
	if c.StyleID == w.text {
		c.StyleID = w.note
	}
	return c
}

func (w *ReportWriter) columnName(i int) string {
	if i < len(w.header) && strings.TrimSpace(w.header[i]) != "" {
		return strings.TrimSpace(w.header[i])
	}
	return fmt.Sprintf("第%d列", i+1)
}

func containsString(ss []string, s string) bool {
	for _, x := range ss {
		if x == s {
			return true
		}
	}
	return false
}

// Rows is how many rows were written (not counting omitted ones).
func (w *ReportWriter) Rows() int { return w.row - 1 }

// Close finishes and saves the report.
func (w *ReportWriter) Close() error {
	defer w.f.Close()
	if w.omitted > 0 {
		w.row++
		note := fmt.Sprintf("另有 %d 行有问题，超出 Excel 的行数上限，未列出", w.omitted)
		if err := w.sw.SetRow(fmt.Sprintf("A%d", w.row), []any{"", excelize.Cell{StyleID: w.note, Value: note}}); err != nil {
			return fmt.Errorf("写入错误报告 %s：%w", w.path, err)
		}
	}
	if err := w.sw.Flush(); err != nil {
		return fmt.Errorf("写入错误报告 %s：%w", w.path, err)
	}
	// The report holds unmasked personal data: readable by the owner only, and written under a
	// temporary name first so that a reader never sees half a file.
	tmp, err := os.CreateTemp(filepath.Dir(w.path), ".errors-*.xlsx")
	if err != nil {
		return fmt.Errorf("保存错误报告 %s：%w", w.path, err)
	}
	defer os.Remove(tmp.Name()) // no-op after the rename
	if err := tmp.Chmod(0o600); err != nil {
		tmp.Close()
		return fmt.Errorf("保存错误报告 %s：%w", w.path, err)
	}
	if _, err := w.f.WriteTo(tmp); err != nil {
		tmp.Close()
		return fmt.Errorf("保存错误报告 %s：%w", w.path, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("保存错误报告 %s：%w", w.path, err)
	}
	if err := os.Rename(tmp.Name(), w.path); err != nil {
		return fmt.Errorf("保存错误报告 %s：%w", w.path, err)
	}
	return nil
}

// WriteErrorReport writes a whole report at once.
func WriteErrorReport(path string, header []string, rows []ReportRow) error {
	w, err := NewReportWriter(path, header)
	if err != nil {
		return err
	}
	for _, r := range rows {
		if err := w.Add(r); err != nil {
			w.f.Close()
			return err
		}
	}
	return w.Close()
}

// ReportPath is where the report of an imported file goes: next to it, <file>.errors.xlsx.
func ReportPath(input string) string { return input + ".errors.xlsx" }

// Discard abandons the report without writing it (an import that failed).
func (w *ReportWriter) Discard() { w.f.Close() }
