package gen

import (
	"math"
	"math/rand/v2"
	"strconv"
	"strings"
)

// weighted is a list of strings drawn with fixed relative weights. Picking is one random number
// and a binary search; it never allocates.
type weighted struct {
	items []string
	cum   []uint32 // cumulative weights; cum[len-1] is the total
}

// newWeighted parses "王710 李700 …" (item followed by its integer weight, space separated).
func newWeighted(spec string) weighted {
	var w weighted
	var total uint32
	for _, f := range strings.Fields(spec) {
		i := strings.IndexAny(f, "0123456789")
		if i <= 0 {
			panic("gen: bad weighted entry " + f) // tables are constants; a typo is a programming error
		}
		n, err := strconv.Atoi(f[i:])
		if err != nil || n <= 0 {
			panic("gen: bad weight in " + f)
		}
		total += uint32(n)
		w.items = append(w.items, f[:i])
		w.cum = append(w.cum, total)
	}
	return w
}

// newZipf gives the i-th of the space-separated items a weight proportional to 1/(i+1)^s, the
// rank–frequency law of personal names.
func newZipf(spec string, s float64) weighted {
	var w weighted
	var total uint32
	for i, f := range strings.Fields(spec) {
		total += uint32(100000/math.Pow(float64(i+1), s)) + 1
		w.items = append(w.items, f)
		w.cum = append(w.cum, total)
	}
	return w
}

// newComposed lists every two-character name first+second, weighted by the product of the
// characters' Zipf weights; building the strings once keeps picking allocation-free.
func newComposed(firsts, seconds string, s float64) weighted {
	var w weighted
	var total uint32
	for i, a := range strings.Fields(firsts) {
		for j, b := range strings.Fields(seconds) {
			if a == b {
				continue
			}
			total += uint32(10000/math.Pow(float64((i+1)*(j+1)), s)) + 1
			w.items = append(w.items, a+b)
			w.cum = append(w.cum, total)
		}
	}
	return w
}

func (w *weighted) pick(r *rand.Rand) string { return w.items[w.pickIndex(r)] }

func (w *weighted) pickIndex(r *rand.Rand) int {
	x := uint32((uint64(r.Uint32()) * uint64(w.cum[len(w.cum)-1])) >> 32)
	lo, hi := 0, len(w.cum)-1
	for lo < hi {
		m := (lo + hi) >> 1
		if w.cum[m] > x {
			hi = m
		} else {
			lo = m + 1
		}
	}
	return lo
}

// Surname frequencies per 10,000 people, after the Ministry of Public Security's 2020 ranking,
// nudged towards Gansu (more 马, fewer southern names). The heteronymous surnames 单 曾 解 区 仇 朴
// 覃 乐 are kept at a floor of 0.1 % so that every county sample contains them: they are the ones
// whose pinyin reading differs from the common reading of the character and trip up matching.
const hanSurnames = `王710 李700 张660 刘540 陈450 杨360 黄150 赵220 吴150 周150 徐130 孙140 马200
朱110 胡110 郭130 何100 高110 林60 罗80 郑70 梁70 谢60 宋60 唐60 许57 韩60 冯55 邓50 曹55
彭50 曾49 肖48 田55 董50 袁44 潘42 于41 蒋41 蔡40 余40 杜45 叶35 程38 苏40 魏45 吕35 丁40
任38 沈30 姚31 卢30 姜29 崔30 钟25 谭25 陆24 汪30 范25 金25 石30 廖20 贾30 夏23 韦15 付25
方21 白30 邹18 孟22 熊18 秦22 邱18 江19 尹19 薛20 闫25 段20 雷20 侯20 龙15 史20 陶15 黎12
贺15 顾12 毛15 郝18 龚12 邵13 万13 钱12 严12 覃10 武18 戴11 莫10 孔13 向11 汤10 常15 温10
康13 施9 文9 牛15 樊13 葛9 邢9 安15 齐8 易8 乔10 伍8 庞8 颜8 倪8 庄7 聂7 章7 鲁9 岳7 翟7
殷7 詹6 申6 欧6 耿6 关6 兰8 焦8 俞6 左6 柳6 甘6 祝5 包5 宁5 尚7 符5 舒5 阮5 柯5 纪5 梅5
童5 凌5 毕5 单10 季5 裴5 霍5 涂4 成6 苗6 谷4 盛4 曲4 翁4 冉4 骆4 蓝4 路5 游4 辛5 靳4 管4
柴5 蒙4 鲍4 华4 喻4 祁6 蒲6 房4 滕4 屈4 饶4 解10 牟4 艾3 尤3 阳3 时3 穆4 农3 司3 卓3
古3 吉3 缪3 简3 车3 项3 连3 芦3 党5 景4 仇10 乐10 区10 朴10 慕4 权4 巩4 达3 令狐2 欧阳2`

