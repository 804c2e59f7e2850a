package pinyin

import "strings"

// Near-sound classes. Speakers of north-western Mandarin (and clerks typing a name someone said
// aloud) merge these distinctions, so a registry 宁 ning and a school's 玲 ling may be one child:
//
//	initials: n ~ l, zh ~ z, ch ~ c, sh ~ s, h ~ f
//	finals:   ang ~ an, eng ~ en, ing ~ in (so iang ~ ian, uang ~ uan, ueng ~ uen too)
//
// foldSpelling maps a spelling to its class key; syllables with equal keys are near-sound.

func foldSpelling(s string) string {
	switch {
	case strings.HasPrefix(s, "zh"), strings.HasPrefix(s, "ch"), strings.HasPrefix(s, "sh"):
		s = s[:1] + s[2:]
	case strings.HasPrefix(s, "n") && s != "n" && s != "ng":
		s = "l" + s[1:]
	case strings.HasPrefix(s, "h") && s != "hm" && s != "hng":
		s = "f" + s[1:]
	}
	if n := len(s); n >= 3 && s[n-2:] == "ng" && strings.ContainsRune("aei", rune(s[n-3])) {
		s = s[:n-1]
	}
	return s
}

func (t *Table) buildFold() {
	t.fold = make([]Syllable, len(t.names))
	rep := make(map[string]Syllable)
	for s := 1; s < len(t.names); s++ { // ascending, so the representative is the smallest id
		k := foldSpelling(t.names[s])
		r, ok := rep[k]
		if !ok {
			r = Syllable(s)
			rep[k] = r
		}
		t.fold[s] = r
	}
}

// Fold returns the representative of s's near-sound class: the alphabetically first syllable
// that folds like s (ning, ling, lin and nin all fold to lin). Fold(None) is None.
func (t *Table) Fold(s Syllable) Syllable {
	if int(s) < len(t.fold) {
		return t.fold[s]
	}
	return None
}

// NearSound reports whether a and b are in the same near-sound class (equal syllables are).
func (t *Table) NearSound(a, b Syllable) bool {
	return a == b || (a != None && b != None && t.Fold(a) == t.Fold(b))
}
