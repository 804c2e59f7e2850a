package gen

import (
	"cmp"
	"math/rand/v2"
	"slices"
	"strconv"

	"github.com/baoxue/baoxue"
	"github.com/baoxue/baoxue/internal/idcard"
)

// person is one registry row while its household is being built. Name parts are strings from
// the name tables, so a person costs no allocation.
type person struct {
	sur, giv, giv2 string // name = sur+giv, or giv·giv2 for a dotted minority name
	id             [18]byte
	birth          int32 // day number
	sex            uint8 // 1 male, 2 female
	rel            uint8
	status         uint8
	father, mother int16 // index in the household, -1 if not in it
	guardian       int16
	phone          [11]byte
	hasPhone       bool
	dis, disLevel  uint8
}

// Relations to the head of household (与户主关系).
const (
	relHead = iota
	relSpouse
	relSon
	relDaughter
	relGrandson
	relGranddaughter
	relFather
	relMother
	relDaughterInLaw
)

func relName(r uint8) string {
	switch r {
	case relHead:
		return "户主"
	case relSpouse:
		return "配偶"
	case relSon:
		return "子"
	case relDaughter:
		return "女"
	case relGrandson:
		return "孙子"
	case relGranddaughter:
		return "孙女"
	case relFather:
		return "父亲"
	case relMother:
		return "母亲"
	case relDaughterInLaw:
		return "儿媳"
	}
	return "其他"
}

// Registry statuses (人员状态).
const (
	regNormal = iota
	regDeceased
	regMovedOut
	regEmigrated
)

func regStatusName(s uint8) string {
	switch s {
	case regDeceased:
		return "死亡"
	case regMovedOut:
		return "迁出"
	case regEmigrated:
		return "出国(境)"
	}
	return "正常"
}

// True statuses of a child, as truth.csv names them (see the package documentation).
const (
	tsNone = iota
	tsEnrolled
	tsElsewhere
	tsHomeTaught
	tsCompleted
	tsSuspended
	tsOutOfSchool
	tsDeceased
	tsEmigrated
	tsMovedOut
	tsUnderAge
	tsOverAge
)

func truthStatusName(s uint8) string {
	switch s {
	case tsEnrolled:
		return "enrolled"
	case tsElsewhere:
		return "enrolled_elsewhere"
	case tsHomeTaught:
		return "home_taught"
	case tsCompleted:
		return "completed"
	case tsSuspended:
		return "suspended"
	case tsOutOfSchool:
		return "out_of_school"
	case tsDeceased:
		return "deceased"
	case tsEmigrated:
		return "emigrated"
	case tsMovedOut:
		return "moved_out"
	case tsUnderAge:
		return "under_age"
	case tsOverAge:
		return "over_age"
	}
	return ""
}

// 学籍状态.
const (
	esActive = iota
	esSuspended
	esTransferred
	esGraduated
	esDropped
)

// Poverty types (监测对象类型 / 脱贫属性).
func povertyTypeName(t uint8) string {
	switch t {
	case 1:
		return "脱贫户"
	case 2:
		return "脱贫不稳定户"
	case 3:
		return "边缘易致贫户"
	case 4:
		return "突发严重困难户"
	}
	return ""
}

// child is a registry child near or inside the compulsory window, or a migrant pupil, with
// everything truth.csv says about them.
type child struct {
	p          person
	regRow     int32 // 1-based within the unit; 0 for migrants
	region     string
	status     uint8
	inWindow   bool
	grade      int8 // grade of the truth record (0 none)
	file       uint8
	school     *school
	poverty    uint8 // poverty type, 0 none
	migrant    bool
	idDamage   damageKind // damage of the ID on the 学籍 side, decided once per child
	studentNo  [19]byte
	dmg        [numDataFiles]uint32 // bit k: damage kind k applied in that file
	hasRecords bool
}

// record is one row of enrollment.csv or national.csv.
type record struct {
	child    int32
	school   *school
	grade    int8
	status   uint8
	home     bool
	national bool
}

// unitResult is what a worker hands to the writer for one township: the rows of each file,
// already encoded, and the truth rows whose registry_row the writer completes.
type unitResult struct {
	idx       int
	buf       [numOutFiles][]byte
	rows      [numOutFiles]int64
	truthRows []truthRow
	schoolAge int64
	outSchool int64
	badRunes  int64
}

type truthRow struct {
	regRow   int32
	from, to int32 // the rest of the row in buf[outTruth]
}

func (r *unitResult) reset(idx int) {
	r.idx = idx
	for i := range r.buf {
		r.buf[i] = r.buf[i][:0]
	}
	r.rows = [numOutFiles]int64{}
	r.truthRows = r.truthRows[:0]
	r.schoolAge, r.outSchool, r.badRunes = 0, 0, 0
}

// worker generates units one after another, reusing its buffers.
type worker struct {
	p        *plan
	names    *nameTables
	st       *[numOutFiles]fileStyle
	gbk      *gbkTable
	asOf     int32
	year     int // school year Y
	winFirst int32
	winLast  int32
	wideFrom int32
	wideTo   int32
	minDay   int32

	popSrc, dmgSrc rand.PCG
	pop, dmg       *rand.Rand

	seq      []uint8 // per (day, sex): ID sequence numbers used in this township
	mseq     []uint8 // the same for migrant pupils' IDs
	members  []person
	kidIdx   []int32 // per member: index in children, or -1
	children []child
	records  []record
	scratch  []byte
	enc      []byte

	u         *unit
	hhSerial  int
	povSerial int
	forced    int    // heteronymous surnames placed so far in this unit
	curEth    string // ethnicity of the household being built
	lNo       int    // L/J student numbers issued
}

