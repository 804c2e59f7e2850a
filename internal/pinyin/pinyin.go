// Package pinyin maps Chinese characters to toneless pinyin syllables for matching names: a
// compact table with every reading of each character (heteronyms, most common first), the
// readings that characters take as surnames (单 Shàn, 曾 Zēng, 解 Xiè, 尉迟 Yùchí …), and the
// near-sound classes that north-western speakers and clerks typing from dictation merge
// (n/l, z/zh, c/ch, s/sh, f/h, an/ang, en/eng, in/ing).
//
// The character table is generated from github.com/mozillazg/go-pinyin's dictionary by
// `go generate` (internal/mktable) into table.bin, which is embedded. New only slices it and
// builds a few small indexes, so start-up costs well under a millisecond and the binary does not
// carry go-pinyin's 40,000-entry map, whose initialisation would otherwise run in every command.
// Surname readings and compound surnames are kept here in Go source because they are edited by
// hand.
package pinyin

import (
	_ "embed"
	"encoding/binary"
	"slices"
	"strings"
	"unicode/utf8"
)

//go:generate go run ./internal/mktable -o table.bin

//go:embed table.bin
var tableData string // immutable: a string

// Syllable is a toneless pinyin syllable (ü written v), numbered from 1 in alphabetical order.
// The zero Syllable, None, stands for a character without a known reading.
type Syllable uint16

// None is the syllable of a character the dictionary does not know (Latin letters, digits,
// private-use characters).
const None Syllable = 0

const (
	denseBase   = 0x3400 // CJK Extension A and the URO are indexed directly
	denseLen    = 0xA000 - denseBase
	primaryMask = 1<<10 - 1
	surnameFlag = 1 << 31 // the rune has a surname reading or starts a compound surname
)

// Table is the character → syllable table. It is immutable after New and safe for concurrent
// use.
type Table struct {
	names       []string   // names[s] spells s; names[0] = ""
	dense       []uint32   // entries of denseBase … denseBase+denseLen-1
	sparseRunes []uint32   // other runes, sorted
	sparse      []uint32   // their entries
	pool        []Syllable // heteronym lists; pool[s] = s for single readings
	fold        []Syllable // near-sound class representative of each syllable
	byName      map[string]Syllable
	surnames    map[rune]surname
	extended    map[rune][]Syllable // readings plus a surname reading the dictionary lacks
}

// surname is what a flagged first character of a name reads as: its own surname reading (0 if
// none) and the compound surnames it starts.
type surname struct {
	reading   Syllable
	compounds []compound
}

type compound struct {
	second rune
	s1, s2 Syllable
}

// New decodes the embedded table. It panics if the embedded data is corrupt, which only a bad
// build can cause.
func New() *Table {
	t, err := decode(tableData)
	if err != nil {
		panic("pinyin: " + err.Error())
	}
	t.buildFold()
	t.buildSurnames()
	return t
}

type decodeError string

func (e decodeError) Error() string { return string(e) }

func decode(d string) (*Table, error) {
	le := binary.LittleEndian
	b := []byte(d)
	if len(b) < 8 || string(b[:4]) != "PYT1" {
		return nil, decodeError("table.bin: bad magic")
	}
	nSyl := int(le.Uint16(b[4:]))
	nBytes := int(le.Uint16(b[6:]))
	b = b[8:]
	if len(b) < nBytes {
		return nil, decodeError("table.bin: truncated syllables")
	}
	names := append([]string{""}, strings.Split(string(b[:nBytes]), " ")...)
	if len(names) != nSyl+1 {
		return nil, decodeError("table.bin: syllable count mismatch")
	}
	b = b[nBytes:]
	t := &Table{names: names, byName: make(map[string]Syllable, nSyl)}
	for i, n := range names[1:] {
		t.byName[n] = Syllable(i + 1)
	}
	if len(b) < 4*denseLen+4 {
		return nil, decodeError("table.bin: truncated dense entries")
	}
	t.dense = make([]uint32, denseLen)
	for i := range t.dense {
		t.dense[i] = le.Uint32(b[4*i:])
	}
	b = b[4*denseLen:]
	nSparse := int(le.Uint32(b))
	b = b[4:]
	if len(b) < 8*nSparse+4 {
		return nil, decodeError("table.bin: truncated sparse entries")
	}
	t.sparseRunes = make([]uint32, nSparse)
	t.sparse = make([]uint32, nSparse)
	for i := range nSparse {
		t.sparseRunes[i] = le.Uint32(b[8*i:])
		t.sparse[i] = le.Uint32(b[8*i+4:])
	}
	b = b[8*nSparse:]
	nPool := int(le.Uint32(b))
	b = b[4:]
	if len(b) != 2*nPool || nPool <= nSyl {
		return nil, decodeError("table.bin: bad pool")
	}
	t.pool = make([]Syllable, nPool)
	for i := range t.pool {
		t.pool[i] = Syllable(le.Uint16(b[2*i:]))
	}
	return t, nil
}

