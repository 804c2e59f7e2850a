package server

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"testing/fstest"
)

// embeddedAssets builds the assets from the real embedded static directory, the one that ships.
func embeddedAssets(t *testing.T) *assets {
	t.Helper()
	sub, err := fs.Sub(staticFS, "static")
	if err != nil {
		t.Fatal(err)
	}
	a, err := newAssets(sub)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func assetGet(t *testing.T, h http.Handler, method, url string, header ...string) *http.Response {
	t.Helper()
	req := httptest.NewRequest(method, url, nil)
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec.Result()
}

func readBody(t *testing.T, resp *http.Response) []byte {
	t.Helper()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// vendored reads vendor/VERSIONS: file name → sha256 as written by tools/vendor-assets.sh.
func vendored(t *testing.T) map[string]string {
	t.Helper()
	data, err := fs.ReadFile(staticFS, "static/vendor/VERSIONS")
	if err != nil {
		t.Fatal(err)
	}
	sums := make(map[string]string)
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) == 2 && len(fields[0]) == 64 {
			sums[fields[1]] = fields[0]
		}
	}
	for _, want := range []string{"htmx.min.js", "echarts.min.js", "htmx.LICENSE.txt", "echarts.LICENSE.txt"} {
		if sums[want] == "" {
			t.Fatalf("vendor/VERSIONS lists no sha256 for %s", want)
		}
	}
	return sums
}

// Every vendored file is embedded, is byte for byte what VERSIONS recorded from the registry,
// and is served at a URL carrying its hash with a year of immutable caching.
func TestAssetsServeEveryVendoredFile(t *testing.T) {
	a := embeddedAssets(t)
	h := a.Handler()
	for name, sum := range vendored(t) {
		t.Run(name, func(t *testing.T) {
			url := a.URL("vendor/" + name)
			if !strings.Contains(url, "."+sum[:assetHashLen]) || !strings.HasPrefix(url, "/static/vendor/") {
				t.Fatalf("URL(%q) = %q, want /static/vendor/… with hash %s", name, url, sum[:assetHashLen])
			}
			resp := assetGet(t, h, "GET", url)
			body := readBody(t, resp)
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("GET %s: %d", url, resp.StatusCode)
			}
			got := sha256.Sum256(body)
			if hex.EncodeToString(got[:]) != sum {
				t.Errorf("GET %s: body sha256 %x, VERSIONS says %s", url, got, sum)
			}
			if cc := resp.Header.Get("Cache-Control"); cc != "public, max-age=31536000, immutable" {
				t.Errorf("Cache-Control = %q", cc)
			}
		})
	}
}

func TestAssetURL(t *testing.T) {
	a := embeddedAssets(t)
	sum := vendored(t)["echarts.min.js"]
	tests := []struct{ name, want string }{
		{"vendor/echarts.min.js", "/static/vendor/echarts.min." + sum[:assetHashLen] + ".js"},
		{"vendor/VERSIONS", ""}, // checked for shape below
		{"no/such.js", "/static/no/such.js"},
	}
	for _, tt := range tests {
		got := a.URL(tt.name)
		if tt.want != "" && got != tt.want {
			t.Errorf("URL(%q) = %q, want %q", tt.name, got, tt.want)
		}
	}
	if u := a.URL("vendor/VERSIONS"); !strings.HasPrefix(u, "/static/vendor/VERSIONS.") || len(u) != len("/static/vendor/VERSIONS.")+assetHashLen {
		t.Errorf("URL(vendor/VERSIONS) = %q, want the hash appended", u)
	}
	if a2 := embeddedAssets(t); a2.URL("style.css") != a.URL("style.css") {
		t.Error("URL is not stable across starts")
	}
}

func TestAssetURLFollowsContent(t *testing.T) {
	v1, err := newAssets(fstest.MapFS{"app.js": {Data: []byte("one()")}})
	if err != nil {
		t.Fatal(err)
	}
	v2, err := newAssets(fstest.MapFS{"app.js": {Data: []byte("two()")}})
	if err != nil {
		t.Fatal(err)
	}
	u1, u2 := v1.URL("app.js"), v2.URL("app.js")
	if u1 == u2 {
		t.Fatalf("changed content kept URL %s", u1)
	}
	// A browser holding the old page asks for the old URL: the new build must not serve new
	// content there under an immutable header.
	if resp := assetGet(t, v2.Handler(), "GET", u1); resp.StatusCode != http.StatusNotFound {
		t.Errorf("old hash on new build: %d, want 404", resp.StatusCode)
	}
}

