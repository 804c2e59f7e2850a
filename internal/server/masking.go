package server

import (
	"strconv"

	"github.com/baoxue/baoxue"
	"github.com/baoxue/baoxue/internal/pii"
)

// reveal is how much of a child's personal information one view shows; the package
// documentation (doc.go) has the policy that decides it.
type reveal int

const (
	// revealNone masks everything: lists, pages, exports and API answers by default.
	revealNone reveal = iota
	// revealContact shows what a home visit needs — the child's and guardian's names, the
	// guardian's phone, the address, visit notes — to the verifier and the 包抓 cadre of the
	// case they are assigned to. ID numbers and the birth date stay masked.
	revealContact
	// revealAll shows everything, once, after a stated reason (unmask, audited).
	revealAll
)

// revealIf is revealAll when unmasked, else revealNone.
func revealIf(unmasked bool) reveal {
	if unmasked {
		return revealAll
	}
	return revealNone
}

// masker hides personal values according to a reveal level.
type masker reveal

func (m masker) contacts() bool { return reveal(m) >= revealContact }
func (m masker) all() bool      { return reveal(m) >= revealAll }

// id masks an ID number (620***********1234: the birth date is never shown).
func (m masker) id(s string) string {
	if m.all() {
		return s
	}
	return pii.MaskID(s)
}

// name masks a child's or guardian's name (张*).
func (m masker) name(s string) string {
	if m.contacts() {
		return s
	}
	return pii.MaskName(s)
}

// phone masks a phone number (138****5678).
func (m masker) phone(s string) string {
	if m.contacts() {
		return s
	}
	return pii.MaskPhone(s)
}

// text hides free text that may hold personal details: addresses, visit places and notes.
// Nothing of them is shown masked.
func (m masker) text(s string) string {
	if m.contacts() || s == "" {
		return s
	}
	return "（已脱敏）"
}

// studentNo masks a student or certificate number like an ID number (it embeds one).
func (m masker) studentNo(s string) string {
	if m.all() || s == "" {
		return s
	}
	if len(s) == 19 {
		return s[:1] + pii.MaskID(s[1:])
	}
	return pii.MaskID(s)
}

// birth shows the year only: with the county and the masked ID's last four characters, a full
// birth date would give the ID number back.
func (m masker) birth(d baoxue.Date) string {
	if d.IsZero() {
		return ""
	}
	if m.all() {
		return d.String()
	}
	return strconv.Itoa(d.Year()) + " 年"
}