// entry returns the packed entry of r: primary | count<<10 | offset<<14 (see internal/mktable).
func (t *Table) entry(r rune) uint32 {
	if u := uint32(r) - denseBase; u < denseLen {
		return t.dense[u]
	}
	if i, ok := slices.BinarySearch(t.sparseRunes, uint32(r)); ok {
		return t.sparse[i]
	}
	return 0
}

// Readings returns every toneless reading of r, the most common first, and its surname reading
// last if that is not among them (黑 hei, he). The slice is shared: do not modify it. It is empty
// for a rune without readings.
func (t *Table) Readings(r rune) []Syllable {
	e := t.entry(r)
	if e&primaryMask == 0 {
		return nil
	}
	if e&surnameFlag != 0 {
		if list, ok := t.extended[r]; ok {
			return list
		}
	}
	off := (e >> 14) & (1<<17 - 1)
	return t.pool[off : off+(e>>10)&15]
}

// Primary returns the most common reading of r, or None.
func (t *Table) Primary(r rune) Syllable { return Syllable(t.entry(r) & primaryMask) }

// Spell returns the toneless spelling of s ("zhang", "lv"), or "" for None or an unknown value.
func (t *Table) Spell(s Syllable) string {
	if int(s) < len(t.names) {
		return t.names[s]
	}
	return ""
}

// Lookup returns the syllable spelled s (toneless, ü as v), or None.
func (t *Table) Lookup(s string) Syllable { return t.byName[s] }

// Syllables returns the number of distinct syllables; valid syllables are 1 … Syllables().
func (t *Table) Syllables() int { return len(t.names) - 1 }

// isSeparator reports runes that separate the parts of a name and carry no sound: the middle dot
// of transliterated names (normalised to U+00B7 upstream, the variants are accepted anyway) and
// blanks.
func isSeparator(r rune) bool {
	switch r {
	case '·', '•', '・', '･', '‧', '∙', '⋅', '.', '-', ' ', '\u3000':
		return true
	}
	return false
}

// Name appends to dst one syllable per character of name, skipping separators (the middle dot
// of minority names and blanks): the most common reading, except that the first character or
// two read as a surname (单 shan, 曾 zeng, 尉迟 yu chi). A character without a reading appends
// None, so that positions stay aligned with characters. With a reused dst it does not allocate.
func (t *Table) Name(dst []Syllable, name string) []Syllable {
	first := true
	for i := 0; i < len(name); {
		var r rune
		if c := name[i]; c >= 0xE0 && c < 0xF0 && i+2 < len(name) {
			// Three-byte UTF-8, where all of CJK's BMP lives; continuation bytes are checked by
			// masking rather than validated, as a malformed byte only yields some rune.
			r = rune(c&0x0F)<<12 | rune(name[i+1]&0x3F)<<6 | rune(name[i+2]&0x3F)
			i += 3
		} else if c < utf8.RuneSelf {
			r = rune(c)
			i++
		} else {
			var size int
			r, size = utf8.DecodeRuneInString(name[i:])
			i += size
		}
		if isSeparator(r) {
			continue
		}
		var e uint32
		if u := uint32(r) - denseBase; u < denseLen {
			e = t.dense[u]
		} else {
			e = t.entry(r)
		}
		if first {
			first = false
			if e&surnameFlag != 0 {
				s := t.surnames[r]
				if len(s.compounds) > 0 && i < len(name) {
					r2, size := utf8.DecodeRuneInString(name[i:])
					for _, c := range s.compounds {
						if c.second == r2 {
							dst = append(dst, c.s1, c.s2)
							i += size
							goto next
						}
					}
				}
				if s.reading != None {
					dst = append(dst, s.reading)
					continue
				}
			}
		}
		dst = append(dst, Syllable(e&primaryMask))
	next:
	}
	return dst
}

// SameSound reports whether some toneless reading of a equals some reading of b (伟/玮, 单/善).
func (t *Table) SameSound(a, b rune) bool {
	if a == b {
		return true
	}
	ra, rb := t.Readings(a), t.Readings(b)
	for _, x := range ra {
		if slices.Contains(rb, x) {
			return true
		}
	}
	return false
}

// NearSoundRunes reports whether some reading of a is near some reading of b (林/玲, 陈/程).
func (t *Table) NearSoundRunes(a, b rune) bool {
	if a == b {
		return true
	}
	ra, rb := t.Readings(a), t.Readings(b)
	for _, x := range ra {
		for _, y := range rb {
			if t.fold[x] == t.fold[y] {
				return true
			}
		}
	}
	return false
}