func TestAssetsHandler(t *testing.T) {
	a := embeddedAssets(t)
	h := a.Handler()
	jsURL := a.URL("vendor/htmx.min.js")
	cssURL := a.URL("style.css")
	// Same length, one hex digit changed.
	i := len(jsURL) - len(".js") - assetHashLen
	flipped := byte('0')
	if jsURL[i] == '0' {
		flipped = '1'
	}
	wrongHash := jsURL[:i] + string(flipped) + jsURL[i+1:]
	tests := []struct {
		name, method, url string
		header            []string
		status            int
		contentType       string
		cacheControl      string
		encoding          string
	}{
		{"js hashed", "GET", jsURL, nil, 200, "text/javascript; charset=utf-8", "public, max-age=31536000, immutable", ""},
		{"css hashed", "GET", cssURL, nil, 200, "text/css; charset=utf-8", "public, max-age=31536000, immutable", ""},
		{"txt hashed", "GET", a.URL("vendor/htmx.LICENSE.txt"), nil, 200, "text/plain; charset=utf-8", "public, max-age=31536000, immutable", ""},
		{"no extension sniffed", "GET", a.URL("vendor/VERSIONS"), nil, 200, "text/plain; charset=utf-8", "public, max-age=31536000, immutable", ""},
		{"head", "HEAD", jsURL, nil, 200, "text/javascript; charset=utf-8", "public, max-age=31536000, immutable", ""},
		{"plain name revalidates", "GET", "/static/style.css", nil, 200, "text/css; charset=utf-8", "no-cache", ""},
		{"wrong hash", "GET", wrongHash, nil, 404, "", "", ""},
		{"another file's hash", "GET", strings.Replace(a.URL("vendor/echarts.min.js"), "echarts", "htmx", 1), nil, 404, "", "", ""},
		{"short hash", "GET", "/static/vendor/htmx.min.d6fd.js", nil, 404, "", "", ""},
		{"unknown file", "GET", "/static/vendor/jquery.min.js", nil, 404, "", "", ""},
		{"directory", "GET", "/static/vendor/", nil, 404, "", "", ""},
		{"outside prefix", "GET", "/vendor/htmx.min.js", nil, 404, "", "", ""},
		{"post", "POST", jsURL, nil, 405, "", "", ""},
		{"favicon hashed", "GET", a.URL("favicon.svg"), nil, 200, "image/svg+xml", "public, max-age=31536000, immutable", ""},
		{"favicon at the root", "GET", "/favicon.ico", nil, 200, "image/svg+xml", "public, max-age=86400", ""},
		{"gzip", "GET", jsURL, []string{"Accept-Encoding", "br, gzip;q=0.8"}, 200, "text/javascript; charset=utf-8", "public, max-age=31536000, immutable", "gzip"},
		{"gzip refused", "GET", jsURL, []string{"Accept-Encoding", "gzip;q=0, *"}, 200, "text/javascript; charset=utf-8", "public, max-age=31536000, immutable", ""},
		{"star", "GET", jsURL, []string{"Accept-Encoding", "*"}, 200, "text/javascript; charset=utf-8", "public, max-age=31536000, immutable", "gzip"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp := assetGet(t, h, tt.method, tt.url, tt.header...)
			if resp.StatusCode != tt.status {
				t.Fatalf("%s %s: status %d, want %d", tt.method, tt.url, resp.StatusCode, tt.status)
			}
			if tt.status != 200 {
				if cc := resp.Header.Get("Cache-Control"); strings.Contains(cc, "immutable") {
					t.Errorf("error answer is cacheable: %q", cc)
				}
				return
			}
			if got := resp.Header.Get("Content-Type"); got != tt.contentType {
				t.Errorf("Content-Type = %q, want %q", got, tt.contentType)
			}
			if got := resp.Header.Get("Cache-Control"); got != tt.cacheControl {
				t.Errorf("Cache-Control = %q, want %q", got, tt.cacheControl)
			}
			if got := resp.Header.Get("Content-Encoding"); got != tt.encoding {
				t.Errorf("Content-Encoding = %q, want %q", got, tt.encoding)
			}
			if resp.Header.Get("ETag") == "" {
				t.Error("no ETag")
			}
		})
	}
}

