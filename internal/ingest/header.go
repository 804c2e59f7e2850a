package ingest

import (
	"fmt"
	"slices"
	"strings"
	"unicode"

	"github.com/baoxue/baoxue"
)

// Header is the header row of a file and what its columns mean.
type Header struct {
	Row     int           // row number of the header, as the user sees it
	Columns map[Field]int // field → 0-based column index
	// Names are the header texts as written in the file (trimmed), by column index; they are the
	// column names in messages and in the error report.
	Names []string
	// Unknown are header texts that mean nothing to this kind, in column order (a warning).
	Unknown []string
	// Duplicates are header texts whose field an earlier column already provides; the earlier
	// column is used (a warning).
	Duplicates []string
}

// Name returns the column name to show for column i.
func (h *Header) Name(i int) string {
	if i >= 0 && i < len(h.Names) && h.Names[i] != "" {
		return h.Names[i]
	}
	return fmt.Sprintf("第%d列", i+1)
}

// Index returns the column of a field, or -1.
func (h *Header) Index(f Field) int {
	if i, ok := h.Columns[f]; ok {
		return i
	}
	return -1
}

// foldHeader normalises a header text for comparison: full-width forms to ASCII, ASCII lower
// case, 【】〔〕 to brackets, and no white space (including line breaks inside a cell), zero-width
// characters, asterisks (姓名*), colons or other decoration.
func foldHeader(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		if r >= 0xFF01 && r <= 0xFF5E {
			r -= 0xFEE0
		}
		switch r {
		case '【', '〔', '［':
			r = '['
		case '】', '〕', '］':
			r = ']'
		case '*', ':', '※', '★', '☆', '#', '\u200b', '\u200c', '\u200d', '\ufeff', '"', '\'', '“', '”', '‘', '’':
			continue
		}
		if unicode.IsSpace(r) || unicode.IsControl(r) {
			continue
		}
		if r >= 'A' && r <= 'Z' {
			r += 'a' - 'A'
		}
		b.WriteRune(r)
	}
	return b.String()
}

// headerKeys returns the keys a header text is looked up by: with bracket characters removed
// ("村(社区)代码" → "村社区代码"), then with bracketed parts removed ("出生日期(YYYY-MM-DD)" →
// "出生日期", "身份证号[必填]" → "身份证号").
func headerKeys(s string) (string, string) {
	f := foldHeader(s)
	var k1, k2 strings.Builder
	depth := 0
	for _, r := range f {
		switch r {
		case '(', '[':
			depth++
			continue
		case ')', ']':
			depth = max(depth-1, 0)
			continue
		}
		k1.WriteRune(r)
		if depth == 0 {
			k2.WriteRune(r)
		}
	}
	return k1.String(), k2.String()
}

// lookup maps header keys to the fields of one schema.
type lookup struct {
	schema *Schema
	keys   map[string]Field
	ignore map[string]bool
}

func newLookup(s *Schema) *lookup {
	l := &lookup{schema: s, keys: map[string]Field{}, ignore: map[string]bool{}}
	for _, c := range s.Columns {
		for _, syn := range append([]string{c.Label, c.Field.String()}, c.Synonyms...) {
			k, _ := headerKeys(syn)
			if _, dup := l.keys[k]; !dup {
				l.keys[k] = c.Field
			}
		}
	}
	for _, h := range ignoredHeaders {
		k, _ := headerKeys(h)
		l.ignore[k] = true
	}
	return l
}

// mapping is what a header text means: a field, ignored, or unknown.
type mapping struct {
	field   Field
	ignored bool
}

func (l *lookup) find(text string, overrides map[string]mapping) (mapping, bool) {
	k1, k2 := headerKeys(text)
	if k1 == "" {
		return mapping{}, false
	}
	if m, ok := overrides[k1]; ok {
		return m, true
	}
	for _, k := range []string{k1, k2} {
		if f, ok := l.keys[k]; ok && k != "" {
			return mapping{field: f}, true
		}
		if l.ignore[k] {
			return mapping{ignored: true}, true
		}
	}
	return mapping{}, false
}

// score is how many distinct fields a row names.
func (l *lookup) score(r Row, overrides map[string]mapping) int {
	seen := map[Field]bool{}
	for _, c := range r.Cells {
		if m, ok := l.find(c.Value, overrides); ok && !m.ignored {
			seen[m.field] = true
		}
	}
	return len(seen)
}

// header builds the Header of row r.
func (l *lookup) header(r Row, overrides map[string]mapping) Header {
	h := Header{Row: r.Number, Columns: map[Field]int{}, Names: make([]string, len(r.Cells))}
	for i, c := range r.Cells {
		text := strings.TrimSpace(c.Value)
		h.Names[i] = text
		if text == "" {
			continue
		}
		m, ok := l.find(text, overrides)
		switch {
		case !ok:
			h.Unknown = append(h.Unknown, text)
		case m.ignored:
		case h.Index(m.field) >= 0:
			h.Duplicates = append(h.Duplicates, text)
		default:
			h.Columns[m.field] = i
		}
	}
	return h
}

// best returns the row (index into rows) that names the most fields, and its score; the first
// such row on a tie.
func (l *lookup) best(rows []Row, overrides map[string]mapping) (int, int) {
	bi, bs := -1, 0
	for i, r := range rows {
		if s := l.score(r, overrides); s > bs {
			bi, bs = i, s
		}
	}
	return bi, bs
}

// missing returns the required groups a header lacks.
func (l *lookup) missing(h Header) [][]Field {
	var out [][]Field
	for _, group := range l.schema.Required {
		if !slices.ContainsFunc(group, func(f Field) bool { return h.Index(f) >= 0 }) {
			out = append(out, group)
		}
	}
	return out
}

