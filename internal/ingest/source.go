package ingest

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/baoxue/baoxue"
)

// Cell is one cell as read from the file.
type Cell struct {
	Value string
	// Numeric reports that an .xlsx cell is stored as a number (type n, any number format except
	// a date format). Its Value is then the raw stored text, e.g. "6.2292120140305101E+17" or
	// "622921201403051000": the digits Excel kept, not what it displayed. Date-formatted number
	// cells arrive as text "2014-03-05" (or "2014-03-05 08:30:00") with Numeric false. Always
	// false for text files.
	Numeric bool
}

// Row is one non-blank row. Number is 1-based, as the user sees it (see the package comment).
// The Cells slice is only valid until the next call to Next; the strings in it stay valid.
type Row struct {
	Number int
	Cells  []Cell
}

// Value returns the value of column i (0-based), "" when the row is shorter.
func (r Row) Value(i int) string {
	if i < 0 || i >= len(r.Cells) {
		return ""
	}
	return r.Cells[i].Value
}

// Cell returns column i (0-based), the zero Cell when the row is shorter.
func (r Row) Cell(i int) Cell {
	if i < 0 || i >= len(r.Cells) {
		return Cell{}
	}
	return r.Cells[i]
}

// clone returns a copy of the row whose Cells do not share memory with the reader's buffer.
func (r Row) clone() Row {
	return Row{Number: r.Number, Cells: append([]Cell(nil), r.Cells...)}
}

// blank reports whether every cell is empty or white space.
func (r Row) blank() bool {
	for _, c := range r.Cells {
		if strings.TrimSpace(c.Value) != "" {
			return false
		}
	}
	return true
}

// Source is a stream of the non-blank rows of one sheet or text file. Rows in which every cell is
// empty or white space are skipped (their numbers are still counted).
type Source interface {
	// Next returns the next non-blank row, or io.EOF after the last one.
	Next() (Row, error)
	Close() error
	// Sheet is the worksheet name for .xlsx, "" for text files.
	Sheet() string
	// Progress is how far the reader is, in bytes of the file (text) or of the unpacked
	// worksheet (.xlsx); total is 0 when unknown.
	Progress() (done, total int64)
}

// Options choose what Open and OpenTable read.
type Options struct {
	// Kind is the dataset the file should hold. With a kind, an .xlsx without Sheet opens the
	// first sheet whose first rows contain a recognisable header for it.
	Kind baoxue.DatasetKind
	// Sheet is a worksheet name or its 1-based position ("2"); a name wins over a position.
	Sheet string
	// Map overrides the header mapping: column name as in the file → field (its identifier such
	// as "id_number", or any of its Chinese names); field "-" ignores the column (--map 列名=field).
	Map map[string]string
	// Limits bound what a file may make the reader do; the zero value means DefaultLimits.
	Limits Limits
}

// Limits bound the resources a file may consume. A zero field takes its default.
type Limits struct {
	MaxXLSXSize      int64   // size of an .xlsx file on disk
	MaxTextSize      int64   // size of a text file on disk (it is streamed, so this can be large)
	MaxZipEntries    int     // entries in the zip directory of an .xlsx
	MaxUnpackedSize  int64   // sum of the declared unpacked sizes of all entries
	MaxRatio         float64 // unpacked/packed size of any entry larger than RatioFloor
	RatioFloor       int64   // entries smaller than this unpacked are not ratio-checked
	MaxXMLPartSize   int64   // workbook, relationships and styles parts (read whole)
	MaxSharedStrings int64   // unpacked size of the shared-string part (held in memory)
	MaxTokenSize     int     // one XML tag or text run; one text record (CSV row)
	MaxColumns       int     // columns with a value in one row
}

// DefaultLimits are the limits used for every zero field of Options.Limits. They fit the biggest
// real input expected on a county PC (a prefecture's registry, ~1 M rows, is ~100 MB as .xlsx and
// ~1 GB unpacked) with margin, and refuse what only a hostile or broken file does.
var DefaultLimits = Limits{
	MaxXLSXSize:      200 << 20, // 200 MiB
	MaxTextSize:      16 << 30,  // 16 GiB: a province registry as CSV; memory stays bounded
	MaxZipEntries:    10000,     // a workbook has tens of parts
	MaxUnpackedSize:  2 << 30,   // 2 GiB: a full 1,048,576-row sheet of 20 columns is ~1 GB
	MaxRatio:         200,       // real sheet XML packs 5–50×; zeros pack ~1000×
	RatioFloor:       8 << 20,   // small parts may pack as well as they like
	MaxXMLPartSize:   64 << 20,  // styles of a heavily formatted workbook are a few MB
	MaxSharedStrings: 512 << 20, // text of unique strings is kept in one arena, ≤ this size
	MaxTokenSize:     4 << 20,   // a cell holds at most 32,767 characters
	MaxColumns:       1024,      // registry exports have 10–60 columns
}

