package gen

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strconv"
	"strings"

	"github.com/baoxue/baoxue"
	"github.com/baoxue/baoxue/internal/region"
)

// The geography of a run: real counties and townships from the division tree, generated villages
// and schools under them, and a population target for every township. Everything here is decided
// before any person is generated, from its own random stream, so that the profile (which only adds
// damage) never changes who lives where.

type school struct {
	code, name, region string
	kind               string // 小学, 初中, 九年一贯制, 特殊教育
	boarding           bool
	primary, junior    bool // grades 1–6, grades 7–9
}

type village struct {
	code, name string
	addr       string // 户籍地址 up to the village: 甘肃省临夏回族自治州临夏县韩集镇王家庄村
	target     int    // registry rows
	primary    *school
}

type county struct {
	idx               int
	code              string
	name, pref, prov  string
	title             string // how file titles name the area: 临夏县 or 甘肃省
	towns             []*unit
	schools           []*school
	special           *school
	seatPrim, seatJun []*school
	eth               ethMix
	povertyPer100k    uint32
	elsewherePer100k  uint32 // children studying in another province
	blockSize         int    // ID sequence numbers per township per day and sex
}

// unit is one township: the piece of work a generator goroutine does in one go.
type unit struct {
	idx       int // global, in output order
	county    *county
	t         int // index within its county
	code      string
	name      string
	target    int
	villages  []*village
	primaries []*school
	juniors   []*school
	seat      bool
}

type ethMix struct {
	w      weighted
	styles []uint8
}

// Name styles.
const (
	styleHan = iota
	styleHui
	styleTibetan
	styleMongol
	styleKazakh
)

func ethStyle(eth string) uint8 {
	switch eth {
	case "回族", "东乡族", "保安族", "撒拉族":
		return styleHui
	case "藏族":
		return styleTibetan
	case "蒙古族":
		return styleMongol
	case "哈萨克族":
		return styleKazakh
	}
	return styleHan
}

// ethnicMix gives the ethnic make-up of a county, per 1000, after the 2020 census figures of
// Gansu's autonomous areas; elsewhere the province's ordinary mix.
func ethnicMix(code string) ethMix {
	spec := "汉族975 回族18 藏族3 满族2 土族2"
	switch {
	case code == "622921":
		spec = "汉族420 回族540 东乡族30 保安族3 撒拉族3 藏族2 土族2"
	case code == "622901":
		spec = "汉族500 回族450 东乡族40 撒拉族5 藏族5"
	case code == "622922":
		spec = "汉族440 回族540 东乡族20"
	case code == "622923":
		spec = "汉族850 回族100 东乡族40 藏族10"
	case code == "622924":
		spec = "回族970 汉族20 东乡族10"
	case code == "622925":
		spec = "汉族450 回族400 东乡族150"
	case code == "622926":
		spec = "东乡族870 回族80 汉族50"
	case code == "622927":
		spec = "汉族400 回族300 东乡族150 保安族100 撒拉族50"
	case code == "623001", code == "623027":
		spec = "藏族600 汉族300 回族100"
	case code == "623021":
		spec = "汉族700 回族250 藏族50"
	case code == "623023":
		spec = "汉族550 藏族450"
	case code == "623022", code == "623024", code == "623025", code == "623026":
		spec = "藏族820 汉族150 回族30"
	case code == "620525":
		spec = "回族690 汉族310"
	case code == "620623":
		spec = "汉族640 藏族300 土族50 回族10"
	case code == "620721":
		spec = "汉族500 裕固族300 藏族200"
	case code == "620923":
		spec = "汉族580 蒙古族400 回族20"
	case code == "620924":
		spec = "汉族550 哈萨克族400 回族50"
	}
	m := ethMix{w: newWeighted(spec)}
	for _, e := range m.w.items {
		m.styles = append(m.styles, ethStyle(e))
	}
	return m
}

// Prefecture populations in 10,000s (seventh census, 2020): the province total is 25.0 M.
func prefecturePopulation(code string) int {
	switch code {
	case "6201":
		return 436
	case "6202":
		return 31
	case "6203":
		return 44
	case "6204":
		return 151
	case "6205":
		return 298
	case "6206":
		return 146
	case "6207":
		return 113
	case "6208":
		return 185
	case "6209":
		return 106
	case "6210":
		return 218
	case "6211":
		return 252
	case "6212":
		return 241
	case "6229":
		return 211
	case "6230":
		return 69
	}
	return 100
}

