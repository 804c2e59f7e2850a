package match

import (
	"cmp"
	"math"
	"slices"
	"strings"
	"sync"

	"github.com/baoxue/baoxue"
	"github.com/baoxue/baoxue/internal/pinyin"
)

// Options tune a Matcher. The zero Options gives the calibrated defaults.
type Options struct {
	// LinkProbability is the least probability of being right for an automatic id_variant or
	// fuzzy link (default 0.999, the precision bar for automatic links).
	LinkProbability float64
	// ReviewOdds is the least odds (match : no match, before competing candidates are taken
	// into account) for a pair to be put before a person (default 1).
	ReviewOdds float64
	// Pinyin is the character table; nil builds one.
	Pinyin *pinyin.Table
}

const (
	defaultLinkProbability = 0.999
	defaultReviewOdds      = 1
	maxCandidates          = 4   // kept per child after scoring
	maxScored              = 256 // compared per child, a guard against a huge block
)

// Result is the outcome for one registry child.
type Result struct {
	Method baoxue.MatchMethod
	// Score is the probability that Ref is this child's record: 1 for id_exact; for id_variant
	// and fuzzy the Fellegi–Sunter posterior after competing candidates on both sides (the
	// child's other candidates, other children wanting the same record) are taken into
	// account; 0 when there is no candidate.
	Score float64
	// Ref is the Record.Ref of the enrollment linked (or proposed, when Review is set), or -1.
	Ref int32
	// Review is set when a person must decide: Ref is a possible match, not a link.
	Review bool
	// Reason explains the decision in Chinese for county officials, e.g.
	// "身份证号第12位不同；姓名同音（张玮/张伟）；出生日期相同".
	Reason string
	// Duplicates counts the other enrollment records with the same ID (id_exact only).
	Duplicates int
	// Pending is set when the outcome is provisional: Resolve decides it.
	Pending bool
}

// Decision is Resolve's final Result for one pending child.
type Decision struct {
	Child int32 // the child's Record.Ref
	Result
}

// enr is an enrollment record as the Matcher keeps it: 40 bytes plus the name and guardian
// bytes in a shared arena.
type enr struct {
	key      uint64
	region   uint64 // regionCode
	birth    baoxue.Date
	ref      int32
	nameOff  uint32
	guardOff uint32
	nameLen  uint8
	guardLen uint8
	sex      uint8
	ks       KeyState
}

func (e *enr) inPool() bool { return e.key == 0 || e.ks != KeyValid }

type nameKey struct {
	key uint64
	pos uint32
}

// Matcher links registry children to enrollment records. Build it once from the enrollment
// side, call Match for every registry child (from several goroutines if wanted), then Resolve.
//
// The enrollment records are kept in one array: first the pool — records without a valid ID
// (no ID, a typo'd ID, an ID truncated by Excel), which are the only candidates of the fuzzy
// stage for a child with a valid ID — then the records with valid IDs; each part sorted by
// (birth date, sex, Ref) so that a birth-date block is a binary search.
type Matcher struct {
	py    *pinyin.Table
	w     weightTable
	link  float64 // LinkProbability
	rbits float64 // log2(ReviewOdds)

	recs  []enr
	nPool int
	text  string              // names and guardians
	keys  keyIndex            // every valid or typo'd ID
	typos keyIndex            // the typo'd IDs (KeyInvalid) alone, small enough to stay in cache
	dups  map[uint32][]uint32 // first position of a repeated key → its other positions
	names []nameKey           // pool records by county and folded pinyin of the name

	freqHash  []uint64 // sorted hashes of distinct enrollment names
	freqCount []uint32
	total     int

	mu       sync.Mutex
	claimed  []uint64 // bitset over recs: taken by an exact ID match
	pending  []pendingChild
	children int // Match calls
	unkeyed  int // children with a valid ID but no exact match: the ones compared with the pool
}

type pendingChild struct {
	rec   Record
	cands []cand
}

