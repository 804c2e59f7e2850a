package ledger

import (
	"bufio"
	"encoding/csv"
	"fmt"
	"strconv"

	"github.com/baoxue/baoxue"
)

// jsonlWriter writes one JSON object per line.
type jsonlWriter struct {
	t    *tempFile
	buf  *bufio.Writer
	line []byte
	opts Options
}

func newJSONL(t *tempFile, opts Options) *jsonlWriter {
	return &jsonlWriter{t: t, buf: bufio.NewWriterSize(t, 256<<10), opts: opts}
}

// Add writes one line; <, > and & stay readable (the file is data, not HTML).
func (w *jsonlWriter) Add(e *baoxue.LedgerEntry) error {
	w.line = appendEntry(w.line[:0], w.opts.masked(e))
	if _, err := w.buf.Write(w.line); err != nil {
		return fmt.Errorf("写入台账文件 %s：%w", w.t.final, err)
	}
	return nil
}

func (w *jsonlWriter) Commit() error {
	if err := w.buf.Flush(); err != nil {
		w.t.abort()
		return fmt.Errorf("写入台账文件 %s：%w", w.t.final, err)
	}
	return w.t.commit()
}

func (w *jsonlWriter) Abort() { w.t.abort() }

// csvHeader names the fields of DESIGN §8 in Chinese, in the same order.
var csvHeader = []string{"户籍行号", "公民身份号码", "姓名", "性别", "出生日期", "行政区划代码", "状态", "说明", "比对方式",
	"比对得分", "匹配学籍号", "学校标识码", "学校名称", "脱贫户", "脱贫属性", "残疾情况", "重点群体"}

// csvWriter writes the ledger as CSV for Excel.
type csvWriter struct {
	t    *tempFile
	buf  *bufio.Writer
	w    *csv.Writer
	opts Options
	rec  []string
}

func newCSV(t *tempFile, opts Options) (*csvWriter, error) {
	buf := bufio.NewWriterSize(t, 256<<10)
	w := &csvWriter{t: t, buf: buf, w: csv.NewWriter(buf), opts: opts, rec: make([]string, len(csvHeader))}
	w.w.UseCRLF = true // what Excel writes and expects
	if _, err := buf.WriteString("\uFEFF"); err != nil {
		t.abort()
		return nil, fmt.Errorf("写入台账文件 %s：%w", t.final, err)
	}
	if err := w.w.Write(csvHeader); err != nil {
		t.abort()
		return nil, fmt.Errorf("写入台账文件 %s：%w", t.final, err)
	}
	return w, nil
}

// asText keeps a digit string as text in Excel (see the package comment).
func asText(s string) string {
	if s == "" {
		return ""
	}
	return "\t" + s
}

// csvCell escapes a value a spreadsheet could take for a formula.
func csvCell(s string) string {
	if needsQuote(s) {
		return "'" + s
	}
	return s
}

func (w *csvWriter) Add(e *baoxue.LedgerEntry) error {
	e = w.opts.masked(e)
	id := e.IDNumber
	score := ""
	if e.MatchMethod != baoxue.MatchNone && e.MatchMethod != "" {
		score = strconv.FormatFloat(e.MatchScore, 'f', -1, 64)
	}
	r := w.rec
	r[0] = strconv.Itoa(e.SourceRow)
	r[1] = asText(csvCell(id))
	r[2] = csvCell(e.Name)
	r[3] = sexLabel[e.Sex]
	r[4] = e.BirthDate
	r[5] = asText(csvCell(e.RegionCode))
	r[6] = statusLabel(e.Status)
	r[7] = csvCell(e.Detail)
	r[8] = methodLabel[e.MatchMethod]
	r[9] = score
	r[10] = csvCell(e.MatchedStudentNo)
	r[11] = asText(csvCell(e.SchoolCode))
	r[12] = csvCell(e.SchoolName)
	r[13] = yesNo(e.Poverty)
	r[14] = csvCell(e.PovertyType)
	r[15] = csvCell(e.Disability)
	r[16] = groupsLabel(e.PriorityGroups)
	if err := w.w.Write(r); err != nil {
		return fmt.Errorf("写入台账文件 %s：%w", w.t.final, err)
	}
	return nil
}

func (w *csvWriter) Commit() error {
	w.w.Flush()
	if err := w.w.Error(); err != nil {
		w.t.abort()
		return fmt.Errorf("写入台账文件 %s：%w", w.t.final, err)
	}
	if err := w.buf.Flush(); err != nil {
		w.t.abort()
		return fmt.Errorf("写入台账文件 %s：%w", w.t.final, err)
	}
	return w.t.commit()
}

func (w *csvWriter) Abort() { w.t.abort() }