// Share of households in the 脱贫户/监测对象 registry, per 100,000.
func povertyRate(countyCode, countyName string) uint32 {
	var r uint32
	switch countyCode[:4] {
	case "6229":
		r = 16000
	case "6230":
		r = 14000
	case "6211", "6212":
		r = 12000
	case "6205", "6208", "6210", "6204":
		r = 9000
	case "6201", "6202", "6203":
		r = 2500
	default:
		r = 6000
	}
	if strings.HasSuffix(countyName, "区") {
		r /= 2
	}
	return r
}

// plan is the whole geography of a run.
type plan struct {
	opts     Options
	counties []*county
	units    []*unit
	abroad   []*school // schools in other provinces, for national.csv
	migrant  []string  // six-digit address codes of migrant pupils' IDs (outside Gansu)
	total    int64     // registry rows
}

func newPlan(opts Options, tree *region.Tree, names *nameTables) (*plan, error) {
	p := &plan{opts: opts}
	geo := rand.New(rand.NewPCG(opts.Seed, 0x67656f)) // "geo"
	type countyTarget struct {
		r      region.Region
		target int
	}
	var targets []countyTarget
	switch {
	case opts.Scale == ScaleProvince:
		prefs := tree.Children(ProvinceCode)
		if len(prefs) == 0 {
			return nil, fmt.Errorf("区划表中没有甘肃省 (62): %w", baoxue.ErrNotFound)
		}
		w := make([]float64, len(prefs))
		for i, pr := range prefs {
			w[i] = float64(prefecturePopulation(pr.Code))
		}
		for i, n := range apportion(ProvinceRows, w) {
			cs := tree.Children(prefs[i].Code)
			cw := make([]float64, len(cs))
			for j, c := range cs {
				cw[j] = float64(len(tree.Children(c.Code))) // townships as a proxy for population
				if cw[j] == 0 {
					cw[j] = 1
				}
			}
			for j, m := range apportion(n, cw) {
				targets = append(targets, countyTarget{cs[j], m})
			}
		}
	default:
		r, ok := tree.Lookup(CountyCode)
		if !ok {
			return nil, fmt.Errorf("区划表中没有临夏县 (%s): %w", CountyCode, baoxue.ErrNotFound)
		}
		targets = append(targets, countyTarget{r, opts.registryRows()})
	}
	for ci, ct := range targets {
		towns := tree.Children(ct.r.Code)
		if len(towns) == 0 {
			return nil, fmt.Errorf("区划表中 %s 没有乡镇: %w", ct.r.Code, baoxue.ErrNotFound)
		}
		chain := tree.Chain(ct.r.Code)
		c := &county{
			idx:              ci,
			code:             ct.r.Code,
			name:             ct.r.Name,
			pref:             chain[1].Name,
			prov:             chain[0].Name,
			eth:              ethnicMix(ct.r.Code),
			povertyPer100k:   povertyRate(ct.r.Code, ct.r.Name),
			elsewherePer100k: 2000,
			blockSize:        500 / len(towns),
		}
		if ct.r.Code[:4] == "6229" {
			c.elsewherePer100k = 3000 // Linxia's families work in Xinjiang, Qinghai and the coast
		}
		c.title = c.name
		if opts.Scale == ScaleProvince {
			c.title = c.prov
		}
		if c.pref == "市辖区" || c.pref == "省直辖县级行政区划" {
			c.pref = ""
		}
		// Nominal township sizes follow the full county, whatever N is, so that villages and
		// schools are the county's own and only the number of people scales.
		nominal := ct.target
		if opts.Rows > 0 {
			nominal = CountyRows
		}
		tw := make([]float64, len(towns))
		for i, tn := range towns {
			f := math.Exp(0.35 * geo.NormFloat64())
			if i == 0 || strings.HasSuffix(tn.Name, "街道") {
				f *= 1.8 // the county seat and urban streets are denser
			}
			tw[i] = f
		}
		nomT := apportion(nominal, tw)
		realT := apportion(ct.target, tw)
		for i, tn := range towns {
			u := &unit{idx: len(p.units), county: c, t: i, code: tn.Code, name: tn.Name, target: realT[i], seat: i == 0}
			c.towns = append(c.towns, u)
			p.units = append(p.units, u)
			p.buildVillages(u, nomT[i], geo, names)
		}
		p.buildSchools(c, geo)
		p.counties = append(p.counties, c)
		p.total += int64(ct.target)
	}
	p.buildAbroad(tree)
	return p, nil
}