func (l Limits) withDefaults() Limits {
	d := DefaultLimits
	if l.MaxXLSXSize > 0 {
		d.MaxXLSXSize = l.MaxXLSXSize
	}
	if l.MaxTextSize > 0 {
		d.MaxTextSize = l.MaxTextSize
	}
	if l.MaxZipEntries > 0 {
		d.MaxZipEntries = l.MaxZipEntries
	}
	if l.MaxUnpackedSize > 0 {
		d.MaxUnpackedSize = l.MaxUnpackedSize
	}
	if l.MaxRatio > 0 {
		d.MaxRatio = l.MaxRatio
	}
	if l.RatioFloor > 0 {
		d.RatioFloor = l.RatioFloor
	}
	if l.MaxXMLPartSize > 0 {
		d.MaxXMLPartSize = l.MaxXMLPartSize
	}
	if l.MaxSharedStrings > 0 {
		d.MaxSharedStrings = l.MaxSharedStrings
	}
	if l.MaxTokenSize > 0 {
		d.MaxTokenSize = l.MaxTokenSize
	}
	if l.MaxColumns > 0 {
		d.MaxColumns = l.MaxColumns
	}
	return d
}

// Errors callers can test with errors.Is. Their text is Chinese because it ends up in front of
// the official; the wrapping message adds the file name and what to do.
var (
	ErrUnsupported    = errors.New("不支持的文件格式")
	ErrXLS            = errors.New("不支持 .xls（Excel 97-2003）格式")
	ErrEncrypted      = errors.New("文件已加密")
	ErrCorrupt        = errors.New("文件已损坏或不是有效的表格文件")
	ErrLimit          = errors.New("超出安全限制")
	ErrSheetNotFound  = errors.New("找不到工作表")
	ErrNoHeader       = errors.New("未找到表头")
	ErrMissingColumns = errors.New("缺少必需的列")
	ErrWrongKind      = errors.New("文件内容与数据类型不符")
	ErrBadMap         = errors.New("列映射（--map）有误")
)

// format is what the first bytes of a file say it is.
type format int

const (
	formatUnknown format = iota
	formatZip
	formatOLE2
	formatText
	formatHTML
	formatXML2003
)

var (
	zipMagic  = []byte("PK\x03\x04")
	ole2Magic = []byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1}
)

// sniff classifies a file from its first bytes.
func sniff(head []byte) format {
	switch {
	case bytes.HasPrefix(head, zipMagic), bytes.HasPrefix(head, []byte("PK\x05\x06")):
		return formatZip
	case bytes.HasPrefix(head, ole2Magic[:4]):
		return formatOLE2
	}
	if !looksText(head) {
		return formatUnknown
	}
	lower := bytes.ToLower(head)
	if i := bytes.IndexByte(lower, '<'); i >= 0 && len(bytes.TrimSpace(trimBOM(lower[:i]))) == 0 {
		rest := lower[i:]
		switch {
		case bytes.Contains(rest, []byte("urn:schemas-microsoft-com:office:spreadsheet")):
			return formatXML2003
		case bytes.HasPrefix(rest, []byte("<!doctype html")), bytes.Contains(rest, []byte("<html")),
			bytes.Contains(rest, []byte("<table")):
			return formatHTML
		}
	}
	return formatText
}

func trimBOM(b []byte) []byte {
	return bytes.TrimPrefix(b, []byte("\xef\xbb\xbf"))
}

// looksText reports whether a prefix of a file is plausibly text: no NUL bytes unless it is
// UTF-16 with a BOM, and few control characters.
func looksText(head []byte) bool {
	if bytes.HasPrefix(head, []byte{0xFF, 0xFE}) || bytes.HasPrefix(head, []byte{0xFE, 0xFF}) {
		return true
	}
	ctl := 0
	for _, c := range head {
		switch {
		case c == 0:
			return false
		case c < 0x20 && c != '\t' && c != '\n' && c != '\r' && c != '\f':
			ctl++
		}
	}
	return ctl*100 <= len(head) // ≤ 1 %
}

