package ingest

import (
	"archive/zip"
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"strconv"
	"strings"
)

// xlsxBook is an opened, checked .xlsx package.
type xlsxBook struct {
	file     *os.File
	zr       *zip.Reader
	name     string // base name of the file, for messages
	limits   Limits
	parts    map[string]*zip.File // lower-cased part name → entry
	sheets   []sheetInfo
	date1904 bool
	// dateStyle[i] says whether cell style (xf) i has a date or time number format.
	dateStyle []bool
	sstPart   string
	sst       *sharedStrings
}

type sheetInfo struct {
	name, part string
	hidden     bool
}

// openXLSX checks the zip structure against the limits before anything is inflated, reads the
// workbook, and opens the chosen worksheet.
func openXLSX(filePath, name string, opts Options, limits Limits, wantHeader bool) (Source, *Header, error) {
	book, err := openBook(filePath, name, limits)
	if err != nil {
		return nil, nil, err
	}
	src, h, err := book.choose(opts, wantHeader)
	if err != nil {
		book.close()
		return nil, nil, err
	}
	return src, h, nil
}

func openBook(filePath, name string, limits Limits) (*xlsxBook, error) {
	f, err := os.Open(filePath)
	if err != nil {
		return nil, fmt.Errorf("打开文件 %s：%w", name, err)
	}
	book := &xlsxBook{file: f, name: name, limits: limits}
	if err := book.init(); err != nil {
		f.Close()
		return nil, err
	}
	return book, nil
}

func (b *xlsxBook) close() error { return b.file.Close() }

func (b *xlsxBook) corrupt(detail string, args ...any) error {
	return fmt.Errorf("%s：%w（%s）", b.name, ErrCorrupt, fmt.Sprintf(detail, args...))
}