func (l *lookup) typical(h Header) int {
	n := 0
	for _, c := range l.schema.Columns {
		if c.Typical && h.Index(c.Field) >= 0 {
			n++
		}
	}
	return n
}

// parseOverrides turns --map 列名=field into header keys → mappings. The field may be given by
// its identifier or any of its Chinese names for this kind; "-" ignores the column.
func parseOverrides(l *lookup, m map[string]string) (map[string]mapping, error) {
	out := map[string]mapping{}
	for col, field := range m {
		k, _ := headerKeys(col)
		if k == "" {
			return nil, fmt.Errorf("%w：列名不能为空（--map 列名=字段）", ErrBadMap)
		}
		field = strings.TrimSpace(field)
		if field == "-" || field == "" {
			out[k] = mapping{ignored: true}
			continue
		}
		if f, ok := FieldByName(field); ok {
			if _, ok := l.schema.Column(f); ok {
				out[k] = mapping{field: f}
				continue
			}
		}
		fk, _ := headerKeys(field)
		if f, ok := l.keys[fk]; ok {
			out[k] = mapping{field: f}
			continue
		}
		return nil, fmt.Errorf("%w：“%s”不是%s数据的字段；可用字段：%s", ErrBadMap, field, l.schema.Label, fieldList(l.schema))
	}
	return out, nil
}

func fieldList(s *Schema) string {
	parts := make([]string, len(s.Columns))
	for i, c := range s.Columns {
		parts[i] = fmt.Sprintf("%s(%s)", c.Field, c.Label)
	}
	return strings.Join(parts, "、")
}

// DetectHeader finds the header row among the first rows of a file (title rows, blank rows and
// remnants of merged cells above it are passed over): the row that names the most fields of the
// kind. It reports missing required columns with the names that would be accepted, and a file
// that is evidently of another kind.
func DetectHeader(kind baoxue.DatasetKind, rows []Row, overrides map[string]string) (Header, error) {
	schema, ok := SchemaOf(kind)
	if !ok {
		return Header{}, fmt.Errorf("未知的数据类型“%s”", kind)
	}
	if len(rows) > headerWindow {
		rows = rows[:headerWindow]
	}
	l := newLookup(schema)
	ov, err := parseOverrides(l, overrides)
	if err != nil {
		return Header{}, err
	}
	bi, bs := l.best(rows, ov)
	var h Header
	if bi >= 0 {
		h = l.header(rows[bi], ov)
	}
	missing := l.missing(h)
	if wrong := wrongKind(l, h, missing, bs, rows, len(ov) > 0); wrong != nil {
		return Header{}, fmt.Errorf("%w：此文件看起来是%s数据，而不是%s数据；请检查导入的数据类型（--kind %s）", ErrWrongKind, wrong.Label, schema.Label, wrong.Kind)
	}
	if bi < 0 {
		return Header{}, fmt.Errorf("%w：前 %d 行中没有%s数据的列名（例如 %s）；请确认表头在前 %d 行内", ErrNoHeader, headerWindow, schema.Label, exampleNames(schema), headerWindow)
	}
	for col := range overrides {
		k, _ := headerKeys(col)
		if !slices.ContainsFunc(h.Names, func(n string) bool { k1, _ := headerKeys(n); return k1 == k }) {
			return Header{}, fmt.Errorf("%w：第 %d 行的表头中没有“%s”列", ErrBadMap, h.Row, col)
		}
	}
	if len(missing) > 0 {
		parts := make([]string, len(missing))
		for i, group := range missing {
			parts[i] = describeGroup(schema, group)
		}
		return Header{}, fmt.Errorf("%w：%s；表头在第 %d 行：%s", ErrMissingColumns, strings.Join(parts, "；"), h.Row, strings.Join(nonEmpty(h.Names), "、"))
	}
	return h, nil
}

// wrongKind returns the schema the rows evidently belong to instead, or nil. A file is of the
// wrong kind when it lacks required columns that another kind's header has in full, or — unless
// the user mapped columns by hand — when it has none of the columns typical of the requested
// kind but at least two typical of another, which also names more columns.
func wrongKind(l *lookup, h Header, missing [][]Field, score int, rows []Row, mapped bool) *Schema {
	var found *Schema
	foundScore := 0
	for i := range schemas {
		other := &schemas[i]
		if siblings(other.Kind, l.schema.Kind) {
			continue
		}
		ol := newLookup(other)
		oi, os := ol.best(rows, nil)
		if oi < 0 {
			continue
		}
		oh := ol.header(rows[oi], nil)
		complete := len(ol.missing(oh)) == 0
		evident := len(missing) > 0 && complete && os >= score ||
			!mapped && complete && l.typical(h) == 0 && ol.typical(oh) >= 2 && os > score
		if evident && os > foundScore {
			found, foundScore = other, os
		}
	}
	return found
}

func describeGroup(s *Schema, group []Field) string {
	var labels, names []string
	for _, f := range group {
		c, _ := s.Column(f)
		labels = append(labels, c.Label)
		names = append(names, c.Synonyms...)
	}
	return fmt.Sprintf("%s（可用列名：%s）", strings.Join(labels, "或"), strings.Join(names, "/"))
}

func exampleNames(s *Schema) string {
	var names []string
	for _, group := range s.Required {
		for _, f := range group {
			c, _ := s.Column(f)
			names = append(names, c.Label)
		}
	}
	return strings.Join(names, "、")
}

func nonEmpty(ss []string) []string {
	var out []string
	for _, s := range ss {
		if s != "" {
			out = append(out, s)
		}
	}
	return out
}