// Surnames of the Hui, Dongxiang, Bonan and Salar people of Linxia: 马 dominates.
const huiSurnames = `马3600 韩450 何380 妥320 穆220 冶240 喇200 虎180 祁200 王300 张250 杨260 赵150 海150
沙140 白150 丁100 米90 哈110 拜70 鲜80 者40 撒40 罗80 李200 陈90 周60 刘100 金80 苏80 汪120
唐90 孔50 包40 龙40 保30 闵40 苟30`

// Given names by era. Popular names cluster, so draws follow Zipf's law (s≈0.4) over each list.
const (
	maleOld     = `建军 建国 志强 国强 卫东 伟 勇 军 强 斌 磊 明 平 刚 杰 涛 海 华 林 东 兵 辉 鹏 波 超 成 忠 文 武 福 贵 生 山 红军 建华 建平 志刚 志勇 海军 永强 小平 国庆 世忠 德明 学军 玉龙 进财 有福 福全 玉林 保国 建设 振华 国华 国平 万福 长生 春生 金山 银山 有才 治国 建新 文明 卫国 天福 广林 守仁 继红 永福 俊 斌斌 占山 学文`
	maleMid     = `伟 磊 涛 超 鹏 杰 浩 强 帅 亮 龙 飞 宇 晨 军 斌 勇 刚 辉 波 峰 鑫 凯 明 健 鹏飞 文龙 小龙 海龙 家乐 俊杰 志伟 建伟 晓东 晓明 小军 小兵 文杰 伟伟 永刚 永平 天明 国栋 振宇 建龙 子龙 小刚 东东 亚军 红伟 海涛 海峰 文斌 旭东 晓龙 建斌 志鹏 宏伟 嘉伟 耀华 世杰 成龙 金龙 玉杰 彦龙`
	maleYoung   = `子轩 浩宇 宇轩 浩然 俊杰 梓豪 子豪 宇航 一鸣 博文 天佑 家豪 明轩 皓轩 俊熙 睿 浩 宇 轩 杰 鑫 磊 晨 阳 凯 博 豪 涛 鹏 龙 小龙 嘉豪 思远 文博 雨泽 梓睿 奕辰 沐阳 子墨 宇泽 梓轩 铭轩 子涵 一诺 浩轩 锦程 天宇 俊豪 嘉怡 子恒 振宇 宇豪 佳乐 鹏飞 伟 泽宇 晨阳 乐乐 文轩 家乐 宇辰 永康 建斌 思成 子杰 梓航 俊宇 皓宇 昊天 睿泽 志豪 建宇`
	femaleOld   = `秀英 桂英 玉兰 秀兰 凤英 桂兰 玉梅 淑珍 丽 芳 娟 敏 静 艳 燕 霞 红 梅 兰 英 华 萍 玲 琴 云 莉 娜 丽娟 小红 海燕 玉珍 金花 春花 秀珍 秀梅 红梅 秀花 玉花 桂花 凤兰 秀琴 春梅 玉英 兰英 菊花 玉凤 桂芳 秀芳 翠花 改花 彩霞 莲花 秀云 雪梅 冬梅 金兰 玉霞 桂珍 凤琴 瑞兰`
	femaleMid   = `婷 娜 静 丹 倩 雪 敏 颖 佳 琳 丽 晶 莹 娟 艳 燕 霞 芳 玲 慧 洁 楠 蓉 婧 琴 瑶 悦 小燕 晓燕 丽丽 婷婷 娟娟 丹丹 小红 海燕 文静 雪梅 春燕 晓丽 晓霞 玉洁 红霞 丽娜 亚楠 晓娟 小芳 艳艳 明明 静静 雅琴 欢欢 小娟 晓梅 玉娟 金凤 彩红 晓婷 淑娟 小丽`
	femaleYoung = `欣怡 梓涵 诗涵 子涵 雨涵 紫涵 可馨 一诺 梦琪 佳怡 雨桐 思涵 欣妍 语嫣 若汐 雨欣 佳琪 思琪 婷 静 雪 颖 悦 琳 娜 丹 瑶 萱 涵 欣 怡 倩 雅 琪 妍 蕊 佳欣 子萱 雨萱 诗琪 梦瑶 心怡 佳慧 晓雪 嘉欣 雅琪 紫萱 婉婷 思雨 欣悦 静怡 梓萱 雨婷 佳佳 文静 依依 可欣 梦洁 思彤 馨月 乐怡 欣雨 晨曦 雨晴 艺涵`
	huiMale     = `小龙 海龙 建军 忠孝 国仁 尕西木 哈三 尔撒 穆萨 伊布拉 麦志 海军 福祥 学明 玉福 成龙 文龙 有福 占林 明 军 龙 俊 强 玉龙 福林 国林 永福 尕四 伊斯哈 尔里 小军 志强 德成 义 忠 明义 成 海福 福禄 进财 俊杰 子轩 浩 宇轩 浩然 艾力 亚黑亚 伊哈 尕吾 尤努斯 哈伦 麦海 永祥 学文`
	huiFemale   = `玉梅 秀英 海燕 法图麦 阿依舍 尕女 秀花 玉兰 小梅 玉花 桂花 海英 秀兰 梅 燕 花 兰 莲 艳 娟 小燕 海梅 雪梅 玉霞 秀梅 尕梅 麦燕 哈丽麦 尔麦 赛麦 佳怡 梓涵 欣怡 欣 婷 雅 涵 小花 春燕 丽 尕燕 梅花 玉莲 海霞 尕花 法蒂玛 阿米乃 赛力麦 子涵 雨萱`
	tibetanName = `才让 卓玛 扎西 多杰 拉毛 卓玛草 才让措 东知 尕藏 贡保 完玛 旦正 索南 仁青 加措 桑杰 李毛 吉毛 拉姆 措毛 杨本 久美 更登 丹增 卓嘎 央金 德吉 格桑 次仁 尼玛 达瓦 白玛 巴桑 才旦 拉措 周毛 道吉 华旦 尕让 看卓 当智 切吉 草毛 仁增 才吉 吉先 扎西卓玛 仁青卓玛 扎西才让 才让东知 多杰才让 索南吉 拉毛措 卓玛吉`
	mongolName  = `巴特尔 乌云 其其格 那仁 苏和 吉日格勒 额尔敦 斯琴 图雅 巴图 乌兰 萨仁 阿拉坦 满都拉 宝音 哈斯 朝鲁 格日勒 敖登 孟和`
)