func newWorker(p *plan, names *nameTables, st *[numOutFiles]fileStyle, gbk *gbkTable) *worker {
	w := &worker{p: p, names: names, st: st, gbk: gbk}
	w.pop = rand.New(&w.popSrc)
	w.dmg = rand.New(&w.dmgSrc)
	asOf := p.opts.AsOf
	w.asOf = dayOfDate(asOf)
	rule := baoxue.DefaultAgeRule()
	w.year = rule.SchoolYear(asOf)
	f, l := rule.Window(asOf)
	w.winFirst, w.winLast = dayOfDate(f), dayOfDate(l)
	f, l = rule.WindowWidened(asOf, 1)
	w.wideFrom, w.wideTo = dayOfDate(f), dayOfDate(l)
	w.minDay = w.asOf - 120*366
	n := int(w.asOf-w.minDay+64) * 2
	w.seq = make([]uint8, n)
	w.mseq = make([]uint8, n)
	return w
}

func codeNum(code string) uint64 {
	n, _ := strconv.ParseUint(code, 10, 64)
	return n
}

// run generates one township into res.
func (w *worker) run(u *unit, res *unitResult) {
	res.reset(u.idx)
	w.u = u
	w.popSrc.Seed(w.p.opts.Seed, codeNum(u.code)*4+1)
	w.dmgSrc.Seed(w.p.opts.Seed^0x64616d616765, codeNum(u.code)*4+2) // "damage"
	clear(w.seq)
	clear(w.mseq)
	w.children = w.children[:0]
	w.records = w.records[:0]
	w.hhSerial, w.povSerial, w.forced, w.lNo = 0, 0, 0, 0
	var regRow int32
	for _, v := range u.villages {
		w.povSerial = 0
		for remaining := v.target; remaining > 0; {
			w.household()
			n := min(len(w.members), remaining)
			w.members = w.members[:n]
			w.emitHousehold(res, v, &regRow)
			remaining -= n
		}
	}
	res.rows[outRegistry] = int64(regRow)
	w.addMigrants()
	w.emitRecords(res)
	w.emitTruth(res)
	if w.gbk != nil {
		for f := range numOutFiles {
			if w.st[f].gbk && len(res.buf[f]) > 0 {
				var bad int
				w.enc, bad = w.gbk.encode(w.enc[:0], res.buf[f])
				res.buf[f], w.enc = w.enc, res.buf[f]
				res.badRunes += int64(bad)
			}
		}
	}
}

// ---- households ----

func (w *worker) years(y float64) int32 { return int32(y * 365.2425) }

// uniformDays returns a random offset in [lo, hi) years, in days.
func (w *worker) uniformDays(lo, hi float64) int32 {
	a, b := w.years(lo), w.years(hi)
	return a + w.pop.Int32N(b-a)
}

// birthAged returns a birth day for someone aged between lo and hi years on the as-of date.
func (w *worker) birthAged(lo, hi float64) int32 { return w.asOf - w.uniformDays(lo, hi+1) }

// childCount draws the number of children of a couple: Linxia's families are larger.
func (w *worker) childCount(linxia bool) int {
	x := w.pop.IntN(100)
	if linxia {
		switch {
		case x < 9:
			return 0
		case x < 28:
			return 1
		case x < 67:
			return 2
		case x < 91:
			return 3
		case x < 98:
			return 4
		}
		return 5
	}
	switch {
	case x < 10:
		return 0
	case x < 45:
		return 1
	case x < 85:
		return 2
	case x < 97:
		return 3
	}
	return 4
}

type hhCtx struct {
	style uint8
	eth   string
	sur   string
}

func (w *worker) add(h *hhCtx, rel, sex uint8, birth int32, sur string, father, mother int16) int16 {
	w.members = append(w.members, person{rel: rel, sex: sex, birth: birth, father: father, mother: mother, guardian: -1})
	i := int16(len(w.members) - 1)
	p := &w.members[i]
	w.name(h, p, sur)
	return i
}