// apportion splits total into integer parts proportional to w (largest remainder), so that the
// parts always sum to total exactly.
func apportion(total int, w []float64) []int {
	out := make([]int, len(w))
	var sum float64
	for _, x := range w {
		sum += x
	}
	if sum == 0 || len(w) == 0 {
		return out
	}
	type rem struct {
		i int
		r float64
	}
	rems := make([]rem, len(w))
	given := 0
	for i, x := range w {
		exact := float64(total) * x / sum
		out[i] = int(exact)
		given += out[i]
		rems[i] = rem{i, exact - float64(out[i])}
	}
	// Stable selection of the largest remainders (ties by index) keeps this deterministic.
	for k := 0; k < total-given; k++ {
		best := -1
		for j := range rems {
			if rems[j].r >= 0 && (best < 0 || rems[j].r > rems[best].r) {
				best = j
			}
		}
		out[rems[best].i]++
		rems[best].r = -1
	}
	return out
}

func shortTownName(name string) string {
	for _, s := range []string{"街道办事处", "街道", "民族乡", "镇", "乡"} {
		if strings.HasSuffix(name, s) && len(name) > len(s)+3 {
			return strings.TrimSuffix(name, s)
		}
	}
	return name
}

// Village name parts: 王家庄村, 大河沟村, 阳洼村 … the way villages in the Loess hills are named.
const (
	villageNouns   = "庄 沟 湾 坪 塬 台 河 川 滩 咀 岔 山 坡 集 寺 堡 峡 泉 洼 岭 寨 园 源 崖 梁 关 城 铺 店 营"
	villageAdjs    = "大 小 上 下 前 后 东 西 南 北 新 红 高 中 阳 阴 青 石 杨 柳 马 刘 王 张 李 韩 何 白 黑 黄 金 银 双 三 五"
	communityNames = "东街 西街 南街 北街 城关 新华 文化 团结 和平 振兴 北关 南关 幸福 建设 滨河 民主"
)

func (p *plan) buildVillages(u *unit, nominal int, geo *rand.Rand, names *nameTables) {
	c := u.county
	n := nominal / 1300
	n = max(3, min(n, 30))
	street := strings.HasSuffix(u.name, "街道")
	nComm := 0
	switch {
	case street:
		nComm = n
	case strings.HasSuffix(u.name, "镇"):
		nComm = 1 + geo.IntN(2)
	}
	nouns := strings.Fields(villageNouns)
	adjs := strings.Fields(villageAdjs)
	comms := strings.Fields(communityNames)
	seen := map[string]bool{}
	addrPrefix := c.prov + c.pref + c.name + u.name
	w := make([]float64, n)
	for i := 0; i < n; i++ {
		var code, name string
		if i < nComm {
			code = u.code + fmt.Sprintf("%03d", i+1)
			for {
				name = comms[geo.IntN(len(comms))] + "社区"
				if !seen[name] {
					break
				}
				name = shortTownName(u.name) + strconv.Itoa(i+1) + "社区"
				if !seen[name] {
					break
				}
			}
		} else {
			code = u.code + fmt.Sprintf("%03d", 200+i-nComm+1)
			for tries := 0; ; tries++ {
				switch geo.IntN(3) {
				case 0:
					name = names.hanSur.pick(geo) + "家" + nouns[geo.IntN(len(nouns))]
				case 1:
					name = adjs[geo.IntN(len(adjs))] + nouns[geo.IntN(len(nouns))]
				default:
					name = adjs[geo.IntN(len(adjs))] + nouns[geo.IntN(len(nouns))] + nouns[geo.IntN(len(nouns))]
				}
				name += "村"
				if !seen[name] || tries > 50 {
					break
				}
			}
			if seen[name] {
				name = strings.TrimSuffix(name, "村") + strconv.Itoa(i) + "村"
			}
		}
		seen[name] = true
		u.villages = append(u.villages, &village{code: code, name: name, addr: addrPrefix + name})
		w[i] = math.Exp(0.3 * geo.NormFloat64())
	}
	for i, m := range apportion(u.target, w) {
		u.villages[i].target = m
	}
}

