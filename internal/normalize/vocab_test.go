package normalize

import (
	"testing"

	"github.com/baoxue/baoxue"
)

type vocabCase struct{ in, want, code string }

func runVocab(t *testing.T, name string, fn func(string) (string, *Problem), tests []vocabCase) {
	t.Helper()
	for _, tt := range tests {
		got, p := fn(tt.in)
		if got != tt.want {
			t.Errorf("%s(%q) = %q, want %q", name, tt.in, got, tt.want)
		}
		checkProblem(t, tt.in, p, tt.code)
	}
}

func TestRegistryStatus(t *testing.T) {
	runVocab(t, "RegistryStatus", RegistryStatus, []vocabCase{
		{"正常", baoxue.RegistryNormal, ""},
		{"户口正常", baoxue.RegistryNormal, ""},
		{"在册", baoxue.RegistryNormal, ""},
		{" 正 常 ", baoxue.RegistryNormal, ""},
		{"normal", baoxue.RegistryNormal, ""},
		{"死亡", baoxue.RegistryDeceased, ""},
		{"已死亡", baoxue.RegistryDeceased, ""},
		{"死亡注销", baoxue.RegistryDeceased, ""},
		{"deceased", baoxue.RegistryDeceased, ""},
		{"出国", baoxue.RegistryEmigrated, ""},
		{"出境", baoxue.RegistryEmigrated, ""},
		{"出国(境)", baoxue.RegistryEmigrated, ""},
		{"出国（境）", baoxue.RegistryEmigrated, ""},
		{"出国（境）定居", baoxue.RegistryEmigrated, ""},
		{"EMIGRATED", baoxue.RegistryEmigrated, ""},
		{"迁出", baoxue.RegistryMovedOut, ""},
		{"已迁出", baoxue.RegistryMovedOut, ""},
		{"户口迁出", baoxue.RegistryMovedOut, ""},
		{"moved_out", baoxue.RegistryMovedOut, ""},
		{"注销", baoxue.RegistryCancelled, ""},
		{"销户", baoxue.RegistryCancelled, ""},
		{"cancelled", baoxue.RegistryCancelled, ""},
		{"其他", baoxue.RegistryOtherState, ""},
		{"other", baoxue.RegistryOtherState, ""},
		{"", "", ""},
		{"不详", "", ""},
		{"服兵役", baoxue.RegistryOtherState, CodeStatusUnknown},
		{"待核", baoxue.RegistryOtherState, CodeStatusUnknown},
	})
	_, p := RegistryStatus("待核")
	wantSeverity(t, "待核", p, Warning)
}

func TestEnrollmentStatus(t *testing.T) {
	runVocab(t, "EnrollmentStatus", EnrollmentStatus, []vocabCase{
		{"在读", baoxue.EnrollActive, ""},
		{"在校", baoxue.EnrollActive, ""},
		{"正常", baoxue.EnrollActive, ""},
		{"复学", baoxue.EnrollActive, ""},
		{"送教上门", baoxue.EnrollActive, ""},
		{"active", baoxue.EnrollActive, ""},
		{"休学", baoxue.EnrollSuspended, ""},
		{"suspended", baoxue.EnrollSuspended, ""},
		{"转出", baoxue.EnrollTransferred, ""},
		{"转学", baoxue.EnrollTransferred, ""},
		{"transferred", baoxue.EnrollTransferred, ""},
		{"毕业", baoxue.EnrollGraduated, ""},
		{"已毕业", baoxue.EnrollGraduated, ""},
		{"结业", baoxue.EnrollGraduated, ""},
		{"graduated", baoxue.EnrollGraduated, ""},
		{"辍学", baoxue.EnrollDropped, ""},
		{"失学", baoxue.EnrollDropped, ""},
		{"流失", baoxue.EnrollDropped, ""},
		{"退学", baoxue.EnrollDropped, ""},
		{"辍学／失学", baoxue.EnrollDropped, ""},
		{"dropped", baoxue.EnrollDropped, ""},
		{"", "", ""},
		{"肄业", "", CodeStatusUnknown},
		{"死亡", "", CodeStatusUnknown},
		{"待定中", "", CodeStatusUnknown},
	})
	_, p := EnrollmentStatus("肄业")
	wantSeverity(t, "肄业", p, Error)
}

func TestYesNo(t *testing.T) {
	tests := []struct {
		in   string
		want bool
		code string
	}{
		{"是", true, ""}, {"否", false, ""}, {"1", true, ""}, {"0", false, ""},
		{"Y", true, ""}, {"N", false, ""}, {"y", true, ""}, {"yes", true, ""}, {"No", false, ""},
		{"true", true, ""}, {"FALSE", false, ""}, {"√", true, ""}, {"✓", true, ""}, {"×", false, ""},
		{"有", true, ""}, {"无", false, ""}, {"", false, ""}, {" ", false, ""}, {"空", false, ""}, {"-", false, ""},
		{"１", true, ""},
		{"1.0", true, ""},
		{"偶尔", false, CodeYesNoInvalid},
		{"2", false, CodeYesNoInvalid},
	}
	for _, tt := range tests {
		got, p := YesNo(tt.in)
		if got != tt.want {
			t.Errorf("YesNo(%q) = %v, want %v", tt.in, got, tt.want)
		}
		checkProblem(t, tt.in, p, tt.code)
	}
}