// household fills w.members with one household; adults come before the children they guard.
func (w *worker) household() {
	w.members = w.members[:0]
	u := w.u
	c := u.county
	ei := c.eth.w.pickIndex(w.pop)
	h := hhCtx{style: c.eth.styles[ei], eth: c.eth.w.items[ei]}
	w.curEth = h.eth
	linxia := h.style == styleHui || c.code[:4] == "6229"
	h.sur = w.surname(&h)
	if h.style == styleHan && u.t == 0 && w.forced < len(w.names.heteronymous) && w.hhSerial%7 == 3 {
		h.sur = w.names.heteronymous[w.forced] // every county's first township shows them all
		w.forced++
	}
	r := w.pop
	x := r.IntN(100)
	switch {
	case x < 52: // a couple with children, sometimes with the head's parents
		age := 22 + (r.Float64()+r.Float64())*15
		hb := w.birthAged(age, age)
		headSex := uint8(1)
		if r.IntN(100) < 8 {
			headSex = 2
		}
		head := w.add(&h, relHead, headSex, hb, h.sur, -1, -1)
		father, mother := int16(-1), int16(-1)
		if headSex == 1 {
			father = head
		} else {
			mother = head
		}
		if r.IntN(100) < 94 {
			if headSex == 1 {
				mother = w.add(&h, relSpouse, 2, min(hb+w.uniformDays(-2, 6), w.asOf-w.years(20)), w.surname(&h), -1, -1)
			} else if r.IntN(2) == 0 {
				father = w.add(&h, relSpouse, 1, hb-w.uniformDays(-1, 5), h.sur, -1, -1)
			}
		}
		if r.IntN(100) < 30 {
			if fb := hb - w.uniformDays(22, 36); w.asOf-fb < w.years(92) {
				if r.IntN(100) < 75 {
					w.add(&h, relFather, 1, fb, h.sur, -1, -1)
				}
				if r.IntN(100) < 85 {
					w.add(&h, relMother, 2, fb+w.uniformDays(-1, 5), w.surname(&h), -1, -1)
				}
			}
		}
		w.addChildren(&h, father, mother, relSon, relDaughter, w.childCount(linxia), 20, 42, 26)
	case x < 74: // three generations: an older couple, a married son, grandchildren
		age := 48 + r.Float64()*30
		hb := w.birthAged(age, age)
		head := w.add(&h, relHead, 1, hb, h.sur, -1, -1)
		mother := int16(-1)
		if r.IntN(100) < 85 {
			mother = w.add(&h, relSpouse, 2, hb+w.uniformDays(-2, 6), w.surname(&h), -1, -1)
		}
		mb := hb
		if mother >= 0 {
			mb = w.members[mother].birth
		}
		sb := mb + w.uniformDays(20, 32)
		if w.asOf-sb >= w.years(22) { // the legal age of marriage: 22 for men, 20 for women
			son := w.add(&h, relSon, 1, sb, h.sur, head, mother)
			dil := w.add(&h, relDaughterInLaw, 2, min(sb+w.uniformDays(-1, 5), w.asOf-w.years(20)), w.surname(&h), -1, -1)
			if r.IntN(100) < 40 {
				w.addChildren(&h, head, mother, relSon, relDaughter, 1, 24, 42, 30)
			}
			w.addChildren(&h, son, dil, relGrandson, relGranddaughter, w.childCount(linxia), 19, 40, 26)
		} else {
			w.addChildren(&h, head, mother, relSon, relDaughter, w.childCount(linxia), 20, 42, 30)
		}
	case x < 86: // the elderly, sometimes with left-behind grandchildren
		age := 58 + r.Float64()*34
		hb := w.birthAged(age, age)
		headSex := uint8(1)
		if r.IntN(100) < 35 {
			headSex = 2
		}
		w.add(&h, relHead, headSex, hb, h.sur, -1, -1)
		if r.IntN(100) < 60 {
			if headSex == 1 {
				w.add(&h, relSpouse, 2, hb+w.uniformDays(-2, 6), w.surname(&h), -1, -1)
			} else {
				w.add(&h, relSpouse, 1, hb-w.uniformDays(-1, 5), h.sur, -1, -1)
			}
		}
		if r.IntN(100) < 25 {
			base := w.members[0].birth
			sur := h.sur
			if headSex == 2 && len(w.members) == 1 {
				sur = w.surname(&h) // the widow's son carries his father's name
			}
			for k := 1 + r.IntN(3); k > 0; k-- {
				b := base + w.uniformDays(40, 64)
				if b >= w.asOf {
					continue
				}
				rel, sex := uint8(relGrandson), uint8(1)
				if r.IntN(100) < 48 {
					rel, sex = relGranddaughter, 2
				}
				w.add(&h, rel, sex, b, sur, -1, -1)
			}
		}
	default: // a young adult alone, or with a parent
		age := 18 + r.Float64()*42
		hb := w.birthAged(age, age)
		sex := uint8(1 + r.IntN(2))
		w.add(&h, relHead, sex, hb, h.sur, -1, -1)
		if r.IntN(100) < 25 {
			w.add(&h, relMother, 2, hb-w.uniformDays(20, 38), w.surname(&h), -1, -1)
		}
	}
	w.finishHousehold(&h)
}

// addChildren adds up to n children of a couple, born when the mother was lo–hi years old, who
// still live in the household (not older than maxAge), eldest first.
func (w *worker) addChildren(h *hhCtx, father, mother int16, relBoy, relGirl uint8, n int, lo, hi float64, maxAge float64) {
	var base int32
	switch {
	case mother >= 0:
		base = w.members[mother].birth
	case father >= 0:
		base = w.members[father].birth + w.years(2)
	default:
		return
	}
	var births [6]int32
	k := 0
	for range n {
		b := base + w.uniformDays(lo, hi)
		if b >= w.asOf || w.asOf-b > w.years(maxAge) {
			continue
		}
		births[k] = b
		k++
	}
	slices.Sort(births[:k])
	sur := h.sur
	if father >= 0 {
		sur = w.members[father].sur
		if w.members[father].giv2 != "" || sur == "" {
			sur = h.sur
		}
	}
	if w.pop.IntN(100) < 3 && mother >= 0 && w.members[mother].sur != "" {
		sur = w.members[mother].sur
	}
	for _, b := range births[:k] {
		rel, sex := relBoy, uint8(1)
		if w.pop.IntN(1000) < 480 {
			rel, sex = relGirl, 2
		}
		w.add(h, rel, sex, b, sur, father, mother)
	}
}

func (w *worker) surname(h *hhCtx) string {
	switch h.style {
	case styleHui:
		return w.names.huiSur.pick(w.pop)
	case styleTibetan, styleKazakh:
		return ""
	}
	return w.names.hanSur.pick(w.pop)
}

