package server

import (
	"net/url"
	"strings"
	"testing"
)

// FuzzLocalTarget: whatever a sign-in form's "next" holds, the redirect stays on this site.
func FuzzLocalTarget(f *testing.F) {
	for _, s := range []string{"/", "/ledger?run=3&status=suspected", "//evil.example", `/\evil`, "https://evil.example/",
		"/%2F%2Fevil", "/\r\nSet-Cookie: x", "javascript:alert(1)", "", "/a b", "/\t/evil", "/.//evil"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, next string) {
		got := localTarget(next)
		if got == "" {
			return
		}
		if got != next {
			t.Fatalf("localTarget changed %q to %q", next, got)
		}
		if !strings.HasPrefix(got, "/") || strings.HasPrefix(got, "//") || strings.HasPrefix(got, `/\`) || strings.ContainsAny(got, "\r\n") {
			t.Fatalf("localTarget(%q) = %q leaves the site", next, got)
		}
		// What a browser would do with it: resolve against our origin and stay there.
		base, _ := url.Parse("https://baoxue.example/login")
		ref, err := url.Parse(got)
		if err != nil {
			t.Fatalf("accepted unparsable %q", got)
		}
		if u := base.ResolveReference(ref); u.Host != "baoxue.example" || u.Scheme != "https" {
			t.Fatalf("localTarget(%q) resolves to %s", next, u)
		}
	})
}