func TestPovertyType(t *testing.T) {
	runVocab(t, "PovertyType", PovertyType, []vocabCase{
		{"脱贫户", PovertyLifted, ""},
		{"已脱贫户", PovertyLifted, ""},
		{"脱贫人口", PovertyLifted, ""},
		{"建档立卡贫困户", PovertyLifted, ""},
		{"贫困户", PovertyLifted, ""},
		{"脱贫不稳定户", PovertyUnstable, ""},
		{"边缘易致贫户", PovertyMarginal, ""},
		{"边缘户", PovertyMarginal, ""},
		{"突发严重困难户", PovertyHardship, ""},
		{"监测对象", PovertyMonitored, ""},
		{"防返贫监测对象", PovertyMonitored, ""},
		{"低保户", PovertyDibao, ""},
		{"农村低保", PovertyDibao, ""},
		{"五保户", PovertyTekun, ""},
		{"特困供养", PovertyTekun, ""},
		{"其他", PovertyOther, ""},
		{"", "", ""},
		{"一般户", PovertyOther, CodePovertyTypeUnknown},
	})
}

func TestRelation(t *testing.T) {
	runVocab(t, "Relation", Relation, []vocabCase{
		{"户主", RelationHead, ""},
		{"本人", RelationHead, ""},
		{"配偶", RelationSpouse, ""},
		{"妻", RelationSpouse, ""},
		{"夫", RelationSpouse, ""},
		{"之妻", RelationSpouse, ""},
		{"子", RelationSon, ""},
		{"长子", RelationSon, ""},
		{"次子", RelationSon, ""},
		{"三子", RelationSon, ""},
		{"儿子", RelationSon, ""},
		{"之子", RelationSon, ""},
		{"养子", RelationSon, ""},
		{"独生子", RelationSon, ""},
		{"女", RelationDaughter, ""},
		{"长女", RelationDaughter, ""},
		{"次女", RelationDaughter, ""},
		{"女儿", RelationDaughter, ""},
		{"之女", RelationDaughter, ""},
		{"孙子", RelationGrandson, ""},
		{"之孙子", RelationGrandson, ""},
		{"孙女", RelationGranddaughter, ""},
		{"外孙子", RelationDaughtersSon, ""},
		{"外孙女", RelationDaughtersDaughter, ""},
		{"父亲", RelationFather, ""},
		{"母亲", RelationMother, ""},
		{"母", RelationMother, ""},
		{"爷爷", RelationGrandfather, ""},
		{"祖母", RelationGrandmother, ""},
		{"外公", RelationMaternalGrandfather, ""},
		{"姥姥", RelationMaternalGrandmother, ""},
		{"哥哥", RelationSibling, ""},
		{"之兄弟姐妹", RelationSibling, ""},
		{"儿媳", RelationDaughterInLaw, ""},
		{"女婿", RelationSonInLaw, ""},
		{"侄子", RelationRelative, ""},
		{"其他", RelationOther, ""},
		{"非亲属", RelationOther, ""},
		{"", "", ""},
		{"邻居家孩子", RelationOther, CodeRelationUnknown},
		{"大子", RelationOther, CodeRelationUnknown},
	})
}

// vocabularies lists every string vocabulary, for the fuzz test.
func vocabularies() map[string]func(string) (string, *Problem) {
	return map[string]func(string) (string, *Problem){
		"RegistryStatus":     RegistryStatus,
		"EnrollmentStatus":   EnrollmentStatus,
		"PovertyType":        PovertyType,
		"Relation":           Relation,
		"DisabilityCategory": DisabilityCategory,
		"Ethnicity":          Ethnicity,
	}
}

func FuzzVocab(f *testing.F) {
	for _, s := range []string{"正常", "出国（境）", "死亡", "在读", "辍学", "脱贫户", "长子", "之女", "视力残疾", "3", "汉", "01",
		"蒙古", "", "\xff", "是", "Y", "一级", "ＮＯＲＭＡＬ"} {
		f.Add(s)
	}
	vocabs := vocabularies()
	f.Fuzz(func(t *testing.T, s string) {
		for name, fn := range vocabs {
			v, p := fn(s)
			if p.IsError() && v != "" {
				t.Errorf("%s(%q) = %q with %v", name, s, v, p)
			}
			if v == "" {
				continue
			}
			again, p2 := fn(v)
			if again != v || p2 != nil && p == nil {
				t.Errorf("%s not idempotent: %q → %q %v → %q %v", name, s, v, p, again, p2)
			}
		}
		if yes, p := YesNo(s); p == nil {
			label := "否"
			if yes {
				label = "是"
			}
			if again, p := YesNo(label); again != yes || p != nil {
				t.Errorf("YesNo(%q) = %v, but YesNo(%q) = %v %v", s, yes, label, again, p)
			}
		}
		if lvl, p := DisabilityLevel(s); lvl != 0 {
			if p != nil || lvl < 1 || lvl > 4 {
				t.Errorf("DisabilityLevel(%q) = %d %v", s, lvl, p)
			}
			if again, _ := DisabilityLevel(string(rune('0' + lvl))); again != lvl {
				t.Errorf("DisabilityLevel not idempotent on %q", s)
			}
		}
	})
}

func BenchmarkVocab(b *testing.B) {
	b.Run("RegistryStatus", func(b *testing.B) {
		for b.Loop() {
			RegistryStatus("正常")
		}
	})
	b.Run("Relation", func(b *testing.B) {
		for b.Loop() {
			Relation("长子")
		}
	})
	b.Run("Ethnicity", func(b *testing.B) {
		for b.Loop() {
			Ethnicity("东乡族")
		}
	})
}