// name gives p a name in the household's style and era.
func (w *worker) name(h *hhCtx, p *person, sur string) {
	r := w.pop
	nt := w.names
	y, _, _ := civil(p.birth)
	male := p.sex == 1
	era := 2
	switch {
	case y < 1975:
		era = 0
	case y < 2005:
		era = 1
	}
	hanGiven := func() string {
		if r.IntN(100) < 50 {
			if male {
				return nt.maleComposed.pick(r)
			}
			return nt.femaleComposed.pick(r)
		}
		switch {
		case male && era == 0:
			return nt.maleOld.pick(r)
		case male && era == 1:
			return nt.maleMid.pick(r)
		case male:
			return nt.maleYoung.pick(r)
		case era == 0:
			return nt.femaleOld.pick(r)
		case era == 1:
			return nt.femaleMid.pick(r)
		}
		return nt.femaleYoung.pick(r)
	}
	dotted := func() {
		p.sur = ""
		if male {
			p.giv = nt.dotMale.pick(r)
		} else {
			p.giv = nt.dotFemale.pick(r)
		}
		p.giv2 = nt.dotFather.pick(r)
		if p.father >= 0 && w.members[p.father].giv2 != "" {
			p.giv2 = w.members[p.father].giv // patronymic: the father's own name
		}
	}
	switch h.style {
	case styleHui:
		if r.IntN(1000) < 12 {
			dotted()
			return
		}
		p.sur = sur
		if p.sur == "" {
			p.sur = nt.huiSur.pick(r)
		}
		if r.IntN(100) < 65 { // most Hui families choose the same names as their Han neighbours
			p.giv = hanGiven()
		} else if male {
			p.giv = nt.huiMale.pick(r)
		} else {
			p.giv = nt.huiFemale.pick(r)
		}
	case styleTibetan:
		p.sur, p.giv = "", nt.tibetan.pick(r)
	case styleMongol:
		if r.IntN(2) == 0 {
			p.sur, p.giv = "", nt.mongol.pick(r)
			return
		}
		p.sur, p.giv = nt.hanSur.pick(r), hanGiven()
	case styleKazakh:
		if r.IntN(10) < 7 {
			dotted()
			return
		}
		p.sur, p.giv = nt.huiSur.pick(r), hanGiven()
	default:
		p.sur, p.giv = sur, hanGiven()
		if p.sur == "" {
			p.sur = nt.hanSur.pick(r)
		}
	}
}

// finishHousehold gives every member an ID, a status, a guardian, a phone and a disability.
func (w *worker) finishHousehold(h *hhCtx) {
	r := w.pop
	for i := range w.members {
		p := &w.members[i]
		w.allocID(p)
		age := ageOn(p.birth, w.asOf)
		x := r.IntN(100000)
		switch {
		case age < 18:
			switch {
			case x < 30:
				p.status = regDeceased
			case x < 90:
				p.status = regEmigrated
			case x < 390:
				p.status = regMovedOut
			}
		case age >= 70 && x < 2500, age < 70 && x < 250:
			p.status = regDeceased
		case x >= 99400 && x < 99950:
			p.status = regMovedOut
		case x >= 99950:
			p.status = regEmigrated
		}
		if age >= 18 && age <= 75 && (p.rel == relHead || r.IntN(100) < 65) {
			p.hasPhone = true
			w.phone(&p.phone)
		}
		d := r.IntN(100000)
		switch {
		case age < 18 && d < 1600, age >= 18 && age < 60 && d < 3000, age >= 60 && d < 9000:
			w.disability(p, age)
		}
	}
	for i := range w.members {
		p := &w.members[i]
		switch p.rel {
		case relSon, relDaughter, relGrandson, relGranddaughter:
		default:
			continue
		}
		if ageOn(p.birth, w.asOf) >= 18 {
			continue
		}
		switch {
		case p.father >= 0 && w.members[p.father].status == regNormal:
			p.guardian = p.father
		case p.mother >= 0 && w.members[p.mother].status == regNormal:
			p.guardian = p.mother
		case i > 0 && w.members[0].status == regNormal:
			p.guardian = 0
		}
		if g := p.guardian; g >= 0 && w.members[g].hasPhone {
			p.hasPhone, p.phone = true, w.members[g].phone
		}
	}
}

func (w *worker) disability(p *person, age int) {
	r := w.pop
	x := r.IntN(100)
	switch {
	case age < 18 && x < 30, age >= 18 && x < 8:
		p.dis = 5 // 智力
	case x < 55:
		p.dis = 4 // 肢体
	case x < 67:
		p.dis = 7 // 多重
	case x < 76:
		p.dis = 3 // 言语
	case x < 86:
		p.dis = 2 // 听力
	case x < 94:
		p.dis = 1 // 视力
	default:
		p.dis = 6 // 精神
	}
	l := r.IntN(100)
	switch {
	case l < 15:
		p.disLevel = 1
	case l < 40:
		p.disLevel = 2
	case l < 70:
		p.disLevel = 3
	default:
		p.disLevel = 4
	}
}

func (w *worker) phone(b *[11]byte) {
	x := w.pop.Uint64()
	b[0] = '1'
	b[1] = byte('3' + x%7)
	x /= 7
	for i := 2; i < 11; i++ {
		b[i] = byte('0' + x%10)
		x /= 10
	}
}

// allocID gives p a unique ID: the county's address code, the birth date and a sequence number
// from the township's own block (real sequence numbers are handed out per police station), odd
// for men. A day whose block is used up moves the birth to the next day.
func (w *worker) allocID(p *person) {
	c := w.u.county
	for {
		i := int(p.birth-w.minDay)*2 + int(p.sex-1)
		if i >= 0 && i < len(w.seq) && int(w.seq[i]) < c.blockSize {
			// Spread the numbers over the block rather than always starting at its first one.
			k := w.u.t*c.blockSize + int((uint32(w.seq[i])+uint32(i)*7919)%uint32(c.blockSize))
			w.seq[i]++
			writeID(&p.id, c.code, p.birth, 2*k+int(2-p.sex))
			return
		}
		p.birth++
		if p.birth >= w.asOf {
			p.birth -= 400 // only near the as-of date; step back past the crowded days
		}
	}
}

func writeID(id *[18]byte, addr string, birth int32, seq int) {
	copy(id[:6], addr)
	y, m, d := civil(birth)
	b := append4(id[6:6:18], y)
	b = append2(b, m)
	append2(b, d)
	id[14] = byte('0' + seq/100)
	id[15] = byte('0' + seq/10%10)
	id[16] = byte('0' + seq%10)
	id[17] = idcard.CheckDigit(id[:17])
}

// ---- rows ----

