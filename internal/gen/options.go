package gen

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/baoxue/baoxue"
)

// Scales.
const (
	ScaleCounty   = "county"   // 临夏县 (622921), 300,000 registry rows
	ScaleProvince = "province" // 甘肃省 (62), 25,000,000 registry rows
)

// Profiles.
const (
	ProfileClean     = "clean"     // no damage at all
	ProfileRealistic = "realistic" // the errors real files have, at the rates of DamageRates
	ProfileHard      = "hard"      // the same kinds at about four times the rates, GBK, more clutter
)

// Target sizes and the county used at county scale.
const (
	CountyCode       = "622921" // 临夏县, 临夏回族自治州
	CountyRows       = 300_000
	ProvinceCode     = "62" // 甘肃省
	ProvinceRows     = 25_000_000
	MaxRows          = 60_000_000
	MaxXLSXRows      = 1_000_000 // an .xlsx sheet holds 1,048,576 rows; above this use csv
	DefaultAsOfValue = baoxue.Date(20260901)
)

// Options say what to generate. Exactly one of Scale and Rows is set (Rows > 0 means that many
// registry rows in 临夏县).
type Options struct {
	Scale    string      // ScaleCounty or ScaleProvince; ignored when Rows > 0
	Rows     int         // registry rows in 临夏县, instead of a named scale
	Seed     uint64      // the same seed and options give byte-identical files
	Profile  string      // ProfileClean, ProfileRealistic or ProfileHard
	AsOf     baoxue.Date // the export date the files pretend to be from; zero means 2026-09-01
	Encoding string      // "utf8" or "gbk"; "" is the profile's default (gbk for hard)
	Format   string      // "csv" (default) or "xlsx"
	Out      string      // output directory, created if missing
	Workers  int         // parallel generators; 0 means GOMAXPROCS
}

// Summary reports what Generate wrote.
type Summary struct {
	Out         string           `json:"out"`
	Scale       string           `json:"scale"`
	Profile     string           `json:"profile"`
	Seed        uint64           `json:"seed"`
	AsOf        string           `json:"as_of"`
	Encoding    string           `json:"encoding"`
	Format      string           `json:"format"`
	Rows        map[string]int64 `json:"rows"`
	SchoolAge   int64            `json:"school_age"`    // registry children inside the compulsory window
	OutOfSchool int64            `json:"out_of_school"` // of them, truly out of school
	Seconds     float64          `json:"seconds"`
}

// ParseScale reads the --scale argument: "county", "province" or a number of registry rows.
func ParseScale(s string) (scale string, rows int, err error) {
	switch s {
	case ScaleCounty, ScaleProvince:
		return s, 0, nil
	}
	n, err := strconv.Atoi(strings.ReplaceAll(s, "_", ""))
	if err != nil || n < 1 || n > MaxRows {
		return "", 0, fmt.Errorf("规模 %q 应为 county、province 或 1 到 %d 之间的人数: %w", s, MaxRows, baoxue.ErrInvalid)
	}
	return "", n, nil
}

// normalized checks the options and fills in defaults.
func (o Options) normalized() (Options, error) {
	if o.Rows < 0 || o.Rows > MaxRows {
		return o, fmt.Errorf("人数 %d 应在 1 到 %d 之间: %w", o.Rows, MaxRows, baoxue.ErrInvalid)
	}
	if o.Rows == 0 {
		switch o.Scale {
		case ScaleCounty, ScaleProvince:
		case "":
			o.Scale = ScaleCounty
		default:
			return o, fmt.Errorf("规模 %q 应为 county 或 province: %w", o.Scale, baoxue.ErrInvalid)
		}
	} else {
		o.Scale = ""
	}
	switch o.Profile {
	case ProfileClean, ProfileRealistic, ProfileHard:
	case "":
		o.Profile = ProfileRealistic
	default:
		return o, fmt.Errorf("数据质量档 %q 应为 clean、realistic 或 hard: %w", o.Profile, baoxue.ErrInvalid)
	}
	switch o.Format {
	case "":
		o.Format = "csv"
	case "csv", "xlsx":
	default:
		return o, fmt.Errorf("文件格式 %q 应为 csv 或 xlsx: %w", o.Format, baoxue.ErrInvalid)
	}
	switch strings.ToLower(o.Encoding) {
	case "":
		o.Encoding = "utf8"
		if o.Profile == ProfileHard && o.Format == "csv" {
			o.Encoding = "gbk"
		}
	case "utf8", "utf-8":
		o.Encoding = "utf8"
	case "gbk", "gb18030":
		o.Encoding = "gbk"
	default:
		return o, fmt.Errorf("编码 %q 应为 utf8 或 gbk: %w", o.Encoding, baoxue.ErrInvalid)
	}
	if o.Format == "xlsx" {
		o.Encoding = "utf8" // xlsx is always UTF-8 inside
		if n := o.registryRows(); n > MaxXLSXRows {
			return o, fmt.Errorf("xlsx 格式最多 %d 行户籍数据（Excel 单表上限约 104 万行），本次为 %d 行；请改用 --format csv: %w", MaxXLSXRows, n, baoxue.ErrInvalid)
		}
	}
	if o.AsOf == 0 {
		o.AsOf = DefaultAsOfValue
	}
	if !baoxue.ValidDate(o.AsOf.Year(), int(o.AsOf.Month()), o.AsOf.Day()) || o.AsOf.Year() < 2000 || o.AsOf.Year() > 2100 {
		return o, fmt.Errorf("比对日期 %s 不合理（应在 2000—2100 年之间）: %w", o.AsOf, baoxue.ErrInvalid)
	}
	if o.Out == "" {
		return o, fmt.Errorf("缺少输出目录: %w", baoxue.ErrInvalid)
	}
	return o, nil
}

func (o Options) registryRows() int {
	switch {
	case o.Rows > 0:
		return o.Rows
	case o.Scale == ScaleProvince:
		return ProvinceRows
	}
	return CountyRows
}

func (o Options) scaleName() string {
	if o.Rows > 0 {
		return strconv.Itoa(o.Rows)
	}
	return o.Scale
}