func (p *plan) buildSchools(c *county, geo *rand.Rand) {
	seq := 0
	add := func(name, region, kind string, boarding bool) *school {
		seq++
		s := &school{code: "2" + c.code + fmt.Sprintf("%03d", seq), name: name, region: region, kind: kind, boarding: boarding}
		switch kind {
		case "小学":
			s.primary = true
		case "初中":
			s.junior = true
		default: // 九年一贯制, 特殊教育
			s.primary, s.junior = true, true
		}
		c.schools = append(c.schools, s)
		return s
	}
	for _, u := range c.towns {
		short := shortTownName(u.name)
		if u.seat {
			c.seatPrim = append(c.seatPrim, add(c.name+"第一小学", u.code, "小学", false), add(c.name+"第二小学", u.code, "小学", false))
			c.seatJun = append(c.seatJun, add(c.name+"第一初级中学", u.code, "初中", true))
		}
		u.primaries = append(u.primaries, add(c.name+u.name+"中心小学", u.code, "小学", geo.IntN(3) == 0))
		var last *school
		for i, v := range u.villages {
			if strings.HasSuffix(v.name, "社区") {
				v.primary = u.primaries[0]
				continue
			}
			if last == nil || i%3 == 0 {
				last = add(c.name+u.name+strings.TrimSuffix(v.name, "村")+"小学", v.code, "小学", geo.IntN(10) == 0)
				u.primaries = append(u.primaries, last)
			}
			v.primary = last
		}
		if len(u.villages) >= 7 {
			u.juniors = append(u.juniors, add(c.name+short+"初级中学", u.code, "初中", geo.IntN(10) < 7))
		} else {
			nine := add(c.name+short+"九年制学校", u.code, "九年一贯制", geo.IntN(10) < 6)
			u.juniors = append(u.juniors, nine)
			u.primaries = append(u.primaries, nine)
		}
	}
	c.special = add(c.name+"特殊教育学校", c.towns[0].code, "特殊教育", true)
}

// Provinces where Gansu's migrant families live, with the share of pupils going there (per 100).
const abroadProvinces = "65:16 63:14 64:10 61:10 51:8 44:10 33:8 32:6 31:4 11:4 37:5 41:5"

func (p *plan) buildAbroad(tree *region.Tree) {
	for _, f := range strings.Fields(abroadProvinces) {
		prov, weightStr, _ := strings.Cut(f, ":")
		weight, _ := strconv.Atoi(weightStr)
		pr, _ := tree.Lookup(prov)
		var picked []region.Region
		for _, city := range tree.Children(prov) {
			for _, cty := range tree.Children(city.Code) {
				if cty.Name != "市辖区" && len(picked) < 3 {
					picked = append(picked, cty)
				}
			}
		}
		for _, cty := range picked {
			p.migrant = append(p.migrant, cty.Code)
			cityName := ""
			if chain := tree.Chain(cty.Code); len(chain) >= 2 && chain[1].Name != "市辖区" && chain[1].Name != "县" {
				cityName = chain[1].Name
			}
			base := pr.Name + cityName + cty.Name
			for k := 0; k < weight/4+1; k++ {
				n := string([]rune("一二三四五六七八九十")[k%10])
				p.abroad = append(p.abroad,
					&school{code: "2" + cty.Code + "5" + fmt.Sprintf("%02d", 2*k), name: base + "第" + n + "小学", region: cty.Code, kind: "小学", primary: true},
					&school{code: "2" + cty.Code + "5" + fmt.Sprintf("%02d", 2*k+1), name: base + "第" + n + "中学", region: cty.Code, kind: "初中", junior: true})
			}
		}
	}
}
