package compare

import (
	"strings"

	"github.com/baoxue/baoxue"
	"github.com/baoxue/baoxue/internal/idcard"
	"github.com/baoxue/baoxue/internal/match"
	"github.com/baoxue/baoxue/internal/normalize"
)

// pickExact chooses among the 学籍 rows that share the child's ID. Rows whose name could be the
// child's (anything but a plainly different name) come first, and among them the row that settles
// the child's schooling most (在读 before 休学, 毕业, 辍学, 转出), then the closest name. A child
// with an old 转出 row and an active row elsewhere is enrolled whichever the files list first,
// even when one of the two spells the name a little differently; a sibling's row carrying the
// child's ID by mistake (another name) never wins over the child's own.
func (r *run) pickExact(c *child) {
	if !c.dups || c.ks == match.KeyTruncated {
		return
	}
	first := r.enrKeys.first(c.key)
	if first < 0 || r.enrKeys.next[first] < 0 {
		return
	}
	rank := func(p int32) (int, uint8, match.NameLevel) {
		lv := match.CompareNames(r.py, c.name, r.dupName[p])
		other := 0
		if lv >= match.NameDifferent {
			other = 1
		}
		return other, r.enr[p].status, lv
	}
	best := first
	bo, bs, bl := rank(first)
	for p := r.enrKeys.next[first]; p >= 0; p = r.enrKeys.next[p] {
		o, s, l := rank(p)
		if o < bo || o == bo && (s < bs || s == bs && l < bl) {
			best, bo, bs, bl = p, o, s, l
		}
	}
	c.ref = best
}

// decide gives the child its status and the reason an official reads (package comment).
func (r *run) decide(c *child, x *childExtra) (baoxue.LedgerStatus, string) {
	linked := c.ref >= 0 && !c.review
	var rec *enrollment
	if c.ref >= 0 {
		rec = &r.enr[c.ref]
	}
	var d detail

	if !c.valid {
		d.add("户籍身份证号无效：" + idMessage(x.idErr))
		if c.unknown {
			d.add("出生日期也无法确定，无法判断是否适龄")
		}
		switch {
		case linked:
			d.add("学籍中找到本人（" + r.describe(rec) + "）：" + x.reasonText())
		case c.ref >= 0:
			d.add("学籍中有疑似本人的记录（" + r.describe(rec) + "），需人工确认：" + x.reasonText())
		default:
			d.add("学籍中未找到，可能失学辍学，请优先核实")
		}
		return baoxue.StatusInvalidID, d.String()
	}

	switch c.reg {
	case regDeceased, regEmigrated:
		if c.reg == regDeceased {
			d.add("户籍人员状态为死亡")
		} else {
			d.add("户籍人员状态为出国(境)")
		}
		if linked && rec.status == enrollActive {
			d.add("但学籍中有在读记录（" + r.describe(rec) + "），请核实户籍或学籍")
		}
		return baoxue.StatusExempt, d.String()
	case regCancelled, regOther:
		d.add("户籍人员状态为“" + clean(x.statusRaw, "注销") + "”")
	}

	if c.ref < 0 {
		if c.reg == regCancelled || c.reg == regOther {
			d.add("学籍中未找到，请核实户籍状态和就学情况")
			return baoxue.StatusReview, d.String()
		}
		if r.opts.ExactOnly {
			d.add("未找到学籍：学籍中没有相同的身份证号（仅按身份证号比对）")
		} else {
			d.add("未找到学籍：本地学籍和外省学籍中均无该身份证号，按姓名、出生日期也未找到")
		}
		return baoxue.StatusSuspected, d.String()
	}
	if c.review {
		d.add("疑似学籍记录（" + r.describe(rec) + "）需人工确认是否为同一人：" + x.reasonText())
		return baoxue.StatusReview, d.String()
	}

	switch c.method {
	case methodVariant:
		d.add("按身份证号近似比对：" + x.reasonText())
	case methodFuzzy:
		d.add("按姓名、出生日期等比对：" + x.reasonText())
	default:
		if x.reason != "" {
			d.add(x.reason)
		}
	}
	switch rec.status {
	case enrollActive:
		switch {
		case rec.home:
			return baoxue.StatusHomeTaught, d.String()
		case rec.national:
			return baoxue.StatusEnrolledElsewhere, d.String()
		}
		return baoxue.StatusEnrolled, d.String()
	case enrollSuspended:
		d.add("学籍状态为休学，请跟踪复学")
		if rec.national {
			return baoxue.StatusEnrolledElsewhere, d.String()
		}
		return baoxue.StatusEnrolled, d.String()
	case enrollGraduated:
		if rec.grade > 0 && rec.grade < 9 {
			d.add("学籍显示" + normalize.GradeLabel(int(rec.grade)) + "毕业，未找到升学后的学籍")
			return baoxue.StatusSuspected, d.String()
		}
		return baoxue.StatusCompleted, d.String()
	case enrollDropped:
		d.add(DetailDropped + "（" + r.describe(rec) + "）")
		return baoxue.StatusSuspected, d.String()
	case enrollTransferred:
		d.add("学籍已转出（" + r.describe(rec) + "），未找到转入学籍")
		return baoxue.StatusSuspected, d.String()
	}
	d.add("学籍状态不明（" + r.describe(rec) + "），请核实")
	return baoxue.StatusReview, d.String()
}

