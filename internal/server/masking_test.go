package server

import (
	"testing"

	"github.com/baoxue/baoxue"
)

// The reasons the comparison writes (internal/match nameReason, birthReason, compare's status
// details) with the personal values they quote masked, and nothing else changed.
func TestMaskDetail(t *testing.T) {
	tests := []struct{ in, want string }{
		{"学籍中找到本人（临夏县韩集镇中心小学，三年级，在读）：身份证号相同；姓名同音（马家乐/马佳乐）",
			"学籍中找到本人（临夏县韩集镇中心小学，三年级，在读）：身份证号相同；姓名同音（马*/马*）"},
		{"身份证号第12位不同；姓名近音（欧阳娜娜/欧阳纳纳）；出生日期相差一天（2014-03-05/2014-03-06）",
			"身份证号第12位不同；姓名近音（欧阳*/欧阳*）；出生日期相差一天（2014-**-**/2014-**-**）"},
		{"姓名相同（分隔符不同：阿卜杜拉·马木提/阿卜杜拉.马木提）；出生日期月日颠倒（2013-04-05/2013-05-04）",
			"姓名相同（分隔符不同：阿*/阿*）；出生日期月日颠倒（2013-**-**/2013-**-**）"},
		{"疑似学籍记录（学校标识码2162292101，外省学籍，五年级，辍学）需人工确认是否为同一人：姓名差一字（马尕西木/马西木）",
			"疑似学籍记录（学校标识码2162292101，外省学籍，五年级，辍学）需人工确认是否为同一人：姓名差一字（马*/马*）"},
		{"学籍中未找到，可能失学辍学，请优先核实", "学籍中未找到，可能失学辍学，请优先核实"},
		{"引用了身份证号 622921201403051234", "引用了身份证号 622***********1234"},
		{"", ""},
	}
	for _, tt := range tests {
		if got := maskDetail(tt.in); got != tt.want {
			t.Errorf("maskDetail(%q)\n got %q\nwant %q", tt.in, got, tt.want)
		}
	}
}

// The reveal levels: what each shows of the same values.
func TestMasker(t *testing.T) {
	const id, name, phone, addr = "622921201403051234", "马小花", "13912345678", "韩集镇阳洼村三社12号"
	birth := baoxue.MakeDate(2014, 3, 5)
	tests := []struct {
		level                          reveal
		id, name, phone, addr, birthOf string
	}{
		{revealNone, "622***********1234", "马*", "139****5678", "（已脱敏）", "2014 年"},
		{revealContact, "622***********1234", name, phone, addr, "2014 年"},
		{revealAll, id, name, phone, addr, "2014-03-05"},
	}
	for _, tt := range tests {
		m := masker(tt.level)
		got := []string{m.id(id), m.name(name), m.phone(phone), m.text(addr), m.birth(birth)}
		want := []string{tt.id, tt.name, tt.phone, tt.addr, tt.birthOf}
		for i := range got {
			if got[i] != want[i] {
				t.Errorf("level %d: %q, want %q", tt.level, got[i], want[i])
			}
		}
	}
}
