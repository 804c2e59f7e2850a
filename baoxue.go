// Package baoxue holds the domain of 控辍保学: the codes, statuses, case states and rules that every
// other package speaks. It depends on the standard library only, so that adapters (storage, web,
// importers) depend on it and never the other way round.
package baoxue

import "errors"

// Version is the release of the binary; the build may override it with -ldflags.
var Version = "0.1.0-dev"

// Sentinel errors that adapters translate their own failures into, so callers can use errors.Is
// without knowing which database or file format produced them.
var (
	ErrNotFound = errors.New("not found")
	ErrConflict = errors.New("conflict: the record was changed by someone else")
	ErrInvalid  = errors.New("invalid input")
	ErrDenied   = errors.New("permission denied")
	ErrExists   = errors.New("already exists")
)

// Region levels (DESIGN §4). The level follows from the length of the code.
type RegionLevel int

const (
	LevelProvince   RegionLevel = 1 // 2 digits
	LevelPrefecture RegionLevel = 2 // 4 digits
	LevelCounty     RegionLevel = 3 // 6 digits
	LevelTownship   RegionLevel = 4 // 9 digits
	LevelVillage    RegionLevel = 5 // 12 digits
)

// LevelOfCode returns the level a region code of this length denotes, or 0.
func LevelOfCode(code string) RegionLevel {
	switch len(code) {
	case 2:
		return LevelProvince
	case 4:
		return LevelPrefecture
	case 6:
		return LevelCounty
	case 9:
		return LevelTownship
	case 12:
		return LevelVillage
	}
	return 0
}

// String gives the Chinese name of the level.
func (l RegionLevel) String() string {
	switch l {
	case LevelProvince:
		return "省"
	case LevelPrefecture:
		return "市(州)"
	case LevelCounty:
		return "县(区)"
	case LevelTownship:
		return "乡(镇)"
	case LevelVillage:
		return "村(社区)"
	}
	return "未知"
}