// reasonText is the reason of the child's match; a plain identical ID has none stored.
func (x *childExtra) reasonText() string {
	if x.reason == "" {
		return reasonExact
	}
	return x.reason
}

// describe names a 学籍 row for a reason: school, grade and status.
func (r *run) describe(e *enrollment) string {
	var b strings.Builder
	s := r.schools[e.school]
	switch {
	case s.name != "":
		b.WriteString(s.name)
	case s.code != "":
		b.WriteString("学校标识码" + s.code)
	default:
		b.WriteString("学校不详")
	}
	if e.national {
		b.WriteString("，外省学籍")
	}
	if g := normalize.GradeLabel(int(e.grade)); g != "" {
		b.WriteString("，" + g)
	}
	switch e.status {
	case enrollActive:
		b.WriteString("，在读")
	case enrollSuspended:
		b.WriteString("，休学")
	case enrollGraduated:
		b.WriteString("，毕业")
	case enrollDropped:
		b.WriteString("，辍学")
	case enrollTransferred:
		b.WriteString("，转出")
	}
	if e.home {
		b.WriteString("，送教上门")
	}
	return b.String()
}

// detail joins the parts of a reason with "；".
type detail struct{ parts []string }

func (d *detail) add(s string) { d.parts = append(d.parts, s) }

func (d *detail) String() string { return strings.Join(d.parts, "；") }

func clean(s, fallback string) string {
	if s = strings.TrimSpace(s); s == "" {
		return fallback
	}
	return s
}

// idMessage is the Chinese explanation of an idcard error code.
func idMessage(code string) string {
	for c := idcard.ErrEmpty; c <= idcard.ErrPrecisionLost; c++ {
		if c.String() == code {
			return c.Message()
		}
	}
	if code == "" {
		return idcard.ErrEmpty.Message()
	}
	return "身份证号无法使用（" + code + "）"
}

// DetailDropped begins the reason of a child whose 学籍 says 辍学; such a child is a confirmed
// dropout for the 辍学学生台账 (DESIGN §2), whereas the other suspects still need verification.
const DetailDropped = "学籍状态为辍学"

// ConfirmedDropout reports whether a ledger entry belongs in the 辍学学生台账: suspected because its
// own 学籍 row says 辍学.
func ConfirmedDropout(e *baoxue.LedgerEntry) bool {
	return e.Status == baoxue.StatusSuspected && e.MatchedStudentNo != "" && strings.Contains(e.Detail, DetailDropped)
}