type cand struct {
	pos    uint32
	lo     float64 // log2 odds of being the child's record: weight + prior, see Matcher.prior
	w      float64 // Fellegi–Sunter match weight alone
	lv     levels
	method baoxue.MatchMethod
}

// NewMatcher indexes the enrollment records.
func NewMatcher(enrollments []Record, opts Options) *Matcher {
	m := &Matcher{
		py:    opts.Pinyin,
		w:     defaultWeights(),
		link:  opts.LinkProbability,
		rbits: math.Log2(defaultReviewOdds),
	}
	if m.py == nil {
		m.py = pinyin.New()
	}
	if m.link <= 0 || m.link >= 1 {
		m.link = defaultLinkProbability
	}
	if opts.ReviewOdds > 0 {
		m.rbits = math.Log2(opts.ReviewOdds)
	}

	// Order the records by (pool first, birth date, sex, Ref) through a packed sort key, which
	// sorts several times faster than the records themselves, then lay them out in that order.
	type sortItem struct {
		key uint64
		idx uint32
	}
	order := make([]sortItem, len(enrollments))
	size := 0
	for i := range enrollments {
		r := &enrollments[i]
		size += len(clip(r.Name)) + len(clip(r.Guardian))
		pool := uint64(0)
		if r.Key == 0 || r.KeyState != KeyValid {
			pool = 1
		}
		day := uint64(0)
		if validDate(r.Birth) {
			day = uint64(max(dayNumber(r.Birth)+dayOffset, 0)) // positive from 1751 on
		}
		order[i] = sortItem{key: (1-pool)<<63 | day<<36 | uint64(sexCode(r.Sex))<<32 | uint64(uint32(r.Ref)^1<<31), idx: uint32(i)}
	}
	slices.SortFunc(order, func(a, b sortItem) int { return cmp.Compare(a.key, b.key) })

	var arena strings.Builder // String does not copy
	arena.Grow(size)
	m.recs = make([]enr, len(enrollments))
	for j, it := range order {
		r := &enrollments[it.idx]
		e := enr{key: r.Key, ks: r.KeyState, birth: r.Birth, ref: r.Ref, region: regionCode(r.Region), sex: sexCode(r.Sex)}
		if !validDate(e.birth) {
			e.birth = 0
		}
		name, guard := clip(r.Name), clip(r.Guardian)
		e.nameOff, e.nameLen = uint32(arena.Len()), uint8(len(name))
		arena.WriteString(name)
		e.guardOff, e.guardLen = uint32(arena.Len()), uint8(len(guard))
		arena.WriteString(guard)
		m.recs[j] = e
	}
	m.text = arena.String()
	for m.nPool < len(m.recs) && m.recs[m.nPool].inPool() {
		m.nPool++
	}
	m.claimed = make([]uint64, (len(m.recs)+63)/64)

	// Exact index over valid and typo'd IDs (not truncated ones, whose last digits are gone).
	n := 0
	for i := range m.recs {
		if m.recs[i].key != 0 && m.recs[i].ks != KeyTruncated {
			n++
		}
	}
	nTypos := 0
	for i := range m.nPool {
		if m.recs[i].key != 0 && m.recs[i].ks == KeyInvalid {
			nTypos++
		}
	}
	m.keys, m.typos = newKeyIndex(n), newKeyIndex(nTypos)
	keyAt := func(p uint32) uint64 { return m.recs[p].key }
	for i := range m.recs {
		e := &m.recs[i]
		if e.key == 0 || e.ks == KeyTruncated {
			continue
		}
		if first := m.keys.insert(e.key, uint32(i), keyAt); first != uint32(i) {
			if m.dups == nil {
				m.dups = make(map[uint32][]uint32)
			}
			m.dups[first] = append(m.dups[first], uint32(i))
			continue
		}
		if e.ks == KeyInvalid {
			m.typos.insert(e.key, uint32(i), keyAt)
		}
	}

	// Name frequencies over all enrollments, for the term-frequency adjustment.
	hashes := make([]uint64, len(m.recs))
	for i := range m.recs {
		hashes[i] = nameHash(m.name(&m.recs[i]))
	}
	slices.Sort(hashes)
	for i := 0; i < len(hashes); {
		j := i + 1
		for j < len(hashes) && hashes[j] == hashes[i] {
			j++
		}
		m.freqHash = append(m.freqHash, hashes[i])
		m.freqCount = append(m.freqCount, uint32(j-i))
		i = j
	}
	m.total = len(m.recs)

	// Pinyin blocking over the pool.
	var syl []pinyin.Syllable
	m.names = make([]nameKey, 0, m.nPool)
	for i := range m.nPool {
		e := &m.recs[i]
		if e.nameLen == 0 {
			continue
		}
		syl = m.py.Name(syl[:0], m.name(e))
		m.names = append(m.names, nameKey{key: m.pinyinKey(county(e.region), syl), pos: uint32(i)})
	}
	slices.SortFunc(m.names, func(a, b nameKey) int { return cmp.Or(cmp.Compare(a.key, b.key), cmp.Compare(a.pos, b.pos)) })
	return m
}

