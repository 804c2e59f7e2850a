package ingest

import (
	"bytes"
	"errors"
	"io"
	"strconv"
	"unicode/utf8"
)

// xmlScanner is a minimal pull tokenizer for the XML that spreadsheet programs write. It is not
// a general XML parser: it knows start tags, end tags, text, CDATA, comments and processing
// instructions, and refuses any DTD, so no entity can be declared and nothing can expand. It
// exists because encoding/xml allocates for every token and worksheets have millions of them.
// Token data points into the scanner's buffer and is valid until the next call to next.
type xmlScanner struct {
	r        io.Reader
	buf      []byte
	pos, end int
	eof      bool
	max      int   // the longest single token (tag or text run)
	consumed int64 // bytes dropped from the front of the buffer

	kind        tokKind
	selfClosing bool
	local       []byte // local name of a tag (prefix stripped)
	attrs       []byte // raw attributes of a start tag
	text        []byte // raw text: entities not yet decoded (none in CDATA)
	cdata       bool
}

type tokKind uint8

const (
	tokEOF tokKind = iota
	tokStart
	tokEnd
	tokText
)

// Scanner errors; the caller wraps them with the file and part.
var (
	errDTD       = errors.New("包含 DTD（文档类型定义）；表格文件从不需要它，可能是恶意构造的“XML 炸弹”")
	errXMLSyntax = errors.New("XML 结构不完整")
	errTokenSize = errors.New("XML 元素过大")
)

func newXMLScanner(r io.Reader, max int) *xmlScanner {
	return &xmlScanner{r: r, buf: make([]byte, 64<<10), max: max}
}

// offset is how many bytes of input have been tokenized.
func (x *xmlScanner) offset() int64 { return x.consumed + int64(x.pos) }

// fill keeps buf[pos:end], moves it to the front and reads more; it grows the buffer when a
// token does not fit, up to max.
func (x *xmlScanner) fill() error {
	if x.pos > 0 {
		copy(x.buf, x.buf[x.pos:x.end])
		x.end -= x.pos
		x.consumed += int64(x.pos)
		x.pos = 0
	}
	if x.end == len(x.buf) {
		if len(x.buf) >= x.max {
			return errTokenSize
		}
		nb := make([]byte, min(2*len(x.buf), x.max))
		copy(nb, x.buf[:x.end])
		x.buf = nb
	}
	for {
		n, err := x.r.Read(x.buf[x.end:])
		x.end += n
		if errors.Is(err, io.EOF) {
			x.eof = true
			return nil
		}
		if err != nil {
			return err
		}
		if n > 0 {
			return nil
		}
	}
}

// next advances to the next token.
func (x *xmlScanner) next() error {
	for {
		if x.pos >= x.end {
			if x.eof {
				x.kind = tokEOF
				return nil
			}
			if err := x.fill(); err != nil {
				return err
			}
			continue
		}
		if x.buf[x.pos] != '<' {
			i := bytes.IndexByte(x.buf[x.pos:x.end], '<')
			if i < 0 {
				if !x.eof {
					if err := x.fill(); err != nil {
						return err
					}
					continue
				}
				i = x.end - x.pos
			}
			x.kind, x.text, x.cdata = tokText, x.buf[x.pos:x.pos+i], false
			x.pos += i
			return nil
		}
		done, err := x.tag()
		if err != nil {
			return err
		}
		if done {
			return nil
		}
	}
}

// tag reads the markup at pos. It returns false for markup that is skipped (comments,
// processing instructions) and for "need more input" after a fill.
func (x *xmlScanner) tag() (bool, error) {
	data := x.buf[x.pos:x.end]
	more := func() (bool, error) {
		if x.eof {
			return false, errXMLSyntax
		}
		return false, x.fill()
	}
	if len(data) < 2 {
		return more()
	}
	switch data[1] {
	case '/':
		i := bytes.IndexByte(data, '>')
		if i < 0 {
			return more()
		}
		x.kind, x.selfClosing = tokEnd, false
		x.local = localName(bytes.TrimSpace(data[2:i]))
		x.pos += i + 1
		return true, nil
	case '?':
		i := bytes.Index(data, []byte("?>"))
		if i < 0 {
			return more()
		}
		x.pos += i + 2
		return false, nil
	case '!':
		if len(data) < 9 {
			if x.eof && !bytes.HasPrefix(data, []byte("<!--")) {
				return false, errXMLSyntax
			}
			if !x.eof {
				return more()
			}
		}
		switch {
		case bytes.HasPrefix(data, []byte("<!--")):
			i := bytes.Index(data[4:], []byte("-->"))
			if i < 0 {
				return more()
			}
			x.pos += 4 + i + 3
			return false, nil
		case bytes.HasPrefix(data, []byte("<![CDATA[")):
			i := bytes.Index(data[9:], []byte("]]>"))
			if i < 0 {
				return more()
			}
			x.kind, x.text, x.cdata = tokText, data[9:9+i], true
			x.pos += 9 + i + 3
			return true, nil
		}
		return false, errDTD
	}
	// A start tag: find the '>' that is not inside a quoted attribute value, jumping over values.
	end := -1
	for i := 1; i < len(data); i++ {
		c := data[i]
		if c == '>' {
			end = i
			break
		}
		if c == '"' || c == '\'' {
			k := bytes.IndexByte(data[i+1:], c)
			if k < 0 {
				break
			}
			i += k + 1
		}
	}
	if end < 0 {
		return more()
	}
	body := data[1:end]
	x.selfClosing = len(body) > 0 && body[len(body)-1] == '/'
	if x.selfClosing {
		body = body[:len(body)-1]
	}
	n := 0
	for n < len(body) && !isXMLSpace(body[n]) {
		n++
	}
	if n == 0 {
		return false, errXMLSyntax
	}
	x.kind, x.local, x.attrs = tokStart, localName(body[:n]), body[n:]
	x.pos += end + 1
	return true, nil
}

func isXMLSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

func localName(qname []byte) []byte {
	if i := bytes.LastIndexByte(qname, ':'); i >= 0 {
		return qname[i+1:]
	}
	return qname
}

// nextAttr splits the first attribute off a start tag's attribute bytes: its local name, its raw
// value, and the rest. ok is false when no (well-formed) attribute is left.
func nextAttr(a []byte) (name, val, rest []byte, ok bool) {
	i := 0
	for i < len(a) && isXMLSpace(a[i]) {
		i++
	}
	eq := bytes.IndexByte(a[i:], '=')
	if eq < 0 {
		return nil, nil, nil, false
	}
	name = a[i : i+eq]
	for len(name) > 0 && isXMLSpace(name[len(name)-1]) {
		name = name[:len(name)-1]
	}
	j := i + eq + 1
	for j < len(a) && isXMLSpace(a[j]) {
		j++
	}
	if j >= len(a) || (a[j] != '"' && a[j] != '\'') {
		return nil, nil, nil, false
	}
	end := bytes.IndexByte(a[j+1:], a[j])
	if end < 0 {
		return nil, nil, nil, false
	}
	return localName(name), a[j+1 : j+1+end], a[j+2+end:], true
}

// attr returns the raw value of the attribute with this local name in the current start tag.
func (x *xmlScanner) attr(name string) ([]byte, bool) {
	a := x.attrs
	for {
		key, val, rest, ok := nextAttr(a)
		if !ok {
			return nil, false
		}
		if string(key) == name {
			return val, true
		}
		a = rest
	}
}

// skip consumes everything up to and including the end tag of the element whose start tag was
// just read.
func (x *xmlScanner) skip() error {
	if x.selfClosing {
		return nil
	}
	depth := 1
	for depth > 0 {
		if err := x.next(); err != nil {
			return err
		}
		switch x.kind {
		case tokStart:
			if !x.selfClosing {
				depth++
			}
		case tokEnd:
			depth--
		case tokEOF:
			return errXMLSyntax
		}
	}
	return nil
}

// appendText appends text with entities decoded and line ends normalised as XML requires.
func appendText(dst, raw []byte, cdata bool) []byte {
	if cdata || (bytes.IndexByte(raw, '&') < 0 && bytes.IndexByte(raw, '\r') < 0) {
		if !cdata {
			return append(dst, raw...)
		}
		return appendNormalisedCR(dst, raw)
	}
	for len(raw) > 0 {
		i := bytes.IndexAny(raw, "&\r")
		if i < 0 {
			return append(dst, raw...)
		}
		dst = append(dst, raw[:i]...)
		raw = raw[i:]
		if raw[0] == '\r' {
			dst = append(dst, '\n')
			raw = raw[1:]
			if len(raw) > 0 && raw[0] == '\n' {
				raw = raw[1:]
			}
			continue
		}
		semi := bytes.IndexByte(raw, ';')
		if semi < 0 || semi > 12 {
			dst = append(dst, '&')
			raw = raw[1:]
			continue
		}
		ent := raw[1:semi]
		if r, ok := entity(ent); ok {
			dst = utf8.AppendRune(dst, r)
		} else {
			dst = append(dst, raw[:semi+1]...) // unknown: kept literally, never expanded
		}
		raw = raw[semi+1:]
	}
	return dst
}

func appendNormalisedCR(dst, raw []byte) []byte {
	for {
		i := bytes.IndexByte(raw, '\r')
		if i < 0 {
			return append(dst, raw...)
		}
		dst = append(append(dst, raw[:i]...), '\n')
		raw = raw[i+1:]
		if len(raw) > 0 && raw[0] == '\n' {
			raw = raw[1:]
		}
	}
}

func entity(name []byte) (rune, bool) {
	switch string(name) {
	case "lt":
		return '<', true
	case "gt":
		return '>', true
	case "amp":
		return '&', true
	case "quot":
		return '"', true
	case "apos":
		return '\'', true
	}
	if len(name) < 2 || name[0] != '#' {
		return 0, false
	}
	var n uint64
	var err error
	if name[1] == 'x' {
		n, err = strconv.ParseUint(string(name[2:]), 16, 32)
	} else {
		n, err = strconv.ParseUint(string(name[1:]), 10, 32)
	}
	if err != nil || n > utf8.MaxRune {
		return 0, false
	}
	return rune(n), true
}

// decodeOOXMLEscapes replaces the _xHHHH_ escapes that OOXML uses for characters XML cannot hold
// (ECMA-376 Part 1, 22.9.2.19 ST_Xstring); _x005F_ is an escaped underscore.
func decodeOOXMLEscapes(s []byte) []byte {
	if bytes.Index(s, []byte("_x")) < 0 {
		return s
	}
	out := make([]byte, 0, len(s))
	for i := 0; i < len(s); {
		if i+7 <= len(s) && s[i] == '_' && s[i+1] == 'x' && s[i+6] == '_' && isHex4(s[i+2:i+6]) {
			v, _ := strconv.ParseUint(string(s[i+2:i+6]), 16, 16)
			r := rune(v)
			if !utf8.ValidRune(r) {
				r = utf8.RuneError
			}
			out = utf8.AppendRune(out, r)
			i += 7
			continue
		}
		out = append(out, s[i])
		i++
	}
	return out
}

func isHex4(b []byte) bool {
	for _, c := range b {
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F') {
			return false
		}
	}
	return true
}
