package main

import "testing"

func TestField(t *testing.T) {
	for _, tc := range []struct {
		line string
		i    int
		want string
	}{
		{"a,b,c", 0, "a"},
		{"a,b,c", 2, "c"},
		{"a,b,c\r", 2, "c"},
		{"a,b,c", 3, ""},
		{"a,b,c", -1, ""},
		{`a," 620102201608130108",c`, 1, "620102201608130108"},
		{`"x,y",b,c`, 1, "b"},
		{`"x,y",b,"c"`, 2, "c"},
		{`"x,y",b,"c"` + "\r", 2, "c"},
		{"a,,c", 1, ""},
	} {
		if got := string(field([]byte(tc.line), tc.i)); got != tc.want {
			t.Errorf("field(%q, %d) = %q, want %q", tc.line, tc.i, got, tc.want)
		}
	}
}

func TestPackID(t *testing.T) {
	a, b := packID([]byte("62010220160813010X")), packID([]byte("620102201608130108"))
	if a == 0 || b == 0 || a == b || packID([]byte("62010220160813010x")) != a {
		t.Errorf("packID: %d %d", a, b)
	}
	for _, bad := range []string{"", "6201022016081301", "62010220160813010Y", "6201022016081301a8"} {
		if packID([]byte(bad)) != 0 {
			t.Errorf("packID(%q) != 0", bad)
		}
	}
}

func TestFloorTable(t *testing.T) {
	tab := newFloorTable(3000)
	for i := range 3000 {
		tab.add(uint64(i+1)*7919, int32(i))
	}
	tab.add(7919, 99) // the first wins
	for i := range 3000 {
		if got := tab.find(uint64(i+1) * 7919); got != int32(i) {
			t.Fatalf("find(%d) = %d, want %d", (i+1)*7919, got, i)
		}
	}
	if tab.find(5) != -1 || tab.find(0) != -1 {
		t.Error("find of an absent key")
	}
}