// clip bounds a stored string to 255 bytes at a character boundary.
func clip(s string) string {
	if len(s) <= 255 {
		return s
	}
	i := 255
	for i > 0 && s[i]&0xC0 == 0x80 {
		i--
	}
	return s[:i]
}

func (m *Matcher) name(e *enr) string     { return m.text[e.nameOff : e.nameOff+uint32(e.nameLen)] }
func (m *Matcher) guardian(e *enr) string { return m.text[e.guardOff : e.guardOff+uint32(e.guardLen)] }

// blockKey orders records by birth date, then sex, as NewMatcher lays them out.
func blockKey(d baoxue.Date, sex uint8) uint64 { return uint64(d)<<2 | uint64(sex) }

// dayOffset makes dayNumber positive from 1800 on; day 0 is kept for unknown dates.
const dayOffset = 80_000

// nameHash is FNV-1a over the name without separators.
func nameHash(s string) uint64 {
	h := uint64(14695981039346656037)
	for _, r := range s {
		if isSep(r) {
			continue
		}
		h ^= uint64(r)
		h *= 1099511628211
	}
	return h
}

// pinyinKey combines a county with the near-sound classes of a name's syllables.
func (m *Matcher) pinyinKey(county uint32, syl []pinyin.Syllable) uint64 {
	h := uint32(2166136261)
	for _, s := range syl {
		f := m.py.Fold(s)
		h ^= uint32(f)
		h *= 16777619
		h ^= uint32(f >> 8)
		h *= 16777619
	}
	return uint64(county)<<32 | uint64(h)
}

// tf returns the share of enrollment records named s.
func (m *Matcher) tf(s string) float64 {
	if m.total == 0 {
		return 0
	}
	i, ok := slices.BinarySearch(m.freqHash, nameHash(s))
	if !ok {
		return 0
	}
	return float64(m.freqCount[i]) / float64(m.total)
}

// Len returns the number of enrollment records indexed.
func (m *Matcher) Len() int { return len(m.recs) }

// positions appends the positions of the records with key.
func (m *Matcher) positions(dst []uint32, key uint64) []uint32 {
	return m.positionsIn(&m.keys, dst, key)
}

// positionsIn looks key up in ix (keys or typos; both store the first position of a key).
func (m *Matcher) positionsIn(ix *keyIndex, dst []uint32, key uint64) []uint32 {
	p, ok := ix.lookup(key, func(p uint32) uint64 { return m.recs[p].key })
	if !ok {
		return dst
	}
	dst = append(dst, p)
	if m.dups != nil {
		dst = append(dst, m.dups[p]...)
	}
	return dst
}