func TestAssetsGzipBody(t *testing.T) {
	a := embeddedAssets(t)
	url := a.URL("vendor/echarts.min.js")
	resp := assetGet(t, a.Handler(), "GET", url, "Accept-Encoding", "gzip")
	if resp.Header.Get("Content-Encoding") != "gzip" || !strings.Contains(resp.Header.Get("Vary"), "Accept-Encoding") {
		t.Fatalf("headers %v, want gzip with Vary: Accept-Encoding", resp.Header)
	}
	compressed := readBody(t, resp)
	zr, err := gzip.NewReader(bytes.NewReader(compressed))
	if err != nil {
		t.Fatal(err)
	}
	plain, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	want, err := fs.ReadFile(staticFS, "static/vendor/echarts.min.js")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(plain, want) {
		t.Fatal("gunzipped body differs from the embedded file")
	}
	if len(compressed) > len(want)/2 {
		t.Errorf("gzip gives %d of %d bytes; expected under half", len(compressed), len(want))
	}
	t.Logf("echarts.min.js: %d bytes, %d gzipped", len(want), len(compressed))
}

func TestAssetsConditionalGet(t *testing.T) {
	a := embeddedAssets(t)
	h := a.Handler()
	url := a.URL("vendor/htmx.min.js")
	for _, enc := range []string{"", "gzip"} {
		first := assetGet(t, h, "GET", url, "Accept-Encoding", enc)
		etag := first.Header.Get("ETag")
		again := assetGet(t, h, "GET", url, "Accept-Encoding", enc, "If-None-Match", etag)
		if again.StatusCode != http.StatusNotModified {
			t.Errorf("encoding %q: If-None-Match %s gave %d, want 304", enc, etag, again.StatusCode)
		}
	}
	plain := assetGet(t, h, "GET", url).Header.Get("ETag")
	zipped := assetGet(t, h, "GET", url, "Accept-Encoding", "gzip").Header.Get("ETag")
	if plain == zipped {
		t.Errorf("identity and gzip share ETag %s", plain)
	}
}

func TestAcceptsGzip(t *testing.T) {
	tests := []struct {
		header string
		want   bool
	}{
		{"", false},
		{"gzip", true},
		{"GZIP", true},
		{"deflate, gzip;q=1.0, *;q=0.5", true},
		{"br", false},
		{"gzip;q=0", false},
		{"gzip; q=0.000", false},
		{"gzip;q=0, *", false},
		{"*", true},
		{"*;q=0", false},
		{"identity", false},
		{"x-gzip", true},
		{"gzip;q=bogus", false},
	}
	for _, tt := range tests {
		if got := acceptsGzip([]string{tt.header}); got != tt.want {
			t.Errorf("acceptsGzip(%q) = %v, want %v", tt.header, got, tt.want)
		}
	}
}

func TestHashedName(t *testing.T) {
	tests := []struct{ in, want string }{
		{"vendor/echarts.min.js", "vendor/echarts.min.abc.js"},
		{"style.css", "style.abc.css"},
		{"vendor/VERSIONS", "vendor/VERSIONS.abc"},
		{".hidden", ".hidden.abc"},
	}
	for _, tt := range tests {
		if got := hashedName(tt.in, "abc"); got != tt.want {
			t.Errorf("hashedName(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// BenchmarkNewAssets measures the start-up cost: reading, hashing and gzipping every static file.
func BenchmarkNewAssets(b *testing.B) {
	sub, err := fs.Sub(staticFS, "static")
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if _, err := newAssets(sub); err != nil {
			b.Fatal(err)
		}
	}
}

// Every page links the icon at its hashed URL, and a browser that asks /favicon.ico anyway (a
// PDF, a download) gets the same file instead of a 404.
func TestFavicon(t *testing.T) {
	e := newEnv(t, nil)
	page := e.get(e.client(), "/login")
	link := e.srv.assets.URL("favicon.svg")
	if !strings.Contains(page.body, `<link rel="icon" type="image/svg+xml" href="`+link+`">`) {
		t.Fatalf("sign-in page does not link the icon %s", link)
	}
	for _, path := range []string{link, "/favicon.ico"} {
		r := e.get(e.client(), path)
		if r.status != 200 || r.header.Get("Content-Type") != "image/svg+xml" || !strings.HasPrefix(r.body, "<svg") {
			t.Errorf("GET %s: %d %q", path, r.status, r.header.Get("Content-Type"))
		}
	}
}