func (w *worker) emitHousehold(res *unitResult, v *village, regRow *int32) {
	st := &w.st[outRegistry]
	w.hhSerial++
	// Children first get their truth entry, so that damage in any file can be noted on it.
	w.kidIdx = w.kidIdx[:0]
	for i := range w.members {
		p := &w.members[i]
		ci := int32(-1)
		if p.birth >= w.wideFrom && p.birth <= w.wideTo {
			ci = int32(len(w.children))
			w.children = append(w.children, child{p: *p, regRow: *regRow + int32(i) + 1, region: v.code})
		}
		w.kidIdx = append(w.kidIdx, ci)
	}
	var poor uint8
	hx := w.pop.IntN(100000)
	rate := w.u.county.povertyPer100k
	if len(w.members) >= 6 {
		rate = rate * 3 / 2
	}
	if hx < int(rate) {
		t := w.pop.IntN(100)
		switch {
		case t < 80:
			poor = 1
		case t < 88:
			poor = 2
		case t < 96:
			poor = 3
		default:
			poor = 4
		}
	}
	she := 1 + w.hhSerial%12
	house := 1 + w.hhSerial/12%80
	b := res.buf[outRegistry]
	for i := range w.members {
		p := &w.members[i]
		*regRow++
		var kid *child
		if ci := w.kidIdx[i]; ci >= 0 {
			kid = &w.children[ci]
			kid.poverty = poor
		}
		b = w.appendNameField(b, st, fRegistry, p, kid)
		b = append(b, ',')
		b = w.appendIDField(b, st, fRegistry, &p.id, kid)
		b = append(b, ',')
		b = w.appendSexField(b, st, fRegistry, p.sex, kid)
		b = append(b, ',')
		b = w.appendDateField(b, st, fRegistry, p.birth, kid)
		b = append(b, ',')
		b = append(b, w.curEth...)
		b = append(b, ',')
		b = append(b, v.code[2:9]...)
		b = append5(b, w.hhSerial)
		b = append(b, ',')
		b = append(b, relName(p.rel)...)
		b = append(b, ',')
		b = append(b, v.addr...)
		b = strconv.AppendInt(b, int64(she), 10)
		b = append(b, "社"...)
		b = strconv.AppendInt(b, int64(house), 10)
		b = append(b, "号,"...)
		b = append(b, v.code...)
		b = append(b, ',')
		b = append(b, regStatusName(p.status)...)
		b = append(b, ',')
		if p.guardian >= 0 {
			g := &w.members[p.guardian]
			b = appendName(b, g)
			b = append(b, ',')
			b = append(b, g.id[:]...)
		} else {
			b = append(b, ',')
		}
		b = append(b, ',')
		if p.hasPhone {
			b = append(b, p.phone[:]...)
		}
		b = st.eol(b)
	}
	res.buf[outRegistry] = b
	if poor > 0 {
		w.emitPoverty(res, v, poor)
	}
	for i := range w.members {
		if w.members[i].dis > 0 {
			w.emitDisability(res, &w.members[i], w.kidIdx[i])
		}
	}
	for i := range w.members {
		if ci := w.kidIdx[i]; ci >= 0 {
			w.decideChild(ci, v)
		}
	}
}

func append5(b []byte, v int) []byte {
	return append(b, byte('0'+v/10000%10), byte('0'+v/1000%10), byte('0'+v/100%10), byte('0'+v/10%10), byte('0'+v%10))
}

func (w *worker) mark(kid *child, f int, k damageKind) {
	if kid != nil && k < numDamageKinds {
		kid.dmg[f] |= 1 << k
	}
}

func (w *worker) appendNameField(b []byte, st *fileStyle, f int, p *person, kid *child) []byte {
	if st.rates[dNameHomophone] == 0 && st.rates[dNameSeparator] == 0 {
		return appendName(b, p)
	}
	k := pickNameDamage(w.dmg, &st.rates, p.giv2 != "")
	if k == numDamageKinds {
		return appendName(b, p)
	}
	var ok bool
	w.scratch, ok = appendDamagedName(w.scratch[:0], w.dmg, w.names, p, k, st.gbk)
	if ok {
		w.mark(kid, f, k)
	}
	return appendField(b, w.scratch)
}

func (w *worker) appendIDField(b []byte, st *fileStyle, f int, id *[18]byte, kid *child) []byte {
	k := w.idDamage(st, id)
	w.mark(kid, f, k)
	return w.appendIDKind(b, id, k)
}

// idDamage picks the damage of one ID cell (numDamageKinds for none).
func (w *worker) idDamage(st *fileStyle, id *[18]byte) damageKind {
	if st.rates[dIDTypo] == 0 {
		return numDamageKinds
	}
	return pickIDDamage(w.dmg, &st.rates, id)
}

func (w *worker) appendIDKind(b []byte, id *[18]byte, k damageKind) []byte {
	if k == numDamageKinds {
		return append(b, id[:]...)
	}
	w.scratch = appendDamagedID(w.scratch[:0], w.dmg, id, k)
	return appendField(b, w.scratch)
}

func (w *worker) appendSexField(b []byte, st *fileStyle, f int, sex uint8, kid *child) []byte {
	num := st.sexNum
	if chance(w.dmg, st.rates[dSexCode]) {
		num = !num
		w.mark(kid, f, dSexCode)
	}
	return appendSex(b, sex, num)
}

func (w *worker) appendDateField(b []byte, st *fileStyle, f int, day int32, kid *child) []byte {
	format := st.dateFmt
	if st.rates[dBirthOffByOne] > 0 && chance(w.dmg, st.rates[dBirthOffByOne]) {
		day += int32(1 - 2*w.dmg.IntN(2))
		w.mark(kid, f, dBirthOffByOne)
	}
	if chance(w.dmg, st.rates[dDateFormat]) {
		format = (format + 1 + w.dmg.IntN(numDateFormats-1)) % numDateFormats
		w.mark(kid, f, dDateFormat)
	}
	return appendDate(b, day, format)
}

