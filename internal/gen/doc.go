// Package gen generates synthetic but realistic input files for baoxue: a household registry
// (户籍), local and national student registries (学籍), the poverty and disability registries,
// schools and villages, and truth.csv — the true status of every child, which the other files
// only let you infer. Tests and benchmarks of the importers and the comparison measure
// themselves against it.
//
// # Geography and people
//
// Counties and townships are real (internal/region): province scale is all of Gansu (62) with
// 25,000,000 registry rows split by the 2020 census population of each prefecture; county scale
// is 临夏县 (622921) with 300,000 rows in its 25 townships; a number N is N rows in 临夏县.
// Villages (12-digit codes: 001–199 社区, 201– 村) and schools (10-digit 学校标识码 "2" + county
// code + serial: 中心小学, village 小学, 初级中学 or 九年制学校 per township, the county seat's
// schools and one 特殊教育学校) are generated under them. Households have consistent ages and
// relations (户主, 配偶, 子, 女, 儿媳, 孙子, 孙女, 父亲, 母亲), a guardian (a parent, else the
// head) for every minor, ethnic make-up per county (回族, 东乡族, 保安族, 撒拉族 in Linxia, 藏族 in
// Gannan …), Zipf-distributed surnames with the heteronymous 单 曾 解 区 仇 朴 覃 乐, popular given
// names that produce many 重名, and dotted minority names (阿卜杜拉·马木提). IDs are valid and
// unique: county address code, birth date, a sequence number from the township's block (odd for
// men), check digit.
//
// # truth.csv
//
// One row per registry child born in the compulsory window widened by one cohort on each side
// (baoxue.AgeRule.WindowWidened(asOf, 1)), in registry order, then the migrant pupils. Columns:
//
//	registry_row     1-based data row of registry.csv (title, blank and header rows not counted); 0: not in the registry
//	id_number        the true ID
//	name             the true name
//	birth_date       YYYY-MM-DD
//	sex              M or F
//	region_code      village code (the school's township for migrants)
//	status           see below
//	in_window        1 if inside baoxue.DefaultAgeRule().Window(asOf)
//	grade            grade of the record student_no points to
//	student_no       学籍号 of the record that settles the status (as the file shows it)
//	enrollment_file  enrollment, national or empty
//	school_code      school of that record
//	poverty          1 if the household is in poverty.csv; poverty_type its type
//	disability       category (视力 听力 言语 肢体 智力 精神 多重), disability_level 1–4
//	migrant          1 for a 随迁 pupil, in enrollment.csv and not in the registry
//	damage           file.kind;… — every damage applied to this child's rows, e.g.
//	                 registry.id_excel_sci;enrollment.name_homophone;enrollment.id_missing
//
// Statuses:
//
//	enrolled            active 学籍 (在读) in enrollment.csv, grade consistent with age
//	enrolled_elsewhere  active 学籍 in national.csv (another province); sometimes also a local 转出 row
//	home_taught         active 学籍 with 是否送教上门 = 是 (mostly severely disabled children)
//	completed           graduated from junior high (毕业 row, grade 9)
//	suspended           学籍状态 休学 (an approved deferral)
//	out_of_school       in no 学籍 file, or only with 学籍状态 辍学; the children the comparison must find
//	deceased, emigrated registry 人员状态 死亡 / 出国(境)
//	moved_out           registry 人员状态 迁出 (sometimes a local 转出 row)
//	under_age           younger cohort outside the window, not yet in school
//	over_age            older cohort outside the window, left compulsory education
//
// Inside the window every child is in one of the other statuses: a late starter is in grade 1 and
// an early starter past grade 9 has completed. internal/eval maps these statuses to the ledger
// status a perfect comparison reports.
//
// # Profiles and damage
//
// clean writes canonical files. realistic and hard add the errors of real files at the per-row
// rates of DamageRates (hard ≈ 4×): IDs mistyped (one digit substituted, two adjacent swapped),
// missing on the 学籍 side (the student number is then a temporary L… or J… number), mangled by
// Excel (6.22921E+17, 6.22921201403051E+17, …000), full-width digits, lower-case x, a leading
// apostrophe, spaces; names with homophones (伟/玮), near-homophones (n/l, en/eng, z/zh …), a
// dropped character, a space, another separator for the middle dot (• ・ ． . space none) or the
// father's name cut off; birth dates off by one day; dates in other formats (2014-03-05, 20140305,
// 2014/3/5, 2014年3月5日); sex as 1/2 or 男/女; 是否送教上门 as 1/0 or 是/否; header synonyms; title
// and blank rows above the header; a 序号 column, trailing blank rows and GBK encoding (hard). In
// GBK, the characters GBK lacks (•, ・) become '?', as Excel writes them. Damage is drawn from a
// random stream of its own: a profile changes the files, never the people — truth.csv differs
// between profiles only in its damage column.
//
// # Determinism and speed
//
// Each township is generated from PCG streams seeded by the seed and its code, in parallel, and
// written in code order; nothing depends on map order or the clock, so the same options give
// byte-identical files. Province scale streams through a bounded pool of per-township buffers.
package gen
