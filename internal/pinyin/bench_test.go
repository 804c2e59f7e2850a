package pinyin

import "testing"

// benchNames is a realistic mix: common two- and three-character names, heteronymous and
// compound surnames, and a transliterated minority name.
var benchNames = []string{
	"张伟", "王芳", "李娜", "刘洋", "马小龙", "马小虎", "陈静", "杨帆", "赵丽", "黄磊",
	"单伟", "曾小红", "周子轩", "吴欣怡", "徐浩然", "孙梓涵", "胡一诺", "朱雨桐", "郭佳怡", "何俊杰",
	"欧阳子豪", "才让卓玛", "古丽·艾合买提", "林晓燕", "罗文龙", "马海燕", "韩志强", "冶尕西木", "解小军", "乐乐",
}

func BenchmarkName(b *testing.B) {
	tb := New()
	dst := make([]Syllable, 0, 16)
	i := 0
	for b.Loop() {
		dst = tb.Name(dst[:0], benchNames[i])
		i++
		if i == len(benchNames) {
			i = 0
		}
	}
}

func BenchmarkNew(b *testing.B) {
	for b.Loop() {
		New()
	}
}
