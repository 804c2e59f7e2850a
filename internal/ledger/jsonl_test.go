package ledger

import (
	"bytes"
	"encoding/json"
	"testing"

	"github.com/baoxue/baoxue"
)

func stdEncode(t testing.TB, e *baoxue.LedgerEntry) []byte {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(e); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestAppendEntryMatchesEncodingJSON(t *testing.T) {
	entries := sampleEntries()
	entries = append(entries,
		baoxue.LedgerEntry{Name: "a\"b\\c\n\t\r\b\f\x01\x1f\x7f<>&\u2028\u2029\xff\xfe马", MatchScore: 1e-7, PriorityGroups: nil},
		baoxue.LedgerEntry{Name: "\xe3\x80\x80\xec\xbf\xbf\xe3\x80", Detail: "\xed\xa0\x80\xe0\x80\x80\xec\xbf\xc0\xe3", MatchScore: 1},
		baoxue.LedgerEntry{SourceRow: -3, MatchScore: 0.999958, Detail: "身份证号第12、13位颠倒；姓名相同", PriorityGroups: []string{"a", "b"}},
		baoxue.LedgerEntry{MatchScore: 1e21, Poverty: true},
		baoxue.LedgerEntry{MatchScore: 123456789.125, Sex: "M"},
	)
	for i := range entries {
		want := stdEncode(t, &entries[i])
		if got := appendEntry(nil, &entries[i]); !bytes.Equal(got, want) {
			t.Errorf("entry %d:\n got %s\nwant %s", i, got, want)
		}
	}
}

func FuzzAppendEntry(f *testing.F) {
	f.Add("马小龙", "学籍状态为辍学（临夏县第一初级中学）", 0.9995, 12)
	f.Add("\x00\"\\\u2028\xff", "", 1e-7, -1)
	f.Add("", "<b>&</b>", 5e-324, 0)
	f.Add("\xe3\x80\x80\xe3\x80\xec\xbf\xbf\xe3\x80", "\xed\xa0\x80\xe0\x80\x80\xe2\x80\xa8\xec\xbf\xc0", 1.0, 1)
	f.Fuzz(func(t *testing.T, name, detail string, score float64, row int) {
		if score != score || score > 1e300 || score < -1e300 {
			return // NaN and infinities are not valid JSON; scores are probabilities
		}
		e := baoxue.LedgerEntry{SourceRow: row, Name: name, Detail: detail, MatchScore: score, PriorityGroups: []string{name}}
		if got, want := appendEntry(nil, &e), stdEncode(t, &e); !bytes.Equal(got, want) {
			t.Fatalf("got %s\nwant %s", got, want)
		}
	})
}

func BenchmarkAppendEntry(b *testing.B) {
	e := sampleEntries()[1]
	var buf []byte
	b.ReportAllocs()
	for b.Loop() {
		buf = appendEntry(buf[:0], &e)
	}
}

func BenchmarkEncodingJSON(b *testing.B) {
	e := sampleEntries()[1]
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	b.ReportAllocs()
	for b.Loop() {
		buf.Reset()
		enc.Encode(&e)
	}
}
