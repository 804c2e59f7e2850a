// Package region holds China's administrative division tree (GB/T 2260 and the NBS 12-digit
// statistical codes) down to township, embedded in the binary, plus villages added at run time
// from a county's own import, and every six-digit address code ever issued for ID numbers.
package region

import (
	"bytes"
	"embed"
	"encoding/csv"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/baoxue/baoxue"
)

//go:embed data/*.csv
var dataFS embed.FS

// Region is one node of the division tree.
type Region struct {
	Code   string             `json:"code"`
	Name   string             `json:"name"`
	Level  baoxue.RegionLevel `json:"level"`
	Parent string             `json:"parent,omitempty"`
}

// Tree is the division tree. The embedded part is read-only after Load; villages may be added
// concurrently with lookups.
type Tree struct {
	byCode   map[string]Region
	children map[string][]string
	address  AddressSet
	histName map[uint32]string

	mu       sync.RWMutex
	villages map[string]Region
	vkids    map[string][]string
}

// AddressSet is a bitmap over all six-digit codes: is this a code that was ever used as the
// address part of an ID number? Lookups cost one shift and one load, and never allocate.
type AddressSet struct{ bits [1000000/64 + 1]uint64 }

// Has reports whether the six-digit address code was ever in force.
func (s *AddressSet) Has(code uint32) bool {
	if code >= 1000000 {
		return false
	}
	return s.bits[code>>6]&(1<<(code&63)) != 0
}

func (s *AddressSet) add(code uint32) {
	if code < 1000000 {
		s.bits[code>>6] |= 1 << (code & 63)
	}
}