func (w *worker) emitPoverty(res *unitResult, v *village, poor uint8) {
	st := &w.st[outPoverty]
	w.povSerial++
	b := res.buf[outPoverty]
	for i := range w.members {
		p := &w.members[i]
		var kid *child
		if ci := w.kidIdx[i]; ci >= 0 {
			kid = &w.children[ci]
		}
		res.rows[outPoverty]++
		b = append(b, v.code...)
		b = append(b, byte('0'+w.povSerial/1000%10), byte('0'+w.povSerial/100%10), byte('0'+w.povSerial/10%10), byte('0'+w.povSerial%10))
		b = append(b, ',')
		b = w.appendNameField(b, st, fPoverty, p, kid)
		b = append(b, ',')
		b = w.appendIDField(b, st, fPoverty, &p.id, kid)
		b = append(b, ',')
		b = append(b, relName(p.rel)...)
		b = append(b, ',')
		b = append(b, povertyTypeName(poor)...)
		b = append(b, ',')
		b = append(b, v.code...)
		b = st.eol(b)
	}
	res.buf[outPoverty] = b
}

func (w *worker) emitDisability(res *unitResult, p *person, ci int32) {
	st := &w.st[outDisability]
	var kid *child
	if ci >= 0 {
		kid = &w.children[ci]
	}
	b := res.buf[outDisability]
	res.rows[outDisability]++
	b = w.appendNameField(b, st, fDisability, p, kid)
	b = append(b, ',')
	k := w.idDamage(st, &p.id)
	w.mark(kid, fDisability, k)
	if st.header[len(st.header)-1] == "残疾人证号" {
		b = w.appendIDKind(b, &p.id, k)
		b = append(b, ',')
		b = append(b, disabilityCategory(p.dis, st.catLong)...)
		b = append(b, ',')
		b = append(b, disabilityLevel(p.disLevel, st.levelCN)...)
		b = append(b, ',')
		b = append(b, p.id[:]...)
		b = append(b, byte('0'+p.dis), byte('0'+p.disLevel))
	} else { // only the certificate number: 18 ID characters, category and level digits
		b = w.appendIDKind(b, &p.id, k)
		if k == numDamageKinds || k == dIDTypo || k == dIDSwap || k == dIDLowerX {
			b = append(b, byte('0'+p.dis), byte('0'+p.disLevel))
		}
		b = append(b, ',')
		b = append(b, disabilityCategory(p.dis, st.catLong)...)
		b = append(b, ',')
		b = append(b, disabilityLevel(p.disLevel, st.levelCN)...)
	}
	res.buf[outDisability] = st.eol(b)
}

// ---- children ----

// decideChild settles the true status of a registry child and creates their 学籍 records.
func (w *worker) decideChild(ci int32, v *village) {
	r := w.pop
	c := &w.children[ci]
	p := &c.p
	c.inWindow = p.birth >= w.winFirst && p.birth <= w.winLast
	age := ageOn(p.birth, dayOf(w.year, 8, 31))
	delay := 0
	switch x := r.IntN(1000); {
	case x < 10:
		delay = -1
	case x < 850:
	case x < 980:
		delay = 1
	default:
		delay = 2
	}
	severe := p.dis > 0 && p.disLevel <= 2
	if severe && delay >= 0 && r.IntN(3) == 0 {
		delay++
	}
	if age == 6 && delay > 0 {
		delay = 0 // nobody in the window waits: a six-year-old out of school is a suspect
	}
	grade := age - 5 - delay
	if c.inWindow {
		// A child of compulsory age is in some grade unless truly out of school: a late starter is
		// in grade 1, an early starter past grade 9 has completed junior high. (Leaving them without
		// any 学籍 would make them indistinguishable from dropouts.)
		grade = min(max(grade, 1), 10)
	}
	switch {
	case p.status == regDeceased:
		c.status = tsDeceased
		return
	case p.status == regEmigrated:
		c.status = tsEmigrated
		return
	case p.status == regMovedOut:
		c.status = tsMovedOut
		if grade >= 1 && grade <= 9 && r.IntN(100) < 40 {
			w.addRecord(ci, w.localSchool(c, v, grade), grade, esTransferred, false, false)
		}
		return
	case grade <= 0:
		c.status = tsUnderAge
		return
	case grade >= 11:
		c.status = tsOverAge
		return
	case grade == 10:
		c.status = tsCompleted
		w.addRecord(ci, w.localSchool(c, v, 9), 9, esGraduated, false, false)
		return
	case !c.inWindow:
		c.status = tsEnrolled
		w.addRecord(ci, w.localSchool(c, v, grade), grade, esActive, false, false)
		return
	}
	// In the window and in grades 1–9: where is the child?
	oos := uint32(120)
	switch age {
	case 12:
		oos = 250
	case 13:
		oos = 500
	case 14:
		oos = 1000
	case 15:
		oos = 1600
	}
	if c.poverty > 0 {
		oos = oos * 5 / 2
	}
	switch {
	case severe:
		oos += 9000
	case p.dis > 0:
		oos += 2500
	}
	home := uint32(10)
	if severe {
		home = 35000
	}
	susp := uint32(120)
	if p.dis > 0 {
		susp = 600
	}
	x := r.Uint32N(100000)
	switch {
	case x < oos:
		c.status = tsOutOfSchool
		if r.IntN(100) < 45 {
			g := max(1, grade-1)
			w.addRecord(ci, w.localSchool(c, v, g), g, esDropped, false, false)
		}
	case x < oos+home:
		c.status = tsHomeTaught
		s := w.u.county.special
		if r.IntN(100) < 40 {
			s = w.localSchool(c, v, grade)
		}
		w.addRecord(ci, s, grade, esActive, true, false)
	case x < oos+home+susp:
		c.status = tsSuspended
		w.addRecord(ci, w.localSchool(c, v, grade), grade, esSuspended, false, false)
	case x < oos+home+susp+w.u.county.elsewherePer100k:
		c.status = tsElsewhere
		if r.IntN(100) < 30 {
			w.addRecord(ci, w.localSchool(c, v, max(1, grade-1)), max(1, grade-1), esTransferred, false, false)
		}
		w.addRecord(ci, w.abroadSchool(grade), grade, esActive, false, true)
	default:
		c.status = tsEnrolled
		s := w.localSchool(c, v, grade)
		if severe && r.IntN(100) < 45 {
			s = w.u.county.special
		}
		w.addRecord(ci, s, grade, esActive, false, false)
	}
}

