package compare

import (
	"context"
	"strings"

	"github.com/baoxue/baoxue"
	"github.com/baoxue/baoxue/internal/arena"
	"github.com/baoxue/baoxue/internal/idcard"
	"github.com/baoxue/baoxue/internal/match"
)

// flagRecord is what the run keeps of a poverty or disability row: 16 bytes, plus the name for
// a row whose ID is mistyped (it is confirmed by the name).
type flagRecord struct {
	key  uint64
	val  int32 // poverty: 1 + index into run.povTypes; disability: index into flagSet.dis
	name string
}

// disValue is a disability category and level.
type disValue struct {
	cat   string // "" unknown
	level int8   // 1–4, 0 unknown
}

// flagSet holds the poverty and disability registries as the run needs them, read while the
// registry is read: the rows with a valid ID and, apart, the rows with a mistyped one.
type flagSet struct {
	pov, povTypos []flagRecord
	dis, disTypos []flagRecord
	disVals       []disValue
	arena         arena.Strings
}

// readFlags streams the poverty and disability registries.
func (r *run) readFlags(ctx context.Context, in Inputs) error {
	fs := &r.flagSet
	// Millions of rows with a valid ID: collected in chunks and flattened once, rather than
	// copied over and over as a slice grows (0.6 CPU-s of a province).
	var pov, dis chunks[flagRecord]
	keep := func(id, raw, idErr, name string, val int32, valid *chunks[flagRecord], typos *[]flagRecord) {
		key, ks := matchKey(id, raw, idErr)
		switch {
		case key == 0:
		case ks == match.KeyValid:
			valid.add(flagRecord{key: key, val: val})
		case ks == match.KeyInvalid && name != "":
			*typos = append(*typos, flagRecord{key: key, val: val, name: fs.arena.Add(name)})
		}
	}
	if in.Poverty != nil {
		typeIx := map[string]int32{}
		err := in.Poverty(ctx, func(p *baoxue.PovertyRecord) error {
			r.sum.PovertyRows++
			t, ok := typeIx[p.Type]
			if !ok {
				r.povTypes = append(r.povTypes, strings.Clone(p.Type))
				t = int32(len(r.povTypes))
				typeIx[r.povTypes[t-1]] = t
			}
			keep(p.IDNumber, p.IDRaw, p.IDError, p.Name, t, &pov, &fs.povTypos)
			return ctx.Err()
		})
		if err != nil {
			return err
		}
	}
	if in.Disability != nil {
		valIx := map[disValue]int32{}
		err := in.Disability(ctx, func(d *baoxue.DisabilityRecord) error {
			r.sum.DisabilityRows++
			v := disValue{cat: d.Category, level: int8(max(min(d.Level, 4), 0))}
			if v.cat == "" && v.level == 0 {
				v.cat = "?" // in the registry, category and level unknown
			}
			x, ok := valIx[v]
			if !ok {
				v.cat = strings.Clone(v.cat)
				x = int32(len(fs.disVals))
				fs.disVals = append(fs.disVals, v)
				valIx[v] = x
			}
			id, raw, idErr := d.IDNumber, d.IDRaw, d.IDError
			if id == "" && raw == "" && len(d.CertNo) >= 18 {
				// Only a 残疾人证号: its first 18 characters are the ID, possibly mistyped.
				if c := d.CertNo[:18]; validID(c) {
					id = c
				} else {
					raw, idErr = c, idErrChecksum
				}
			}
			keep(id, raw, idErr, d.Name, x, &dis, &fs.disTypos)
			return ctx.Err()
		})
		if err != nil {
			return err
		}
	}
	fs.pov, fs.dis = pov.flatten(), dis.flatten()
	return nil
}

// validID reports whether 18 characters pass the MOD 11-2 check (enough for an ID taken from a
// 残疾人证号, whose other checks the disability registry made).
func validID(s string) bool {
	return len(s) == 18 && allDigits([]byte(s[:17])) && idcard.CheckDigit([]byte(s[:17])) == s[17]
}

// Flag precedence: a child's own row with a valid ID beats its own row with a mistyped ID, which
// beats the household (the guardian's row).
const (
	flagNone uint8 = iota
	flagHousehold
	flagOwnTypo
	flagOwn
)

// applyFlags marks the children the poverty and disability rows name.
func (r *run) applyFlags() {
	fs := &r.flagSet
	if len(fs.pov)+len(fs.povTypos)+len(fs.dis)+len(fs.disTypos) == 0 {
		return
	}
	povIx, disIx := newKeyTable(keysOf(fs.pov)), newKeyTable(keysOf(fs.dis))
	for _, b := range r.batches {
		for i := range b.children {
			c := &b.children[i]
			k := c.key
			if c.ks == match.KeyTruncated {
				k = 0
			}
			if p := povIx.first(k); p >= 0 {
				c.pov, c.povLevel = int16(fs.pov[p].val), flagOwn
			} else if p := povIx.first(c.guardKey); p >= 0 {
				c.pov, c.povLevel = int16(fs.pov[p].val), flagHousehold
			}
			for p := disIx.first(k); p >= 0; p = disIx.next[p] {
				r.setDisability(c, fs.dis[p].val)
			}
		}
	}
	if len(fs.povTypos)+len(fs.disTypos) == 0 {
		return
	}
	// Mistyped IDs: the same typo in the child's own registry row, or one typo away from the
	// child's ID, confirmed by the name.
	own := make([]uint64, 0, r.children())
	for _, b := range r.batches {
		for i := range b.children {
			c := &b.children[i]
			k := c.key
			if c.ks == match.KeyTruncated {
				k = 0
			}
			own = append(own, k)
		}
	}
	ownIx := newKeyTable(own)
	var buf []uint64
	find := func(t flagRecord, fn func(c *child)) {
		buf = append(variantKeys(buf[:0], t.key), t.key)
		for _, k := range buf {
			for p := ownIx.first(k); p >= 0; p = ownIx.next[p] {
				if c := r.child(p); match.CompareNames(r.py, c.name, t.name) <= match.NamePinyin {
					fn(c)
				}
			}
		}
	}
	for _, t := range fs.povTypos {
		find(t, func(c *child) {
			if c.povLevel < flagOwnTypo {
				c.pov, c.povLevel = int16(t.val), flagOwnTypo
			}
		})
	}
	for _, t := range fs.disTypos {
		find(t, func(c *child) { r.setDisability(c, t.val) })
	}
}

// setDisability keeps the most severe of the disability rows naming a child (the lowest level;
// a known level beats an unknown one; the first row wins a tie). val indexes flagSet.disVals.
func (r *run) setDisability(c *child, val int32) {
	v := r.flagSet.disVals[val]
	if c.dis == 0 {
		c.dis = int16(val + 1)
		return
	}
	cur := r.flagSet.disVals[c.dis-1]
	if v.level > 0 && (cur.level == 0 || cur.level > v.level) {
		c.dis = int16(val + 1)
	}
}

func keysOf(recs []flagRecord) []uint64 {
	out := make([]uint64, len(recs))
	for i, x := range recs {
		out[i] = x.key
	}
	return out
}

func (r *run) children() int {
	n := 0
	for _, b := range r.batches {
		n += len(b.children)
	}
	return n
}