// Characters that two-character given names are composed of, most popular first. Half of all
// given names are composed from them, so that besides the big clusters of popular names (马小龙,
// 张伟) there is the long tail real registries have.
const (
	maleFirst    = `子 浩 宇 俊 志 建 海 小 文 国 明 家 永 天 晓 伟 德 学 玉 成 世 金 福 长 兴 鹏 嘉 振 立 光 思 一 博 忠 红 春`
	maleSecond   = `轩 宇 杰 涛 龙 军 明 强 伟 华 平 林 辉 斌 鹏 飞 峰 东 刚 勇 成 豪 博 涵 瑞 祥 胜 亮 川 山 鑫 凯 超 泽 阳 武`
	femaleFirst  = `欣 梓 雨 子 佳 思 诗 晓 小 玉 秀 海 春 丽 美 雅 婉 梦 静 慧 金 桂 红 彩 淑 月 雪 艳 凤 翠 紫 可 若 心 文`
	femaleSecond = `怡 涵 萱 琪 婷 悦 妍 雪 梅 兰 英 燕 霞 娟 芳 丽 琳 倩 颖 瑶 洁 花 珍 云 红 莉 玲 娜 敏 静 彤 蕊 欣 茹 华`
)

// Names of minorities written with a separating middle dot (given name · father's name), as ID
// cards print them for Uyghur, Kazakh and some Hui and Dongxiang families.
const (
	dotMale   = `阿卜杜拉 穆罕默德 伊卜拉欣 尤努斯 阿里 哈桑 侯赛因 优素福 尔萨 穆萨 叶尔兰 努尔兰 阿布都 艾合买提 买买提 吐尔逊 阿迪力 依明 哈力克 木拉提 叶尔江 别克`
	dotFemale = `阿依古丽 法图麦 阿依舍 玛丽亚木 海迪彻 宰乃拜 阿米娜 古丽娜尔 阿依努尔 热依拉 再努尔 古丽 努尔古丽 阿丽娅 帕提古丽`
	dotFather = `马木提 买买提 艾力 吐尔逊 阿布都 努尔 沙吾提 热合曼 伊力哈木 库尔班 哈山 尔萨 穆萨 叶尔兰 别克 阿里木 卡德尔 尼亚孜`
)