// addRecord adds a 学籍 row. The last one added for a child is the one truth.csv points to,
// which is why an active record is always added last.
func (w *worker) addRecord(ci int32, s *school, grade int, status uint8, home, national bool) {
	w.records = append(w.records, record{child: ci, school: s, grade: int8(grade), status: status, home: home, national: national})
	c := &w.children[ci]
	c.school, c.grade, c.hasRecords = s, int8(grade), true
	c.file = 1
	if national {
		c.file = 2
	}
}

func (w *worker) localSchool(c *child, v *village, grade int) *school {
	u := w.u
	r := w.pop
	x := r.IntN(100)
	seat := 12
	if u.seat {
		seat = 35
	}
	if grade <= 6 {
		switch {
		case x < seat:
			return u.county.seatPrim[r.IntN(len(u.county.seatPrim))]
		case x < seat+30 || v.primary == nil:
			return u.primaries[0]
		}
		return v.primary
	}
	if x < seat {
		return u.county.seatJun[r.IntN(len(u.county.seatJun))]
	}
	return u.juniors[0]
}

func (w *worker) abroadSchool(grade int) *school {
	for {
		s := w.p.abroad[w.pop.IntN(len(w.p.abroad))]
		if (grade <= 6) == s.primary {
			return s
		}
	}
}

// addMigrants adds pupils of families who live and work here but whose 户籍 is in another
// province: they are in the local 学籍 file and in no local registry.
func (w *worker) addMigrants() {
	u := w.u
	local := 0
	for i := range w.children {
		if w.children[i].status == tsEnrolled {
			local++
		}
	}
	n := local / 80
	if u.seat {
		n = local / 25
	}
	if n == 0 && local > 0 && w.pop.IntN(80) < local {
		n = 1
	}
	na := len(w.p.migrant)
	addr := w.p.migrant[u.idx%na]
	blocks := (len(w.p.units) + na - 1) / na
	bs := 500 / blocks
	blk := u.idx / na
	for range n {
		var h hhCtx
		ei := u.county.eth.w.pickIndex(w.pop)
		h.style = u.county.eth.styles[ei]
		if h.style != styleHui {
			h.style = styleHan
		}
		h.sur = w.surname(&h)
		grade := 1 + w.pop.IntN(9)
		age := float64(grade + 5)
		if w.pop.IntN(10) == 0 {
			age++
		}
		sex := uint8(1 + w.pop.IntN(2))
		birth := dayOf(w.year, 8, 31) - w.uniformDays(age, age+1) + 1
		p := person{sex: sex, birth: birth, father: -1, mother: -1, guardian: -1}
		w.name(&h, &p, h.sur)
		for {
			i := int(p.birth-w.minDay)*2 + int(p.sex-1)
			if int(w.mseq[i]) < bs {
				k := blk*bs + int(w.mseq[i])
				w.mseq[i]++
				writeID(&p.id, addr, p.birth, 2*k+int(2-p.sex))
				break
			}
			p.birth++
		}
		ci := int32(len(w.children))
		w.children = append(w.children, child{p: p, migrant: true, region: u.code, status: tsEnrolled})
		c := &w.children[ci]
		c.inWindow = p.birth >= w.winFirst && p.birth <= w.winLast
		var s *school
		if grade <= 6 {
			s = u.primaries[w.pop.IntN(len(u.primaries))]
			if u.seat && w.pop.IntN(2) == 0 {
				s = u.county.seatPrim[w.pop.IntN(len(u.county.seatPrim))]
			}
		} else {
			s = u.juniors[0]
			if u.seat && w.pop.IntN(2) == 0 {
				s = u.county.seatJun[0]
			}
		}
		w.addRecord(ci, s, grade, esActive, false, false)
	}
}

// emitRecords writes enrollment.csv and national.csv rows, school by school.
func (w *worker) emitRecords(res *unitResult) {
	// The ID on the 学籍 side is decided once per child: a child's local and national records
	// come from the same 学籍 system and show the same ID and student number.
	for i := range w.children {
		c := &w.children[i]
		if !c.hasRecords {
			continue
		}
		f := fEnrollment
		if c.file == 2 {
			f = fNational
		}
		st := &w.st[f]
		c.idDamage = numDamageKinds
		if st.rates[dIDTypo] > 0 {
			c.idDamage = pickIDDamage(w.dmg, &st.rates, &c.p.id)
		}
		switch c.idDamage {
		case dIDMissing:
			// The 学籍 system issues a temporary number (L…, or J… for some) when there is no ID.
			c.studentNo[0] = 'L'
			if w.dmg.IntN(10) < 3 {
				c.studentNo[0] = 'J'
			}
			y, m, d := civil(c.p.birth)
			b := append4(c.studentNo[1:1:19], y)
			b = append2(b, m)
			b = append2(b, d)
			b = append4(b, w.u.idx%10000)
			w.lNo++
			append4(b, w.lNo%10000)
			c.studentNo[17], c.studentNo[18] = byte('0'+w.u.idx/10000%10), byte('0'+w.lNo/10000%10)
		case dIDTypo, dIDSwap:
			c.studentNo[0] = 'G'
			t := appendDamagedID(w.scratch[:0], w.dmg, &c.p.id, c.idDamage)
			copy(c.studentNo[1:], t)
			w.scratch = t
		default:
			c.studentNo[0] = 'G'
			copy(c.studentNo[1:], c.p.id[:])
		}
	}
	slices.SortStableFunc(w.records, func(a, b record) int {
		if a.national != b.national {
			if a.national {
				return 1
			}
			return -1
		}
		if n := cmp.Compare(a.school.code, b.school.code); n != 0 {
			return n
		}
		if n := cmp.Compare(a.grade, b.grade); n != 0 {
			return n
		}
		return cmp.Compare(a.child, b.child)
	})
	for i := range w.records {
		rec := &w.records[i]
		f, of := fEnrollment, outEnrollment
		if rec.national {
			f, of = fNational, outNational
		}
		w.emitRecord(res, rec, f, of)
	}
}