// Match finds the enrollment record of a registry child. An id_exact result, and a result
// without any candidate, are final; otherwise Result.Pending is set, Method, Ref and Score name
// the best candidate so far (without Reason), and Resolve gives the decision, because another
// child may compete for the same record. Match is safe for concurrent use.
func (m *Matcher) Match(child Record) Result {
	var posBuf [8]uint32
	hasKey := child.Key != 0 && child.KeyState != KeyTruncated
	if hasKey {
		if ps := m.positions(posBuf[:0], child.Key); len(ps) > 0 {
			return m.exact(child, ps)
		}
	}
	m.mu.Lock()
	m.children++
	if child.Key != 0 && child.KeyState == KeyValid {
		m.unkeyed++
	}
	m.mu.Unlock()
	var pr probe
	m.newProbe(child, &pr)
	var cands []cand
	if hasKey {
		cands = m.variants(&pr, cands)
	}
	cands = m.fuzzy(&pr, cands)
	if len(cands) == 0 {
		return Result{Method: baoxue.MatchNone, Ref: -1}
	}
	slices.SortFunc(cands, compareCands)
	if len(cands) > maxCandidates {
		cands = slices.Clone(cands[:maxCandidates])
	}
	child.Name, child.Region, child.Guardian = clip(child.Name), clip(child.Region), clip(child.Guardian)
	m.mu.Lock()
	m.pending = append(m.pending, pendingChild{rec: child, cands: cands})
	m.mu.Unlock()
	best := cands[0]
	return Result{Method: best.method, Score: probability(best.lo), Ref: m.recs[best.pos].ref, Pending: true}
}

func compareCands(a, b cand) int {
	return cmp.Or(cmp.Compare(b.lo, a.lo), cmp.Compare(a.pos, b.pos))
}

func probability(lo float64) float64 { return 1 / (1 + math.Exp2(-lo)) }

func (m *Matcher) pair(child Record, e *enr) pair {
	return pair{
		childName: child.Name, enrName: m.name(e),
		childBirth: child.Birth, enrBirth: e.birth,
		childKey: child.Key, enrKey: e.key,
		childKS: child.KeyState, enrKS: e.ks,
	}
}

// exact returns the id_exact result for the records at ps (one ID, possibly repeated).
func (m *Matcher) exact(child Record, ps []uint32) Result {
	best, bestName, bestBirth := ps[0], NameMissing+1, BirthMissing+1
	for _, p := range ps {
		e := &m.recs[p]
		nl, bl := CompareNames(m.py, child.Name, m.name(e)), CompareBirth(child.Birth, e.birth)
		if nl < bestName || (nl == bestName && bl < bestBirth) || (nl == bestName && bl == bestBirth && e.ref < m.recs[best].ref) {
			best, bestName, bestBirth = p, nl, bl
		}
	}
	m.mu.Lock()
	m.children++
	for _, p := range ps {
		m.claimed[p/64] |= 1 << (p % 64)
	}
	m.mu.Unlock()
	e := &m.recs[best]
	r := Result{Method: baoxue.MatchIDExact, Score: 1, Ref: e.ref, Duplicates: len(ps) - 1}
	l := levels{name: bestName, birth: bestBirth, sex: compareSexCodes(sexCode(child.Sex), e.sex), place: PlaceMissing, guardian: GuardianMissing}
	p := m.pair(child, e)
	r.Reason = "身份证号相同"
	if bestName != NameSame && bestName != NameMissing {
		r.Reason += "；" + nameReason(l, p)
	}
	if bestBirth != BirthExact && bestBirth != BirthMissing {
		r.Reason += "；" + birthReason(l, p)
	}
	if l.sex == SexDisagree {
		r.Reason += "；性别不同"
	}
	if len(ps) > 1 {
		r.Reason += "；另有" + itoa(len(ps)-1) + "条学籍使用同一身份证号"
	}
	// The same ID under a plainly different name is a renamed child or a sibling's ID typed by
	// the school: linked, but a person should look, since a wrong link hides a dropout.
	if bestName == NameDifferent {
		r.Review = true
	}
	return r
}

