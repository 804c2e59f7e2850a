package match

import "math"

// Fellegi–Sunter weights. Each comparison level has m = P(level | same child) and
// u = P(level | two different children); a pair's match weight is the sum of log2(m/u) over the
// fields, and its log-odds of being a match is that sum plus the prior log2(1/poolSize) (a child
// matches at most one of the poolSize records it could be compared with). The defaults below are
// set, not fitted: m from the damage rates of real 学籍/户籍 exports as the generator models them
// (a few per cent homophones, ~1 % dropped characters, ~1 % dates off by a day or swapped), u
// from the population (3,650 birth dates in the ten-year window, two sexes, ~1,400 townships in
// a province). They were then checked against the synthetic population of the tests
// (TestPrecisionOnSyntheticPopulation), where automatic links are ≥ 99.9 % precise; EM was not
// used because the candidate pairs of one county are too few and too skewed (most children have
// an exact ID match) to estimate m reliably, and a wrong m silently moves every link.
//
//	field     level       m       u        weight (bits)
//	name      same        0.90    tf(name) ≥ 1e-6, see nameWeight
//	          pinyin      0.05    3·tf ≥ 1e-4
//	          near        0.02    10·tf ≥ 1e-3
//	          dropped     0.01    1e-3     3.3
//	          truncated   0.01    1e-3     3.3
//	          different   0.02    0.99    −5.6
//	birth     exact       0.95    1/3650  11.8
//	          ± 1 day     0.02    2/3650   5.2
//	          swapped     0.015   1/3650   5.9
//	          different   0.015   0.999   −6.1
//	sex       agree       0.98    0.5      1.0
//	          disagree    0.02    0.5     −4.6
//	place     village     0.35    0.005    6.1
//	          township    0.40    0.05     3.0
//	          county      0.20    0.10     1.0
//	          different   0.05    0.845   −4.1
//	guardian  same        0.80    0.001    9.6
//	          pinyin      0.10    0.001    6.6
//	          different   0.10    0.998   −3.3
//	ID        variant     0.99    ~1e-6   20   (a one-digit variant of an ID present by chance)
//	          prefix-15   0.95    0.004    7.9 (given the birth date: ~250 IDs share a prefix)
//	          near (2)    0.01    1e-4     6.6
//	          different   0.01    0.999   −6.6
//
// Missing values weigh 0. tf(name) is the share of enrollment records with that exact name (the
// larger of the two names' shares), so a shared 张伟 or 马小龙 weighs less than a rare name.

func bits(m, u float64) float64 { return math.Log2(m / u) }

// weightTable holds the fixed weights, computed once per Matcher.
type weightTable struct {
	birth    [BirthMissing]float64
	sex      [SexMissing]float64
	place    [PlaceMissing]float64
	guardian [GuardianMissing]float64
	id       [IDDifferent + 1]float64
}

func defaultWeights() weightTable {
	return weightTable{
		birth:    [...]float64{BirthExact: bits(0.95, 1.0/3650), BirthOneDay: bits(0.02, 2.0/3650), BirthSwapped: bits(0.015, 1.0/3650), BirthDifferent: bits(0.015, 0.999)},
		sex:      [...]float64{SexAgree: bits(0.98, 0.5), SexDisagree: bits(0.02, 0.5)},
		place:    [...]float64{PlaceVillage: bits(0.35, 0.005), PlaceTownship: bits(0.40, 0.05), PlaceCounty: bits(0.20, 0.10), PlaceDifferent: bits(0.05, 0.845)},
		guardian: [...]float64{GuardianSame: bits(0.80, 0.001), GuardianPinyin: bits(0.10, 0.001), GuardianDifferent: bits(0.10, 0.998)},
		id:       [...]float64{IDNone: 0, IDVariant: 20, IDPrefix: bits(0.95, 0.004), IDNear: bits(0.01, 1e-4), IDDifferent: bits(0.01, 0.999)},
	}
}

// nameWeight is the name's weight given tf, the share of enrollments bearing the name.
func nameWeight(l NameLevel, tf float64) float64 {
	switch l {
	case NameSame:
		return bits(0.90, max(tf, 1e-6))
	case NamePinyin:
		return bits(0.05, max(3*tf, 1e-4))
	case NameNear:
		return bits(0.02, max(10*tf, 1e-3))
	case NameDropped, NameTruncated:
		return bits(0.01, 1e-3)
	case NameDifferent:
		return bits(0.02, 0.99)
	}
	return 0
}

// weight is the match weight of a comparison, in bits.
func (w *weightTable) weight(l levels, tf float64) float64 {
	s := nameWeight(l.name, tf)
	if l.birth != BirthMissing {
		s += w.birth[l.birth]
	}
	if l.sex != SexMissing {
		s += w.sex[l.sex]
	}
	if l.place != PlaceMissing {
		s += w.place[l.place]
	}
	if l.guardian != GuardianMissing {
		s += w.guardian[l.guardian]
	}
	return s + w.id[l.id]
}

// linkable reports whether a comparison may be linked automatically at all, whatever its
// weight: the name must agree at least by near sound, the dates must agree up to a day or a
// swap, and the sexes must not disagree. Twins share birth date, sex, place and guardian; only
// the name tells them apart, so no weight from the other fields may stand in for it.
//
// An ID variant (a one-digit typo of the child's ID present in the enrollment file) is itself
// strong evidence, so it is confirmed by "name and birth date agree" read as: the same date and
// a name that at most lost a character or was cut short, or a date off by a day or swapped and
// a name that is the same or a homophone. Anything weaker goes to review.
func linkable(l levels) bool {
	if l.sex == SexDisagree {
		return false
	}
	if l.id == IDVariant {
		return (l.birth == BirthExact && l.name <= NameTruncated) ||
			(l.birth <= BirthSwapped && l.name <= NamePinyin)
	}
	return l.name <= NameNear && l.birth <= BirthSwapped
}

// reviewable reports whether a comparison may be put before a person: the names must not be
// plainly different (a different name with everything else equal is a sibling or a twin).
func reviewable(l levels) bool { return l.name != NameDifferent && l.name != NameMissing }