// Homophones: characters read with the same syllable (tones ignored). A clerk typing from
// dictation picks any of them.
const homophoneGroups = `伟玮炜维薇 丽莉俐利立 娜那纳 静婧晶菁靖 军君俊骏峻均钧 明铭鸣名 华桦花 杰洁婕捷
涛韬滔 敏民闽 芳方坊 婷亭庭廷霆 燕艳雁妍彦 霞侠 宇雨玉语钰瑜煜羽 轩萱宣璇 涵含晗寒 浩皓昊豪灏
龙隆珑 梅玫媚 兰岚蓝澜 英瑛莹颖莺 鹏朋彭 斌彬滨宾 红虹宏鸿洪 秀绣 建健剑坚 志智治芝 忠中钟仲
孝晓小筱 欣馨心新鑫昕 怡宜仪依艺益逸毅 雪学 梓子紫姿 思斯丝 诗士世师 磊蕾雷 勇永涌泳 超潮
琪琦淇奇祺 佳嘉家加 文雯闻 瑞睿锐蕊 祥翔 刚钢岗 波博柏 云芸韵运昀 飞菲斐 强蔷 平萍苹坪 辉慧惠晖卉
宁凝柠 晨辰琛臣 成诚程承 东冬栋 峰锋丰凤枫 福富 张章 王汪 刘柳 杨阳扬 徐许 何贺和 吴伍武 玲铃灵
花华 莲连联 霞夏 珍贞真 凯恺铠 亮靓 帅率 军钧 海 涵函`

// Near-homophones: syllables that northwestern speakers (and tired clerks) merge — en/eng,
// in/ing, n/l, z/zh, c/ch, s/sh, an/ang. Pairs are listed as "ab", each may replace the other.
const nearHomophonePairs = `陈程 晨成 辰城 珍征 芬峰 林玲 林凌 琳宁 斌兵 彬冰 金晶 琴晴 敏明 民名 欣星 新兴 心馨
兰南 兰楠 娜拉 宁玲 龙农 兰郎 子志 紫芷 宗忠 曾郑 春村 思诗 丝诗 芳凡 刚甘 帆芳 山杉 杉善 存纯 增正
森生 仁人 纯春 赞站 参搀 静进 婧锦 英音 莹银 颖引 平频 萍贫`

// nameTables is everything the generator draws names from, parsed once per run.
type nameTables struct {
	hanSur, huiSur                      weighted
	maleOld, maleMid, maleYoung         weighted
	femaleOld, femaleMid, femaleYoung   weighted
	huiMale, huiFemale, tibetan, mongol weighted
	dotMale, dotFemale, dotFather       weighted
	maleComposed, femaleComposed        weighted
	homophones                          map[rune][]rune
	nearHomophones                      map[rune][]rune
	heteronymous                        []string
}

// heteronymousSurnames are surnames whose reading differs from the character's usual reading
// (单 Shàn not dān, 曾 Zēng not céng, 解 Xiè not jiě, 区 Ōu, 仇 Qiú, 朴 Piáo, 覃 Qín, 乐 Yuè).
const heteronymousSurnames = "单 曾 解 区 仇 朴 覃 乐"

func newNameTables() *nameTables {
	const s = 0.4
	t := &nameTables{
		hanSur:         newWeighted(hanSurnames),
		huiSur:         newWeighted(huiSurnames),
		maleOld:        newZipf(maleOld, s),
		maleMid:        newZipf(maleMid, s),
		maleYoung:      newZipf(maleYoung, s),
		femaleOld:      newZipf(femaleOld, s),
		femaleMid:      newZipf(femaleMid, s),
		femaleYoung:    newZipf(femaleYoung, s),
		huiMale:        newZipf(huiMale, 0.25),
		huiFemale:      newZipf(huiFemale, 0.25),
		tibetan:        newZipf(tibetanName, s),
		mongol:         newZipf(mongolName, s),
		dotMale:        newZipf(dotMale, 0.4),
		dotFemale:      newZipf(dotFemale, 0.4),
		dotFather:      newZipf(dotFather, 0.4),
		maleComposed:   newComposed(maleFirst, maleSecond, 0.5),
		femaleComposed: newComposed(femaleFirst, femaleSecond, 0.5),
		homophones:     map[rune][]rune{},
		nearHomophones: map[rune][]rune{},
		heteronymous:   strings.Fields(heteronymousSurnames),
	}
	for _, g := range strings.Fields(homophoneGroups) {
		rs := []rune(g)
		for _, r := range rs {
			for _, o := range rs {
				if o != r {
					t.homophones[r] = append(t.homophones[r], o)
				}
			}
		}
	}
	for _, p := range strings.Fields(nearHomophonePairs) {
		rs := []rune(p)
		if len(rs) != 2 {
			panic("gen: near-homophone pair " + p)
		}
		t.nearHomophones[rs[0]] = append(t.nearHomophones[rs[0]], rs[1])
		t.nearHomophones[rs[1]] = append(t.nearHomophones[rs[1]], rs[0])
	}
	return t
}