// Load parses the embedded division and address-code tables.
func Load() (*Tree, error) {
	t := &Tree{
		byCode:   make(map[string]Region, 45000),
		children: make(map[string][]string, 4000),
		histName: make(map[uint32]string, 7000),
		villages: make(map[string]Region),
		vkids:    make(map[string][]string),
	}
	tables := []struct {
		file   string
		level  baoxue.RegionLevel
		parent int // column holding the parent code, -1 for none
	}{
		{"provinces.csv", baoxue.LevelProvince, -1},
		{"cities.csv", baoxue.LevelPrefecture, 2},
		{"areas.csv", baoxue.LevelCounty, 2},
		{"streets.csv", baoxue.LevelTownship, 2},
	}
	for _, tb := range tables {
		err := readCSV(tb.file, func(rec []string) error {
			r := Region{Code: rec[0], Name: rec[1], Level: tb.level}
			if baoxue.LevelOfCode(r.Code) != tb.level {
				return fmt.Errorf("code %q has the wrong length", r.Code)
			}
			if tb.parent >= 0 {
				r.Parent = rec[tb.parent]
				if _, ok := t.byCode[r.Parent]; !ok {
					return fmt.Errorf("code %s: unknown parent %s", r.Code, r.Parent)
				}
				t.children[r.Parent] = append(t.children[r.Parent], r.Code)
			}
			t.byCode[r.Code] = r
			if tb.level == baoxue.LevelCounty {
				n, _ := strconv.Atoi(r.Code)
				t.address.add(uint32(n))
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	err := readCSV("address-history.csv", func(rec []string) error {
		n, err := strconv.Atoi(rec[0])
		if err != nil || len(rec[0]) != 6 {
			return fmt.Errorf("bad address code %q", rec[0])
		}
		t.address.add(uint32(n))
		t.histName[uint32(n)] = rec[1]
		return nil
	})
	if err != nil {
		return nil, err
	}
	for _, kids := range t.children {
		slices.Sort(kids)
	}
	return t, nil
}

func readCSV(name string, row func([]string) error) error {
	b, err := dataFS.ReadFile("data/" + name)
	if err != nil {
		return fmt.Errorf("region data %s: %w", name, err)
	}
	r := csv.NewReader(bytes.NewReader(b))
	r.FieldsPerRecord = -1
	if _, err := r.Read(); err != nil { // header
		return fmt.Errorf("region data %s: %w", name, err)
	}
	for line := 2; ; line++ {
		rec, err := r.Read()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return fmt.Errorf("region data %s line %d: %w", name, line, err)
		}
		if len(rec) < 2 {
			return fmt.Errorf("region data %s line %d: too few fields", name, line)
		}
		if err := row(rec); err != nil {
			return fmt.Errorf("region data %s line %d: %w", name, line, err)
		}
	}
}

// Address returns the address-code set for ID validation.
func (t *Tree) Address() *AddressSet { return &t.address }

// AddressName names a six-digit address code, current or historical.
func (t *Tree) AddressName(code uint32) (string, bool) {
	if r, ok := t.byCode[fmt.Sprintf("%06d", code)]; ok {
		return r.Name, true
	}
	n, ok := t.histName[code]
	return n, ok
}

// Lookup returns the region with this code: a province, prefecture, county, township or an added
// village.
func (t *Tree) Lookup(code string) (Region, bool) {
	if r, ok := t.byCode[code]; ok {
		return r, true
	}
	if len(code) == 12 {
		t.mu.RLock()
		r, ok := t.villages[code]
		t.mu.RUnlock()
		return r, ok
	}
	return Region{}, false
}

// ParentCode returns the code of the level above, derived from the code itself.
func ParentCode(code string) string {
	switch len(code) {
	case 4:
		return code[:2]
	case 6:
		return code[:4]
	case 9:
		return code[:6]
	case 12:
		return code[:9]
	}
	return ""
}

// ValidVillageCode reports whether code is a well-formed 12-digit village code under a known
// township (villages are not in the national table, so any such code is accepted).
func (t *Tree) ValidVillageCode(code string) bool {
	if len(code) != 12 || !allDigits(code) || code[9:] == "000" {
		return false
	}
	_, ok := t.byCode[code[:9]]
	return ok
}

// Known reports whether code is a region in the tree, or a valid village code.
func (t *Tree) Known(code string) bool {
	if _, ok := t.byCode[code]; ok {
		return true
	}
	return t.ValidVillageCode(code)
}

// AddVillage records a village (from a county's import or the generator) under its township.
func (t *Tree) AddVillage(code, name string) error {
	if !t.ValidVillageCode(code) {
		return fmt.Errorf("村(社区)代码 %q 应为12位数字且前9位是已知的乡镇代码: %w", code, baoxue.ErrInvalid)
	}
	name = strings.TrimSpace(name)
	if name == "" {
		return fmt.Errorf("村(社区)代码 %s 缺少名称: %w", code, baoxue.ErrInvalid)
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if _, ok := t.villages[code]; !ok {
		p := code[:9]
		kids := append(t.vkids[p], code)
		slices.Sort(kids)
		t.vkids[p] = kids
	}
	t.villages[code] = Region{Code: code, Name: name, Level: baoxue.LevelVillage, Parent: code[:9]}
	return nil
}

// Chain returns the region and all its ancestors, from the province down to the region itself. A
// village code that was not added but lies under a known township yields the chain to the township.
func (t *Tree) Chain(code string) []Region {
	var chain []Region
	for c := code; c != ""; c = ParentCode(c) {
		if r, ok := t.Lookup(c); ok {
			chain = append(chain, r)
		}
	}
	slices.Reverse(chain)
	return chain
}

// Path is the full name of a region, e.g. "甘肃省 / 临夏回族自治州 / 临夏县 / 韩集镇". Placeholder
// names such as 市辖区 are left out, as officials write them.
func (t *Tree) Path(code string) string {
	var parts []string
	for _, r := range t.Chain(code) {
		if r.Name == "市辖区" || r.Name == "县" || r.Name == "省直辖县级行政区划" || r.Name == "自治区直辖县级行政区划" {
			continue
		}
		parts = append(parts, r.Name)
	}
	return strings.Join(parts, " / ")
}

// Children lists the regions directly under code, ordered by code.
func (t *Tree) Children(code string) []Region {
	var out []Region
	for _, c := range t.children[code] {
		out = append(out, t.byCode[c])
	}
	if len(code) == 9 {
		t.mu.RLock()
		for _, c := range t.vkids[code] {
			out = append(out, t.villages[c])
		}
		t.mu.RUnlock()
	}
	return out
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}