// Open opens a spreadsheet or text file as a stream of rows. The format comes from the content,
// not the extension, so a misnamed file is still read (or refused) for what it is.
func Open(path string, opts Options) (Source, error) {
	s, _, err := open(path, opts, false)
	return s, err
}

// open does the work of Open and OpenTable. With wantHeader it also detects the header and
// returns it (the source is then positioned after the header row).
func open(path string, opts Options, wantHeader bool) (Source, *Header, error) {
	name := filepath.Base(path)
	limits := opts.Limits.withDefaults()
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, fmt.Errorf("打开文件 %s：%w", name, err)
	}
	head := make([]byte, 4096)
	n, err := io.ReadFull(f, head)
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, io.EOF) {
		f.Close()
		return nil, nil, fmt.Errorf("读取文件 %s：%w", name, err)
	}
	head = head[:n]
	if n == 0 {
		f.Close()
		return nil, nil, fmt.Errorf("%s：%w（文件是空的）", name, ErrNoHeader)
	}
	switch sniff(head) {
	case formatZip:
		f.Close()
		return openXLSX(path, name, opts, limits, wantHeader)
	case formatOLE2:
		defer f.Close()
		if ole2Encrypted(f) {
			return nil, nil, fmt.Errorf("%s：%w（设置了打开密码）：请在 Excel 中取消密码（文件→信息→保护工作簿→用密码进行加密，清空密码），另存为 .xlsx 后重新导入", name, ErrEncrypted)
		}
		return nil, nil, fmt.Errorf("%s：%w：请在 Excel 中“另存为”Excel 工作簿（.xlsx）后重新导入", name, ErrXLS)
	case formatHTML:
		f.Close()
		return nil, nil, fmt.Errorf("%s：%w：这是网页（HTML）格式的表格，只是扩展名像 Excel；请用 Excel 打开后“另存为”Excel 工作簿（.xlsx）后重新导入", name, ErrUnsupported)
	case formatXML2003:
		f.Close()
		return nil, nil, fmt.Errorf("%s：%w：这是 Excel 2003 XML 表格；请用 Excel 打开后“另存为”Excel 工作簿（.xlsx）后重新导入", name, ErrUnsupported)
	case formatText:
		src, err := newTextSource(f, name, limits)
		if err != nil {
			f.Close()
			return nil, nil, err
		}
		if !wantHeader {
			return src, nil, nil
		}
		return withHeader(src, opts, name+"：")
	}
	f.Close()
	return nil, nil, fmt.Errorf("%s：%w：只能导入 .xlsx 和 .csv（UTF-8 或 GBK 编码）文件", name, ErrUnsupported)
}

// headerWindow is how many non-blank rows at the top of a sheet may precede the data; the header
// must be among them.
const headerWindow = 20

// peeked replays rows read ahead (for sheet choice and header detection) before the rest.
type peeked struct {
	Source
	rows []Row
}

func (p *peeked) Next() (Row, error) {
	if len(p.rows) > 0 {
		r := p.rows[0]
		p.rows = p.rows[1:]
		return r, nil
	}
	return p.Source.Next()
}

// peek reads up to n rows ahead, copying them out of the reader's buffers.
func peek(src Source, n int) ([]Row, error) {
	var rows []Row
	for len(rows) < n {
		r, err := src.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, err
		}
		rows = append(rows, r.clone())
	}
	return rows, nil
}

// withHeader detects the header of src for opts.Kind and returns the source positioned after it.
func withHeader(src Source, opts Options, hint string) (Source, *Header, error) {
	rows, err := peek(src, headerWindow)
	if err != nil {
		src.Close()
		return nil, nil, err
	}
	h, err := DetectHeader(opts.Kind, rows, opts.Map)
	if err != nil {
		src.Close()
		return nil, nil, fmt.Errorf("%s%w", hint, err)
	}
	var rest []Row
	for i, r := range rows {
		if r.Number == h.Row {
			rest = rows[i+1:]
		}
	}
	return &peeked{Source: src, rows: rest}, &h, nil
}

// Table is a source positioned after its header row, with the header.
type Table struct {
	Source
	Header Header
}

// OpenTable opens a file, chooses the sheet, finds the header row for opts.Kind and returns the
// data rows after it.
func OpenTable(path string, opts Options) (*Table, error) {
	src, h, err := open(path, opts, true)
	if err != nil {
		return nil, err
	}
	return &Table{Source: src, Header: *h}, nil
}
