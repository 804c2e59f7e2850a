package pinyin

import (
	"slices"
	"strings"
	"unicode/utf8"
)

// surnameReadings lists characters whose reading as a surname differs from their most common
// reading (as go-pinyin orders them), after 《中华姓氏大辞典》 and the 2020 surname ranking. Only the
// first character of a name is read this way: 单 in 单伟 is Shàn, in 孙单 it is dān.
const surnameReadings = `单shan 曾zeng 解xie 区ou 仇qiu 朴piao 覃qin 乐yue 查zha 盖ge 缪miao 召shao
折she 种chong 么yao 牟mu 员yun 洗xian 冼xian 秘bi 繁po 宓fu 黑he 长chang 重chong 柏bai 薄bo
卜bu 谌chen 褚chu 都du 阚kan 句gou 隗wei 能nai 逄pang 任ren 燕yan 尉wei 恽yun 翟zhai 祭zhai
占zhan 藏zang 便pian 万wan 纪ji 华hua 过guo 贲ben 郇huan 眭sui 訾zi 令ling 蕃pi 校xiao 红hong 相xiang`

// compoundSurnames lists two-character surnames with their readings; the pair is read this way
// only at the start of a name.
const compoundSurnames = `欧阳ou,yang 司马si,ma 诸葛zhu,ge 上官shang,guan 尉迟yu,chi 万俟mo,qi 东方dong,fang
皇甫huang,fu 令狐ling,hu 慕容mu,rong 夏侯xia,hou 公孙gong,sun 长孙zhang,sun 单于chan,yu
澹台tan,tai 宇文yu,wen 司徒si,tu 司空si,kong 呼延hu,yan 赫连he,lian 鲜于xian,yu 闻人wen,ren
轩辕xuan,yuan 南宫nan,gong 西门xi,men 端木duan,mu 独孤du,gu 拓跋tuo,ba 百里bai,li 东郭dong,guo
公冶gong,ye 太叔tai,shu 申屠shen,tu 钟离zhong,li 宗政zong,zheng 濮阳pu,yang 淳于chun,yu
仲孙zhong,sun 乐正yue,zheng 漆雕qi,diao 亓官qi,guan 谷梁gu,liang 第五di,wu 梁丘liang,qiu
左丘zuo,qiu 公羊gong,yang 巫马wu,ma 子车zi,ju 颛孙zhuan,sun 壤驷rang,si 公良gong,liang`

func (t *Table) mustLookup(s string) Syllable {
	v := t.Lookup(s)
	if v == None {
		panic("pinyin: surname table names unknown syllable " + s)
	}
	return v
}

func (t *Table) buildSurnames() {
	t.surnames = make(map[rune]surname)
	t.extended = make(map[rune][]Syllable)
	flag := func(r rune) {
		if u := uint32(r) - denseBase; u < denseLen {
			t.dense[u] |= surnameFlag
		}
	}
	for _, f := range strings.Fields(surnameReadings) {
		r, n := firstRune(f)
		s := t.mustLookup(f[n:])
		e := t.surnames[r]
		e.reading = s
		t.surnames[r] = e
		flag(r)
		if rs := t.Readings(r); !slices.Contains(rs, s) {
			t.extended[r] = append(slices.Clip(rs), s)
		}
	}
	for _, f := range strings.Fields(compoundSurnames) {
		r1, n1 := firstRune(f)
		r2, n2 := firstRune(f[n1:])
		parts := strings.Split(f[n1+n2:], ",")
		e := t.surnames[r1]
		e.compounds = append(e.compounds, compound{second: r2, s1: t.mustLookup(parts[0]), s2: t.mustLookup(parts[1])})
		t.surnames[r1] = e
		flag(r1)
	}
}

func firstRune(s string) (rune, int) {
	if s == "" {
		return 0, 0
	}
	return utf8.DecodeRuneInString(s)
}

// SurnameLen returns how many characters of name form its surname as Name reads it: 2 for a
// listed compound surname (欧阳, 尉迟), otherwise 1; 0 for an empty name.
func (t *Table) SurnameLen(name string) int {
	r1, n1 := firstRune(name)
	if n1 == 0 {
		return 0
	}
	r2, _ := firstRune(name[n1:])
	for _, c := range t.surnames[r1].compounds {
		if c.second == r2 {
			return 2
		}
	}
	return 1
}