func itoa(n int) string {
	if n < 10 {
		return string(rune('0' + n))
	}
	return itoa(n/10) + string(rune('0'+n%10))
}

// variantKeys appends the packed IDs one substitution or one adjacent transposition away from
// key: 17 × 9 digit substitutions, 10 check characters, 17 transpositions.
func variantKeys(dst []uint64, key uint64) []uint64 {
	d := idDigits(key)
	v, last := key/11, key%11
	pow := uint64(1)
	var p10 [17]uint64
	for i := 16; i >= 0; i-- {
		p10[i] = pow
		pow *= 10
	}
	for i := range 17 {
		for x := range uint64(10) {
			if x == uint64(d[i]) {
				continue
			}
			nv := v - uint64(d[i])*p10[i] + x*p10[i]
			dst = append(dst, nv*11+last)
		}
	}
	for x := range uint64(11) {
		if x != last {
			dst = append(dst, v*11+x)
		}
	}
	for i := range 16 {
		a, b := uint64(d[i]), uint64(d[i+1])
		if a == b {
			continue
		}
		nv := v - a*p10[i] - b*p10[i+1] + b*p10[i] + a*p10[i+1]
		dst = append(dst, nv*11+last)
	}
	if a := uint64(d[16]); last <= 9 && last != a {
		dst = append(dst, (v-a+last)*11+a)
	}
	return dst
}

// variants adds the records whose ID is one typo away from the child's. One substituted digit
// or one adjacent transposition always breaks the check character, so for a child with a valid
// ID only the typo'd enrollment IDs can be variants: those are probed in their own small index,
// which stays in cache (the full index of a province does not, and ~180 probes per child would
// each miss).
func (m *Matcher) variants(pr *probe, cands []cand) []cand {
	child := pr.Record
	var keyBuf [192]uint64
	var posBuf [8]uint32
	ix := &m.keys
	if child.KeyState == KeyValid {
		ix = &m.typos
	}
	prior := m.currentPrior(child)
	for _, k := range variantKeys(keyBuf[:0], child.Key) {
		for _, p := range m.positionsIn(ix, posBuf[:0], k) {
			e := &m.recs[p]
			lv, ok := m.compare(pr, e)
			if !ok {
				continue
			}
			lv.id = IDVariant
			w := m.w.weight(lv, max(pr.tf, m.tf(m.name(e))))
			cands = append(cands, cand{pos: p, lo: w + prior, w: w, lv: lv, method: baoxue.MatchIDVariant})
		}
	}
	return cands
}

// prior returns the log2 prior odds that a child's record is one given record of those it is
// compared with: log2(π/(1−π)) − log2(n), where n is the number of records it could match and π
// the probability that its record is among them at all. π is estimated from the counts seen so
// far: for a child with a valid ID but no exact match, the pool's records over the children in
// that situation (most pool records belong to one of them, the rest are dropouts); for a child
// without a usable ID, enrollments over children. It is clamped to [0.05, 0.95]; Match uses the
// counts at the time of the call for its provisional result, Resolve the final counts.
func (m *Matcher) prior(child Record, children, unkeyed int) float64 {
	n, pi := len(m.recs), 0.5
	if child.Key != 0 && child.KeyState == KeyValid {
		n = m.nPool
		if unkeyed > 0 {
			pi = float64(m.nPool) / float64(unkeyed)
		}
	} else if children > 0 {
		pi = float64(len(m.recs)) / float64(children)
	}
	pi = min(max(pi, 0.05), 0.95)
	return math.Log2(pi/(1-pi)) - math.Log2(float64(max(n, 1)))
}

// currentPrior is prior with the counts so far.
func (m *Matcher) currentPrior(child Record) float64 {
	m.mu.Lock()
	c, u := m.children, m.unkeyed
	m.mu.Unlock()
	return m.prior(child, c, u)
}

