package ingest

import (
	"bufio"
	"encoding/csv"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/xuri/excelize/v2"
)

// TableWriter writes one sheet of text — a header and rows — as .csv or .xlsx, chosen by the
// path's extension, with the same safety rules as the error report: the file is written under a
// temporary name with mode 0600 (it may hold unmasked personal data) and renamed into place by
// Commit, so nobody sees half a file; a value that a spreadsheet program could take for a
// formula (= + - @ tab CR) is escaped — .xlsx: Excel's quote prefix on a text cell; .csv: a
// leading apostrophe; and long digit strings (ID numbers, codes) stay text — .xlsx: text cells
// in the Text number format; .csv: a leading tab, which Excel keeps the value as text for and
// which the importer trims.
//
// The .csv is UTF-8 with a BOM and CRLF line ends, as Excel reads and writes it.
type TableWriter struct {
	path string
	tmp  *os.File

	buf *bufio.Writer
	csv *csv.Writer
	rec []string

	x           *excelize.File
	sw          *excelize.StreamWriter
	row         int
	text, textQ int
	cells       []any
}

// NewTableWriter starts a table at path (.csv or .xlsx); sheet names the worksheet of an .xlsx.
func NewTableWriter(path, sheet string, header []string) (*TableWriter, error) {
	ext := strings.ToLower(filepath.Ext(path))
	if ext != ".csv" && ext != ".xlsx" {
		return nil, fmt.Errorf("输出文件 %s 应以 .csv 或 .xlsx 结尾", path)
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".export-*"+ext)
	if err != nil {
		return nil, fmt.Errorf("创建 %s：%w", path, err)
	}
	w := &TableWriter{path: path, tmp: tmp}
	if err := tmp.Chmod(0o600); err != nil {
		w.Abort()
		return nil, fmt.Errorf("创建 %s：%w", path, err)
	}
	if ext == ".csv" {
		w.buf = bufio.NewWriterSize(tmp, 256<<10)
		w.buf.WriteString("\uFEFF")
		w.csv = csv.NewWriter(w.buf)
		w.csv.UseCRLF = true
	} else if err := w.startXLSX(sheet); err != nil {
		w.Abort()
		return nil, fmt.Errorf("创建 %s：%w", path, err)
	}
	if err := w.Write(header); err != nil {
		w.Abort()
		return nil, err
	}
	return w, nil
}

func (w *TableWriter) startXLSX(sheet string) error {
	w.x = excelize.NewFile()
	// Excel forbids : \ / ? * [ ] in sheet names (脱贫户/监测对象).
	sheet = strings.NewReplacer(":", "：", "\\", "、", "/", "、", "?", "？", "*", "＊", "[", "（", "]", "）").Replace(sheet)
	if sheet == "" {
		sheet = "Sheet1"
	}
	if err := w.x.SetSheetName("Sheet1", sheet); err != nil {
		return err
	}
	var err error
	if w.text, err = w.x.NewStyle(&excelize.Style{NumFmt: 49}); err != nil {
		return err
	}
	w.textQ = quotePrefixed(w.x, w.text)
	if w.sw, err = w.x.NewStreamWriter(sheet); err != nil {
		return err
	}
	return w.sw.SetPanes(&excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"})
}

// Write appends one row.
func (w *TableWriter) Write(cells []string) error {
	if w.csv != nil {
		w.rec = w.rec[:0]
		for _, v := range cells {
			w.rec = append(w.rec, csvCell(v))
		}
		if err := w.csv.Write(w.rec); err != nil {
			return fmt.Errorf("写入 %s：%w", w.path, err)
		}
		return nil
	}
	if w.row >= excelize.TotalRows {
		return fmt.Errorf("写入 %s：超过 Excel 单表 %d 行的上限，请改用 .csv", w.path, excelize.TotalRows)
	}
	w.cells = w.cells[:0]
	for _, v := range cells {
		style := w.text
		if needsQuote(v) {
			style = w.textQ
		}
		w.cells = append(w.cells, excelize.Cell{StyleID: style, Value: v})
	}
	w.row++
	if err := w.sw.SetRow(fmt.Sprintf("A%d", w.row), w.cells); err != nil {
		return fmt.Errorf("写入 %s：%w", w.path, err)
	}
	return nil
}

// csvCell escapes a value for a .csv opened in a spreadsheet program.
func csvCell(v string) string {
	switch {
	case needsQuote(v):
		return "'" + v
	case longDigits(v):
		return "\t" + v
	}
	return v
}

// longDigits reports a digit string (an ID number may end in X) that Excel would turn into a
// number and round or show in scientific notation: 10 digits or more (学校标识码, 区划代码, IDs).
func longDigits(v string) bool {
	if len(v) < 10 {
		return false
	}
	for i := 0; i < len(v); i++ {
		if c := v[i]; (c < '0' || c > '9') && !(c == 'X' && i == len(v)-1) {
			return false
		}
	}
	return true
}

// Commit finishes the file and moves it into place.
func (w *TableWriter) Commit() error {
	var err error
	if w.csv != nil {
		w.csv.Flush()
		if err = w.csv.Error(); err == nil {
			err = w.buf.Flush()
		}
	} else {
		if err = w.sw.Flush(); err == nil {
			_, err = w.x.WriteTo(w.tmp)
		}
		w.x.Close()
	}
	if err == nil {
		err = w.tmp.Close()
	}
	if err == nil {
		err = os.Rename(w.tmp.Name(), w.path)
	}
	if err != nil {
		w.Abort()
		return fmt.Errorf("保存 %s：%w", w.path, err)
	}
	return nil
}

// Abort removes the unfinished file.
func (w *TableWriter) Abort() {
	if w.x != nil {
		w.x.Close()
	}
	w.tmp.Close()
	os.Remove(w.tmp.Name())
}