func (b *xlsxBook) init() error {
	st, err := b.file.Stat()
	if err != nil {
		return fmt.Errorf("读取文件 %s：%w", b.name, err)
	}
	if st.Size() > b.limits.MaxXLSXSize {
		return fmt.Errorf("%s：%w：文件过大（%s，上限 %s）；请分成几个文件，或另存为 CSV 后导入", b.name, ErrLimit, sizeText(st.Size()), sizeText(b.limits.MaxXLSXSize))
	}
	b.zr, err = zip.NewReader(b.file, st.Size())
	if err != nil {
		return b.corrupt("不是完整的 .xlsx 压缩包：%v", err)
	}
	if err := b.checkZip(); err != nil {
		return err
	}
	b.parts = make(map[string]*zip.File, len(b.zr.File))
	for _, zf := range b.zr.File {
		b.parts[strings.ToLower(strings.TrimPrefix(strings.ReplaceAll(zf.Name, `\`, "/"), "/"))] = zf
	}
	return b.readWorkbook()
}

// checkZip applies the size, entry-count and compression-ratio limits to the central directory.
// archive/zip never inflates more than an entry's declared size, so these numbers bound the work.
func (b *xlsxBook) checkZip() error {
	l := b.limits
	if len(b.zr.File) > l.MaxZipEntries {
		return fmt.Errorf("%s：%w：压缩包内有 %d 个文件（上限 %d），不像正常的 Excel 工作簿", b.name, ErrLimit, len(b.zr.File), l.MaxZipEntries)
	}
	var total uint64
	for _, zf := range b.zr.File {
		size := zf.UncompressedSize64
		total += size
		if total > uint64(l.MaxUnpackedSize) {
			return fmt.Errorf("%s：%w：解压后超过 %s；请分成几个文件，或另存为 CSV 后导入", b.name, ErrLimit, sizeText(l.MaxUnpackedSize))
		}
		if size > uint64(l.RatioFloor) {
			packed := max(zf.CompressedSize64, 1)
			if ratio := float64(size) / float64(packed); ratio > l.MaxRatio {
				return fmt.Errorf("%s：%w：压缩包内的 %s 解压后 %s、压缩比 %.0f:1，超过 %.0f:1，疑似“zip 炸弹”，已拒绝", b.name, ErrLimit, zf.Name, sizeText(int64(size)), ratio, l.MaxRatio)
			}
		}
		if zf.Method != zip.Store && zf.Method != zip.Deflate {
			return b.corrupt("%s 使用了不支持的压缩方法 %d", zf.Name, zf.Method)
		}
	}
	return nil
}

// part opens an entry, bounded by its declared size (a second guard besides archive/zip's own).
func (b *xlsxBook) part(name string) (io.ReadCloser, *zip.File, error) {
	zf := b.parts[strings.ToLower(name)]
	if zf == nil {
		return nil, nil, b.corrupt("缺少 %s", name)
	}
	rc, err := zf.Open()
	if err != nil {
		return nil, nil, b.corrupt("%s：%v", name, err)
	}
	return struct {
		io.Reader
		io.Closer
	}{io.LimitReader(rc, int64(zf.UncompressedSize64)), rc}, zf, nil
}

// readSmallXML reads a whole part that is small by nature (workbook, relationships, styles) and
// unmarshals it. Parts with a DTD are refused: a spreadsheet never needs one, and refusing it
// rules out entity expansion whatever the XML library does.
func (b *xlsxBook) readSmallXML(name string, v any) error {
	rc, zf, err := b.part(name)
	if err != nil {
		return err
	}
	defer rc.Close()
	if zf.UncompressedSize64 > uint64(b.limits.MaxXMLPartSize) {
		return fmt.Errorf("%s：%w：%s 解压后 %s（上限 %s）", b.name, ErrLimit, name, sizeText(int64(zf.UncompressedSize64)), sizeText(b.limits.MaxXMLPartSize))
	}
	data, err := io.ReadAll(rc)
	if err != nil {
		return b.corrupt("%s：%v", name, err)
	}
	if bytes.Contains(data, []byte("<!DOCTYPE")) || bytes.Contains(data, []byte("<!ENTITY")) {
		return fmt.Errorf("%s：%w：%s %w", b.name, ErrLimit, name, errDTD)
	}
	if err := xml.Unmarshal(data, v); err != nil {
		return b.corrupt("%s：%v", name, err)
	}
	return nil
}

type relsXML struct {
	Rels []struct {
		ID     string `xml:"Id,attr"`
		Type   string `xml:"Type,attr"`
		Target string `xml:"Target,attr"`
		Mode   string `xml:"TargetMode,attr"`
	} `xml:"Relationship"`
}

type workbookXML struct {
	Pr struct {
		Date1904 string `xml:"date1904,attr"`
	} `xml:"workbookPr"`
	Sheets []struct {
		Name  string `xml:"name,attr"`
		State string `xml:"state,attr"`
		RID   string `xml:"id,attr"`
	} `xml:"sheets>sheet"`
}

type stylesXML struct {
	NumFmts []struct {
		ID   int    `xml:"numFmtId,attr"`
		Code string `xml:"formatCode,attr"`
	} `xml:"numFmts>numFmt"`
	Xfs []struct {
		NumFmtID int `xml:"numFmtId,attr"`
	} `xml:"cellXfs>xf"`
}

// resolve turns a relationship target into a part name.
func resolve(base, target string) string {
	target = strings.ReplaceAll(target, `\`, "/")
	if strings.HasPrefix(target, "/") {
		return strings.TrimPrefix(path.Clean(target), "/")
	}
	return strings.TrimPrefix(path.Join(path.Dir(base), target), "/")
}

func relsPartOf(part string) string {
	return path.Join(path.Dir(part), "_rels", path.Base(part)+".rels")
}

func (b *xlsxBook) readWorkbook() error {
	wbPart := "xl/workbook.xml"
	if _, ok := b.parts["_rels/.rels"]; ok {
		var root relsXML
		if err := b.readSmallXML("_rels/.rels", &root); err != nil {
			return err
		}
		for _, r := range root.Rels {
			if strings.HasSuffix(r.Type, "/officeDocument") {
				wbPart = resolve("", r.Target)
			}
		}
	}
	if _, ok := b.parts[strings.ToLower(wbPart)]; !ok {
		return b.corrupt("没有工作簿（%s）；这可能不是 Excel 文件", wbPart)
	}
	var wb workbookXML
	if err := b.readSmallXML(wbPart, &wb); err != nil {
		return err
	}
	b.date1904 = wb.Pr.Date1904 == "1" || wb.Pr.Date1904 == "true"
	targets := map[string]string{}
	stylesPart := ""
	if _, ok := b.parts[strings.ToLower(relsPartOf(wbPart))]; ok {
		var rels relsXML
		if err := b.readSmallXML(relsPartOf(wbPart), &rels); err != nil {
			return err
		}
		for _, r := range rels.Rels {
			if r.Mode == "External" {
				continue
			}
			t := resolve(wbPart, r.Target)
			targets[r.ID] = t
			switch {
			case strings.HasSuffix(r.Type, "/sharedStrings"):
				b.sstPart = t
			case strings.HasSuffix(r.Type, "/styles"):
				stylesPart = t
			case !strings.HasSuffix(r.Type, "/worksheet"):
				targets[r.ID] = "" // chart sheets, dialog sheets: nothing to read
			}
		}
	}
	for i, s := range wb.Sheets {
		part, ok := targets[s.RID]
		if !ok { // no relationships part: fall back to the conventional names
			part = fmt.Sprintf("xl/worksheets/sheet%d.xml", i+1)
		}
		if part == "" {
			continue
		}
		if _, ok := b.parts[strings.ToLower(part)]; !ok {
			continue
		}
		b.sheets = append(b.sheets, sheetInfo{name: s.Name, part: part, hidden: s.State == "hidden" || s.State == "veryHidden"})
	}
	if len(b.sheets) == 0 {
		return b.corrupt("工作簿里没有工作表")
	}
	if b.sstPart == "" {
		if _, ok := b.parts["xl/sharedstrings.xml"]; ok {
			b.sstPart = "xl/sharedStrings.xml"
		}
	}
	if stylesPart == "" {
		if _, ok := b.parts["xl/styles.xml"]; ok {
			stylesPart = "xl/styles.xml"
		}
	}
	if stylesPart != "" {
		if _, ok := b.parts[strings.ToLower(stylesPart)]; ok {
			var st stylesXML
			if err := b.readSmallXML(stylesPart, &st); err != nil {
				return err
			}
			custom := map[int]string{}
			for _, nf := range st.NumFmts {
				custom[nf.ID] = nf.Code
			}
			b.dateStyle = make([]bool, len(st.Xfs))
			for i, xf := range st.Xfs {
				if code, ok := custom[xf.NumFmtID]; ok {
					b.dateStyle[i] = isDateFormat(code)
				} else {
					b.dateStyle[i] = isBuiltinDateFormat(xf.NumFmtID)
				}
			}
		}
	}
	return nil
}

// isBuiltinDateFormat: the built-in number formats that show dates or times (ECMA-376 Part 1,
// 18.8.30), including the East Asian ones that Chinese Excel uses (27–36, 50–58).
func isBuiltinDateFormat(id int) bool {
	return id >= 14 && id <= 22 || id >= 27 && id <= 36 || id >= 45 && id <= 47 || id >= 50 && id <= 58
}

// isDateFormat reports whether a custom number format shows a date or time: it has a date or
// time token outside quoted literals, escapes and [..] sections (colours, locales, conditions).
func isDateFormat(code string) bool {
	var plain strings.Builder
	for i := 0; i < len(code); i++ {
		c := code[i]
		switch c {
		case '"':
			j := strings.IndexByte(code[i+1:], '"')
			if j < 0 {
				i = len(code)
			} else {
				i += j + 1
			}
		case '\\', '_', '*':
			i++ // the next character is literal or padding
		case '[':
			j := strings.IndexByte(code[i:], ']')
			if j < 0 {
				i = len(code)
				break
			}
			sec := strings.ToLower(code[i+1 : i+j])
			if sec == "h" || sec == "hh" || sec == "m" || sec == "mm" || sec == "s" || sec == "ss" {
				plain.WriteString(sec) // elapsed time [h]:mm
			}
			i += j
		default:
			plain.WriteByte(c)
		}
	}
	p := strings.ToLower(plain.String())
	if strings.Contains(p, "general") || strings.Contains(p, "@") && !strings.ContainsAny(p, "ydhs") {
		return false
	}
	return strings.ContainsAny(p, "ydhs") || strings.Contains(p, "m") && !strings.ContainsAny(p, "0#?")
}

// sharedStrings is the shared-string table: one string holding all the text, and the offsets of
// each item, so that a cell value is a substring and costs no allocation.
type sharedStrings struct {
	arena string
	offs  []uint32
}

func (s *sharedStrings) get(i int) (string, bool) {
	if i < 0 || i+1 >= len(s.offs) {
		return "", false
	}
	return s.arena[s.offs[i]:s.offs[i+1]], true
}

// sharedStrings loads the table on first use.
func (b *xlsxBook) sharedStrings() (*sharedStrings, error) {
	if b.sst != nil {
		return b.sst, nil
	}
	b.sst = &sharedStrings{offs: []uint32{0}}
	if b.sstPart == "" {
		return b.sst, nil
	}
	rc, zf, err := b.part(b.sstPart)
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	if zf.UncompressedSize64 > uint64(b.limits.MaxSharedStrings) {
		return nil, fmt.Errorf("%s：%w：共享字符串表解压后 %s（上限 %s）；请分成几个文件，或另存为 CSV 后导入", b.name, ErrLimit, sizeText(int64(zf.UncompressedSize64)), sizeText(b.limits.MaxSharedStrings))
	}
	var arena strings.Builder
	arena.Grow(int(zf.UncompressedSize64)) // the text is never longer than its XML
	sc := newXMLScanner(rc, b.limits.MaxTokenSize)
	var item []byte
	inSI, phonetic, inT := false, 0, false
	for {
		if err := sc.next(); err != nil {
			return nil, b.partError(b.sstPart, err)
		}
		switch sc.kind {
		case tokEOF:
			if arena.Len() > int(^uint32(0)) {
				return nil, fmt.Errorf("%s：%w：共享字符串过多", b.name, ErrLimit)
			}
			b.sst.arena = arena.String()
			return b.sst, nil
		case tokStart:
			switch string(sc.local) {
			case "si":
				inSI, item = true, item[:0]
				if sc.selfClosing {
					inSI = false
					b.sst.offs = append(b.sst.offs, uint32(arena.Len()))
				}
			case "rPh":
				if !sc.selfClosing {
					phonetic++
				}
			case "t":
				inT = !sc.selfClosing && inSI && phonetic == 0
			}
		case tokEnd:
			switch string(sc.local) {
			case "si":
				if inSI {
					arena.Write(decodeOOXMLEscapes(item))
					b.sst.offs = append(b.sst.offs, uint32(arena.Len()))
				}
				inSI = false
			case "rPh":
				phonetic = max(phonetic-1, 0)
			case "t":
				inT = false
			}
		case tokText:
			if inT {
				item = appendText(item, sc.text, sc.cdata)
			}
		}
	}
}

func (b *xlsxBook) partError(part string, err error) error {
	switch {
	case errors.Is(err, errDTD):
		return fmt.Errorf("%s：%w：%s %w", b.name, ErrLimit, part, err)
	case errors.Is(err, errTokenSize):
		return fmt.Errorf("%s：%w：%s 中有超过 %s 的单个元素", b.name, ErrLimit, part, sizeText(int64(b.limits.MaxTokenSize)))
	}
	return b.corrupt("%s：%v", part, err)
}

// sheetNames lists the worksheet names, for messages.
func (b *xlsxBook) sheetNames() string {
	names := make([]string, len(b.sheets))
	for i, s := range b.sheets {
		names[i] = "“" + s.name + "”"
	}
	return strings.Join(names, "、")
}

// choose opens the worksheet named by opts.Sheet, or the first one with a header for opts.Kind.
func (b *xlsxBook) choose(opts Options, wantHeader bool) (Source, *Header, error) {
	if opts.Sheet != "" {
		idx := -1
		for i, s := range b.sheets {
			if s.name == opts.Sheet {
				idx = i
				break
			}
		}
		if idx < 0 {
			for i, s := range b.sheets {
				if strings.EqualFold(strings.TrimSpace(s.name), strings.TrimSpace(opts.Sheet)) {
					idx = i
					break
				}
			}
		}
		if idx < 0 {
			if n, err := strconv.Atoi(strings.TrimSpace(opts.Sheet)); err == nil && n >= 1 && n <= len(b.sheets) {
				idx = n - 1
			}
		}
		if idx < 0 {
			return nil, nil, fmt.Errorf("%s：%w“%s”；文件中的工作表：%s", b.name, ErrSheetNotFound, opts.Sheet, b.sheetNames())
		}
		src, err := b.openSheet(b.sheets[idx])
		if err != nil {
			return nil, nil, err
		}
		src.ownsBook = true
		if !wantHeader {
			return src, nil, nil
		}
		return withHeader(src, opts, b.sheetHint(b.sheets[idx], false))
	}
	order := make([]sheetInfo, 0, len(b.sheets))
	for _, s := range b.sheets {
		if !s.hidden {
			order = append(order, s)
		}
	}
	for _, s := range b.sheets {
		if s.hidden {
			order = append(order, s)
		}
	}
	if opts.Kind == "" {
		src, err := b.openSheet(order[0])
		if err != nil {
			return nil, nil, err
		}
		src.ownsBook = true
		if !wantHeader {
			return src, nil, nil
		}
		return withHeader(src, opts, b.sheetHint(order[0], len(order) > 1))
	}
	var firstErr error
	firstRank := 0
	for _, s := range order {
		src, err := b.openSheet(s)
		if err != nil {
			return nil, nil, err
		}
		rows, err := peek(src, headerWindow)
		if err != nil {
			src.Close()
			return nil, nil, err
		}
		h, herr := DetectHeader(opts.Kind, rows, opts.Map)
		if herr == nil {
			src.ownsBook = true
			if !wantHeader {
				return &peeked{Source: src, rows: rows}, nil, nil
			}
			var rest []Row
			for i, r := range rows {
				if r.Number == h.Row {
					rest = rows[i+1:]
				}
			}
			return &peeked{Source: src, rows: rest}, &h, nil
		}
		src.Close()
		// Keep the most telling failure: "this is enrollment data" beats "columns missing" beats
		// "no header here" (a notes sheet before the data sheet says nothing).
		if r := headerErrRank(herr); firstErr == nil || r > firstRank {
			firstErr, firstRank = fmt.Errorf("%s%w", b.sheetHint(s, len(order) > 1), herr), r
		}
	}
	return nil, nil, firstErr
}

func headerErrRank(err error) int {
	switch {
	case errors.Is(err, ErrWrongKind):
		return 3
	case errors.Is(err, ErrMissingColumns), errors.Is(err, ErrBadMap):
		return 2
	}
	return 1
}

func (b *xlsxBook) sheetHint(s sheetInfo, several bool) string {
	if several {
		return fmt.Sprintf("%s，工作表“%s”（文件中的工作表：%s，可用 --sheet 指定）：", b.name, s.name, b.sheetNames())
	}
	return fmt.Sprintf("%s，工作表“%s”：", b.name, s.name)
}

// openSheet starts streaming a worksheet. Sources share the book's file; the last one closed
// closes it.
func (b *xlsxBook) openSheet(s sheetInfo) (*sheetSource, error) {
	sst, err := b.sharedStrings()
	if err != nil {
		return nil, err
	}
	rc, zf, err := b.part(s.part)
	if err != nil {
		return nil, err
	}
	return &sheetSource{
		book: b, info: s, rc: rc, sst: sst,
		sc:    newXMLScanner(rc, b.limits.MaxTokenSize),
		total: int64(zf.UncompressedSize64),
	}, nil
}