func (w *worker) emitRecord(res *unitResult, rec *record, f, of int) {
	st := &w.st[of]
	c := &w.children[rec.child]
	b := res.buf[of]
	res.rows[of]++
	b = append(b, c.studentNo[:]...)
	b = append(b, ',')
	b = w.appendNameField(b, st, f, &c.p, c)
	b = append(b, ',')
	switch c.idDamage {
	case numDamageKinds:
	case dIDTypo, dIDSwap:
		b = append(b, c.studentNo[1:]...)
		w.mark(c, f, c.idDamage)
	default:
		w.scratch = appendDamagedID(w.scratch[:0], w.dmg, &c.p.id, c.idDamage)
		b = appendField(b, w.scratch)
		w.mark(c, f, c.idDamage)
	}
	if c.idDamage == numDamageKinds {
		b = append(b, c.p.id[:]...)
	}
	b = append(b, ',')
	b = w.appendSexField(b, st, f, c.p.sex, c)
	b = append(b, ',')
	b = w.appendDateField(b, st, f, c.p.birth, c)
	b = append(b, ',')
	b = append(b, rec.school.code...)
	b = append(b, ',')
	b = append(b, rec.school.name...)
	b = append(b, ',')
	b = append(b, gradeText(int(rec.grade), st.grade, w.dmg.IntN(2) == 0)...)
	b = append(b, ',')
	switch rec.status {
	case esActive:
		b = append(b, st.inSchool...)
	case esSuspended:
		b = append(b, "休学"...)
	case esTransferred:
		b = append(b, "转出"...)
	case esGraduated:
		b = append(b, "毕业"...)
	case esDropped:
		b = append(b, "辍学"...)
	}
	b = append(b, ',')
	flagNum := st.flagNum
	if w.p.opts.Profile != ProfileClean && w.dmg.IntN(100) < 3 {
		flagNum = !flagNum
	}
	switch {
	case flagNum && rec.home:
		b = append(b, '1')
	case flagNum:
		b = append(b, '0')
	case rec.home:
		b = append(b, "是"...)
	default:
		b = append(b, "否"...)
	}
	res.buf[of] = st.eol(b)
}

// emitTruth writes truth.csv rows (without registry_row, which the writer prefixes).
func (w *worker) emitTruth(res *unitResult) {
	b := res.buf[outTruth]
	for i := range w.children {
		c := &w.children[i]
		from := int32(len(b))
		b = append(b, ',')
		b = append(b, c.p.id[:]...)
		b = append(b, ',')
		b = appendName(b, &c.p)
		b = append(b, ',')
		b = appendDate(b, c.p.birth, fmtISO)
		b = append(b, ',')
		if c.p.sex == 1 {
			b = append(b, 'M')
		} else {
			b = append(b, 'F')
		}
		b = append(b, ',')
		b = append(b, c.region...)
		b = append(b, ',')
		b = append(b, truthStatusName(c.status)...)
		b = append(b, ',')
		if c.inWindow {
			b = append(b, '1')
		} else {
			b = append(b, '0')
		}
		b = append(b, ',')
		if c.hasRecords {
			b = strconv.AppendInt(b, int64(c.grade), 10)
		}
		b = append(b, ',')
		if c.hasRecords {
			b = append(b, c.studentNo[:]...)
		}
		b = append(b, ',')
		switch c.file {
		case 1:
			b = append(b, "enrollment"...)
		case 2:
			b = append(b, "national"...)
		}
		b = append(b, ',')
		if c.hasRecords {
			b = append(b, c.school.code...)
		}
		b = append(b, ',')
		if c.poverty > 0 {
			b = append(b, '1', ',')
			b = append(b, povertyTypeName(c.poverty)...)
		} else {
			b = append(b, '0', ',')
		}
		b = append(b, ',')
		if c.p.dis > 0 {
			b = append(b, disabilityCategory(c.p.dis, false)...)
			b = append(b, ',')
			b = append(b, byte('0'+c.p.disLevel))
		} else {
			b = append(b, ',')
		}
		b = append(b, ',')
		if c.migrant {
			b = append(b, '1')
		} else {
			b = append(b, '0')
		}
		b = append(b, ',')
		first := true
		for f := range numDataFiles {
			for k := range numDamageKinds {
				if c.dmg[f]&(1<<k) != 0 {
					if !first {
						b = append(b, ';')
					}
					first = false
					b = append(b, dataFileName(f)...)
					b = append(b, '.')
					b = append(b, k.String()...)
				}
			}
		}
		b = append(b, '\n')
		res.truthRows = append(res.truthRows, truthRow{regRow: c.regRow, from: from, to: int32(len(b))})
		if c.inWindow && !c.migrant {
			res.schoolAge++
			if c.status == tsOutOfSchool {
				res.outSchool++
			}
		}
	}
	res.buf[outTruth] = b
	res.rows[outTruth] = int64(len(w.children))
}