// probe is a child prepared for comparison with many records.
type probe struct {
	Record
	runes  []rune
	sep    bool
	region uint64
	sex    uint8
	tf     float64
	buf    [maxNameRunes]rune
}

func (m *Matcher) newProbe(child Record, pr *probe) {
	pr.Record = child
	pr.runes, pr.sep = nameRunes(pr.buf[:0], child.Name)
	pr.region = regionCode(child.Region)
	pr.sex = sexCode(child.Sex)
	pr.tf = m.tf(child.Name)
}

// compare grades a child against a record on every field but the ID. It stops after the name
// when the names are plainly different, since such a pair is never a candidate.
func (m *Matcher) compare(pr *probe, e *enr) (levels, bool) {
	en := m.name(e)
	l := levels{name: compareNameRunes(m.py, pr.runes, pr.sep, pr.Name, en)}
	if !reviewable(l) {
		return l, false
	}
	l.birth = CompareBirth(pr.Birth, e.birth)
	l.sex = compareSexCodes(pr.sex, e.sex)
	l.place = comparePlaceCodes(pr.region, e.region)
	l.guardian = CompareGuardians(m.py, pr.Guardian, m.guardian(e))
	l.sepDiff = l.name == NameSame && pr.Name != en
	return l, true
}

// fuzzy adds the candidates found by blocking: the same birth date, one day off or with month
// and day swapped (each with the same or unknown sex), and the same near-sound name in the same
// county. A child with a valid ID is compared with the pool only: an enrollment with a valid,
// different ID is someone else.
func (m *Matcher) fuzzy(pr *probe, cands []cand) []cand {
	child := pr.Record
	var posBuf [maxScored]uint32
	ps := posBuf[:0]
	parts := [][2]int{{0, m.nPool}}
	if child.Key == 0 || child.KeyState != KeyValid {
		parts = append(parts, [2]int{m.nPool, len(m.recs)})
	}
	sex := sexCode(child.Sex)
	sexes := []uint8{sex, 0}
	if sex == 0 {
		sexes = []uint8{0, 1, 2}
	}
	if b := child.Birth; validDate(b) {
		dates := [4]baoxue.Date{b, b.AddDays(-1), b.AddDays(1), swapped(b)}
		for _, d := range dates {
			if d == 0 {
				continue
			}
			for _, s := range sexes {
				for _, part := range parts {
					ps = m.block(ps, part[0], part[1], blockKey(d, s))
				}
			}
		}
	}
	if child.Name != "" {
		var sylBuf [maxNameRunes]pinyin.Syllable
		k := m.pinyinKey(county(regionCode(child.Region)), m.py.Name(sylBuf[:0], child.Name))
		i, _ := slices.BinarySearchFunc(m.names, k, func(n nameKey, k uint64) int { return cmp.Compare(n.key, k) })
		for ; i < len(m.names) && m.names[i].key == k && len(ps) < cap(ps); i++ {
			ps = append(ps, m.names[i].pos)
		}
	}
	slices.Sort(ps)
	ps = slices.Compact(ps)

	prior := m.currentPrior(child)
	// The cut-off must not depend on the counts so far, or the order of the children would
	// decide which weak candidates are kept: use the largest prior possible.
	maxPrior := m.prior(child, 1, 1) // π clamped to 0.95
	floor := min(m.rbits, math.Log2(m.link/(1-m.link))) - 15
	nVariants := len(cands)
	for _, p := range ps {
		if slices.ContainsFunc(cands[:nVariants], func(c cand) bool { return c.pos == p }) {
			continue // already an ID variant
		}
		e := &m.recs[p]
		lv, ok := m.compare(pr, e)
		if !ok {
			continue
		}
		lv.id = compareIDs(child.Key, child.KeyState, e.key, e.ks)
		w := m.w.weight(lv, max(pr.tf, m.tf(m.name(e))))
		if w+maxPrior < floor {
			continue // too weak to be reviewed or to compete with a link, whatever the prior
		}
		cands = append(cands, cand{pos: p, lo: w + prior, w: w, lv: lv, method: baoxue.MatchFuzzy})
	}
	return cands
}

