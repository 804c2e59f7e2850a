package compare

import (
	"context"
	"strings"

	"github.com/baoxue/baoxue"
	"github.com/baoxue/baoxue/internal/arena"
	"github.com/baoxue/baoxue/internal/match"
)

// disabilityText writes category and level the way certificates do: 智力残疾二级.
func disabilityText(cat string, level int8) string {
	levels := [...]string{"", "一级", "二级", "三级", "四级"}
	l := ""
	if level > 0 && int(level) < len(levels) {
		l = levels[level]
	}
	switch cat {
	case "":
		return ""
	case "?":
		return "残疾" + l
	}
	if strings.HasSuffix(cat, "残疾") {
		return cat + l
	}
	return cat + "残疾" + l
}

// Priority groups the comparison can tell (DESIGN §5); shared, never modified.
var (
	groupsNone     = []string{}
	groupsPoor     = []string{"poor"}
	groupsDisabled = []string{"disabled"}
	groupsBoth     = []string{"disabled", "poor"}
)

// emit writes the ledger in registry order.
func (r *run) emit(ctx context.Context, emit func(*baoxue.LedgerEntry) error) error {
	var e baoxue.LedgerEntry
	var idBuf []byte
	var ids arena.Strings             // the IDs' strings, a block at a time rather than one allocation each
	var statuses, matched tally       // into r.sum's maps at the end: a map update per child cost more
	dates := map[baoxue.Date]string{} // a county's children share a few thousand birth dates
	defer func() {
		statuses.addTo(r.sum.Statuses)
		matched.addTo(r.sum.Methods)
	}()
	for _, b := range r.batches {
		if err := ctx.Err(); err != nil {
			return err
		}
		for i := range b.children {
			c := &b.children[i]
			if c.pending {
				// Resolve decides every pending child; a child left pending is a bug in match.
				b.setResult(i, match.Result{Method: baoxue.MatchNone, Ref: -1})
			}
			r.pickExact(c)
			if c.reg == regMovedOut {
				r.sum.MovedOut++
				continue
			}
			x := b.extraOf(i)
			status, why := r.decide(c, x)
			birth, ok := dates[c.birth]
			if !ok {
				birth = c.birth.String()
				dates[c.birth] = birth
			}
			e = baoxue.LedgerEntry{SourceRow: int(c.row), Name: c.name, Sex: sexes[c.sex], BirthDate: birth,
				RegionCode: c.region, Status: status, Detail: why, MatchMethod: methods[c.method],
				MatchScore: round6(c.score), PriorityGroups: groupsNone}
			if c.valid {
				idBuf = appendID(idBuf[:0], c.key)
				e.IDNumber = ids.AddBytes(idBuf)
			} else {
				e.IDNumber = x.raw
			}
			switch {
			case c.ref < 0:
			case !c.review || status == baoxue.StatusReview || status == baoxue.StatusInvalidID:
				rec := &r.enr[c.ref]
				e.MatchedStudentNo = rec.sno
				e.SchoolCode, e.SchoolName = r.schools[rec.school].code, r.schools[rec.school].name
			default:
				// A possible match that nobody needs to review (the child is exempt): not shown.
				e.MatchMethod, e.MatchScore = baoxue.MatchNone, 0
			}
			if c.pov > 0 {
				e.Poverty, e.PovertyType = true, r.povTypes[c.pov-1]
				r.sum.Poverty++
			}
			if c.dis > 0 {
				v := r.flagSet.disVals[c.dis-1]
				e.Disability = disabilityText(v.cat, v.level)
				r.sum.Disability++
			}
			switch {
			case e.Poverty && e.Disability != "":
				e.PriorityGroups = groupsBoth
			case e.Poverty:
				e.PriorityGroups = groupsPoor
			case e.Disability != "":
				e.PriorityGroups = groupsDisabled
			}
			if c.unknown {
				r.sum.UnknownBirth++
			}
			r.sum.SchoolAge++
			statuses.add(string(status))
			matched.add(string(e.MatchMethod))
			if err := emit(&e); err != nil {
				return err
			}
		}
	}
	return nil
}

// tally counts a handful of distinct strings (statuses, match methods) without a map.
type tally struct {
	keys []string
	n    []int
}

func (t *tally) add(k string) {
	for i, x := range t.keys {
		if x == k {
			t.n[i]++
			return
		}
	}
	t.keys, t.n = append(t.keys, k), append(t.n, 1)
}

func (t *tally) addTo(m map[string]int) {
	for i, k := range t.keys {
		m[k] += t.n[i]
	}
}

// appendID appends the 18 characters of a packed ID.
func appendID(dst []byte, key uint64) []byte {
	var d [18]byte
	if last := key % 11; last == 10 {
		d[17] = 'X'
	} else {
		d[17] = '0' + byte(last)
	}
	v := key / 11
	for i := 16; i >= 0; i-- {
		d[i] = '0' + byte(v%10)
		v /= 10
	}
	return append(dst, d[:]...)
}

// round6 keeps six decimals of a probability: enough to tell 0.999 from 0.9999, and it keeps
// the ledger free of float noise such as 0.9990000000000001.
func round6(f float64) float64 {
	if f >= 1 {
		return 1
	}
	return float64(int64(f*1e6+0.5)) / 1e6
}
