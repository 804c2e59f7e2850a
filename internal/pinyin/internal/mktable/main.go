// Command mktable builds internal/pinyin's table.bin from the character dictionary of
// github.com/mozillazg/go-pinyin (its PinyinDict: rune → comma-separated toned readings, most
// common first). Only this generator imports go-pinyin, so go.mod pins and go.sum verifies the
// dictionary, while the baoxue binary carries only the compact table.
//
// Run it through `go generate ./internal/pinyin/`. The output is deterministic.
//
// Layout of table.bin (little endian):
//
//	"PYT1"                              magic
//	u16 nSyl, u16 nBytes, nBytes        toneless syllables, sorted, space separated; id = index+1
//	u32 × denseLen                      entries of runes denseBase … denseBase+denseLen-1
//	u32 nSparse, (u32 rune, u32 entry)× entries of the other runes, sorted by rune
//	u32 nPool, u16 × nPool              heteronym pool; pool[i] = i for i ≤ nSyl
//
// An entry is primary | count<<10 | offset<<14: the most common reading (0 = none), the number of
// distinct toneless readings, and where they start in the pool. Bit 31 is left free for the
// surname flag that pinyin.New sets.
package main

import (
	"bytes"
	"encoding/binary"
	"flag"
	"fmt"
	"os"
	"slices"
	"strings"

	gopinyin "github.com/mozillazg/go-pinyin"
)

const (
	denseBase = 0x3400
	denseLen  = 0xA000 - denseBase
)

func main() {
	out := flag.String("o", "table.bin", "output file")
	flag.Parse()
	if err := run(*out); err != nil {
		fmt.Fprintln(os.Stderr, "mktable:", err)
		os.Exit(1)
	}
}

func run(out string) error {
	readings, err := dictReadings(gopinyin.PinyinDict)
	if err != nil {
		return err
	}
	data, err := build(readings)
	if err != nil {
		return err
	}
	return os.WriteFile(out, data, 0o644)
}

// dictReadings returns rune → toneless readings in dictionary order, duplicates removed.
func dictReadings(dict map[int]string) (map[rune][]string, error) {
	m := make(map[rune][]string, len(dict))
	for r, readings := range dict {
		var list []string
		for _, p := range strings.Split(readings, ",") {
			s := toneless(p)
			if s != "" && !slices.Contains(list, s) {
				list = append(list, s)
			}
		}
		if len(list) > 0 {
			m[rune(r)] = list
		}
	}
	if len(m) < 20000 {
		return nil, fmt.Errorf("the dictionary has only %d characters", len(m))
	}
	return m, nil
}

// toneless strips tone marks, writes ü as v and ê as e, and drops combining marks.
func toneless(s string) string {
	var b strings.Builder
	for _, r := range strings.TrimSpace(s) {
		switch {
		case strings.ContainsRune("āáǎà", r):
			b.WriteByte('a')
		case strings.ContainsRune("ēéěèêếề", r):
			b.WriteByte('e')
		case strings.ContainsRune("īíǐì", r):
			b.WriteByte('i')
		case strings.ContainsRune("ōóǒò", r):
			b.WriteByte('o')
		case strings.ContainsRune("ūúǔù", r):
			b.WriteByte('u')
		case strings.ContainsRune("üǖǘǚǜ", r):
			b.WriteByte('v')
		case strings.ContainsRune("ńňǹ", r):
			b.WriteByte('n')
		case r == 'ḿ':
			b.WriteByte('m')
		case r >= 'a' && r <= 'z':
			b.WriteRune(r)
		case r >= 0x300 && r <= 0x36F: // combining tone marks (m̄, ê̄)
		default:
			return "" // not a reading; skip it rather than invent a syllable
		}
	}
	return b.String()
}

func build(readings map[rune][]string) ([]byte, error) {
	var sylls []string
	seen := map[string]bool{}
	for _, list := range readings {
		for _, s := range list {
			if !seen[s] {
				seen[s] = true
				sylls = append(sylls, s)
			}
		}
	}
	slices.Sort(sylls)
	if len(sylls) > 1023 {
		return nil, fmt.Errorf("%d syllables do not fit in 10 bits", len(sylls))
	}
	id := map[string]uint16{}
	for i, s := range sylls {
		id[s] = uint16(i + 1)
	}
	pool := make([]uint16, len(sylls)+1)
	for i := range pool {
		pool[i] = uint16(i)
	}
	lists := map[string]uint32{} // shared heteronym lists
	entry := func(list []string) (uint32, error) {
		if len(list) > 15 {
			return 0, fmt.Errorf("%d readings do not fit in 4 bits", len(list))
		}
		ids := make([]uint16, len(list))
		for i, s := range list {
			ids[i] = id[s]
		}
		off := uint32(ids[0])
		if len(ids) > 1 {
			k := fmt.Sprint(ids)
			o, ok := lists[k]
			if !ok {
				o = uint32(len(pool))
				pool = append(pool, ids...)
				lists[k] = o
			}
			off = o
		}
		if off >= 1<<17 {
			return 0, fmt.Errorf("pool offset %d does not fit in 17 bits", off)
		}
		return uint32(ids[0]) | uint32(len(ids))<<10 | off<<14, nil
	}

	var buf bytes.Buffer
	le := binary.LittleEndian
	buf.WriteString("PYT1")
	names := strings.Join(sylls, " ")
	buf.Write(le.AppendUint16(nil, uint16(len(sylls))))
	buf.Write(le.AppendUint16(nil, uint16(len(names))))
	buf.WriteString(names)

	runes := make([]rune, 0, len(readings))
	for r := range readings {
		runes = append(runes, r)
	}
	slices.Sort(runes)
	dense := make([]uint32, denseLen)
	var sparse [][2]uint32
	for _, r := range runes {
		e, err := entry(readings[r])
		if err != nil {
			return nil, fmt.Errorf("U+%04X: %w", r, err)
		}
		if r >= denseBase && r < denseBase+denseLen {
			dense[r-denseBase] = e
		} else {
			sparse = append(sparse, [2]uint32{uint32(r), e})
		}
	}
	for _, e := range dense {
		buf.Write(le.AppendUint32(nil, e))
	}
	buf.Write(le.AppendUint32(nil, uint32(len(sparse))))
	for _, p := range sparse {
		buf.Write(le.AppendUint32(nil, p[0]))
		buf.Write(le.AppendUint32(nil, p[1]))
	}
	buf.Write(le.AppendUint32(nil, uint32(len(pool))))
	for _, p := range pool {
		buf.Write(le.AppendUint16(nil, p))
	}
	return buf.Bytes(), nil
}