// block appends the positions in recs[lo:hi] with the given block key.
func (m *Matcher) block(ps []uint32, lo, hi int, key uint64) []uint32 {
	part := m.recs[lo:hi]
	i, _ := slices.BinarySearchFunc(part, key, func(e enr, k uint64) int { return cmp.Compare(blockKey(e.birth, e.sex), k) })
	for ; i < len(part) && blockKey(part[i].birth, part[i].sex) == key && len(ps) < cap(ps); i++ {
		ps = append(ps, uint32(lo+i))
	}
	return ps
}

// Resolve decides every pending child, one-to-one: a record is linked automatically to a child
// only when, after normalising over the child's other candidates and over the other children
// that want the same record, the probability is at least LinkProbability; a record taken by an
// exact ID match is no candidate. The decisions come sorted by child Ref and do not depend on
// the order in which children were matched. Resolve empties the pending set.
func (m *Matcher) Resolve() []Decision {
	m.mu.Lock()
	defer m.mu.Unlock()
	pend := m.pending
	m.pending = nil
	slices.SortFunc(pend, func(a, b pendingChild) int { return cmp.Compare(a.rec.Ref, b.rec.Ref) })

	type contrib struct {
		pos uint32
		lo  float64
	}
	var all []contrib
	for i := range pend {
		prior := m.prior(pend[i].rec, m.children, m.unkeyed)
		c := pend[i].cands[:0]
		for _, x := range pend[i].cands {
			x.lo = x.w + prior
			if m.claimed[x.pos/64]&(1<<(x.pos%64)) == 0 {
				c = append(c, x)
				all = append(all, contrib{x.pos, x.lo})
			}
		}
		slices.SortFunc(c, compareCands)
		pend[i].cands = c
	}
	// Sum per record in a fixed order, so the floating-point result is reproducible.
	slices.SortFunc(all, func(a, b contrib) int { return cmp.Or(cmp.Compare(a.pos, b.pos), cmp.Compare(a.lo, b.lo)) })
	sums := make(map[uint32]float64, len(all))
	for _, x := range all {
		sums[x.pos] += math.Exp2(x.lo)
	}

	linked := make(map[uint32]bool)
	out := make([]Decision, 0, len(pend))
	for i := range pend {
		pc := &pend[i]
		d := Decision{Child: pc.rec.Ref, Result: Result{Method: baoxue.MatchNone, Ref: -1}}
		if len(pc.cands) == 0 {
			out = append(out, d)
			continue
		}
		best := pc.cands[0]
		var childSum float64
		for j := len(pc.cands) - 1; j >= 0; j-- { // ascending, for a reproducible sum
			childSum += math.Exp2(pc.cands[j].lo)
		}
		odds := math.Exp2(best.lo)
		pChild := odds / (1 + childSum)
		pRecord := odds / (1 + sums[best.pos])
		score := min(pChild, pRecord)
		e := &m.recs[best.pos]
		why := reason(best.lv, m.pair(pc.rec, e))
		switch {
		case score >= m.link && linkable(best.lv) && !linked[best.pos]:
			linked[best.pos] = true
			d.Result = Result{Method: best.method, Score: score, Ref: e.ref, Reason: why}
		case best.lo >= m.rbits:
			alone := odds / (1 + odds)
			if pChild < alone*0.99 {
				why += "；另有相近的学籍记录"
			}
			if pRecord < alone*0.99 {
				why += "；另有儿童与该学籍同样相近"
			}
			d.Result = Result{Method: best.method, Score: score, Ref: e.ref, Review: true, Reason: why}
		}
		out = append(out, d)
	}
	return out
}
