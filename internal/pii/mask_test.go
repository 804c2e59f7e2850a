package pii

import (
	"strings"
	"testing"
)

func TestMaskID(t *testing.T) {
	tests := []struct{ in, want string }{
		{"622921201403051234", "622***********1234"},
		{"11010519491231002X", "110***********002X"},
		{" 622921201403051234 ", "622***********1234"},
		{"622921140305123", "622*********123"}, // 15-digit legacy: birth date 140305 must not show
		{"6.22921201403051E+17", "********************"},
		{"", ""},
	}
	for _, tt := range tests {
		got := MaskID(tt.in)
		if got != tt.want {
			t.Errorf("MaskID(%q) = %q, want %q", tt.in, got, tt.want)
		}
		// The birth date (positions 7–14 of an 18-digit ID) must never be visible.
		if len(tt.in) == 18 && strings.Contains(got, tt.in[6:14]) {
			t.Errorf("MaskID(%q) shows the birth date", tt.in)
		}
	}
}

func TestMaskPhone(t *testing.T) {
	tests := []struct{ in, want string }{
		{"13812345678", "138****5678"},
		{"+8613812345678", "+86*******5678"},
		{"0930-5211234", "093*****1234"},
		{"5211234", "***1234"},
		{"12345", "*****"},
		{"", ""},
	}
	for _, tt := range tests {
		if got := MaskPhone(tt.in); got != tt.want {
			t.Errorf("MaskPhone(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestMaskName(t *testing.T) {
	tests := []struct{ in, want string }{
		{"张三", "张*"},
		{"张三丰", "张*"},
		{"马尔江·买买提", "马*"},
		{"欧阳娜娜", "欧阳*"},
		{"司马光", "司马*"},
		{"诸葛亮", "诸葛*"},
		{"上官婉儿", "上官*"},
		{"欧阳", "欧*"}, // two characters: surname 欧 and given name 阳
		{"单于", "单*"},
		{"李", "*"},
		{" 王芳 ", "王*"},
		{"", ""},
	}
	for _, tt := range tests {
		if got := MaskName(tt.in); got != tt.want {
			t.Errorf("MaskName(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
