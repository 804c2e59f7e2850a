package server

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"strconv"
	"strings"
	"time"
)

// assetPrefix is the URL path under which static files are served.
const assetPrefix = "/static/"

// faviconPath is where browsers look for an icon when a page names none (a PDF, a download, a
// plain-text error): the handler answers it with static/favicon.svg, which the layout also links.
const (
	faviconPath = "/favicon.ico"
	faviconName = "favicon.svg"
)

// assetHashLen is how many hex digits of a file's sha256 go into its URL: 48 bits, so two versions
// of one file practically never share a URL (which would pin a browser to the old one for a year).
const assetHashLen = 12

// assets serves the embedded static files at content-hashed URLs, such as
// /static/vendor/echarts.min.3f2a9c1b7e4d.js, so that browsers may cache them for a year: a new
// build with a changed file has a new URL. Everything is read, hashed and (for text) gzipped once
// at start, so a request costs a map lookup.
type assets struct {
	byName map[string]*asset // "vendor/htmx.min.js"
	byURL  map[string]*asset // "vendor/htmx.min.d6fdc75f204e.js"
}

type asset struct {
	name        string
	url         string // full path, with assetPrefix
	contentType string
	body        []byte
	etag        string
	gz          []byte // nil when gzip does not pay
	gzETag      string
}

// newAssets reads every file of fsys (the static directory's contents: "style.css",
// "vendor/htmx.min.js", …).
func newAssets(fsys fs.FS) (*assets, error) {
	a := &assets{byName: make(map[string]*asset), byURL: make(map[string]*asset)}
	err := fs.WalkDir(fsys, ".", func(name string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		body, err := fs.ReadFile(fsys, name)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(body)
		full := hex.EncodeToString(sum[:])
		hashed := hashedName(name, full[:assetHashLen])
		f := &asset{
			name:        name,
			url:         assetPrefix + hashed,
			contentType: contentTypeOf(name, body),
			body:        body,
			etag:        `"` + full + `"`,
		}
		if compressible(f.contentType) {
			gz, err := gzipBytes(body)
			if err != nil {
				return fmt.Errorf("gzip %s: %w", name, err)
			}
			if len(gz) < len(body)*9/10 {
				f.gz = gz
				f.gzETag = `"` + full + `-gz"` // an ETag names one representation
			}
		}
		a.byName[name] = f
		a.byURL[hashed] = f
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("read static files: %w", err)
	}
	return a, nil
}

// hashedName puts the hash before the last extension: vendor/echarts.min.js →
// vendor/echarts.min.<hash>.js; a name without extension gets it appended.
func hashedName(name, hash string) string {
	ext := path.Ext(name)
	if ext == "" || ext == path.Base(name) {
		return name + "." + hash
	}
	return strings.TrimSuffix(name, ext) + "." + hash + ext
}

// URL gives the content-hashed URL of a static file, e.g. URL("vendor/htmx.min.js"). For a name
// that is not embedded it returns the plain /static/ path, which answers 404, so a typo in a
// template shows up as a broken link in the browser's console and the request log.
func (a *assets) URL(name string) string {
	if f, ok := a.byName[name]; ok {
		return f.url
	}
	return assetPrefix + name
}

// Names lists the embedded file names, for tests that check every file a template names exists.
func (a *assets) Names() []string {
	names := make([]string, 0, len(a.byName))
	for n := range a.byName {
		names = append(names, n)
	}
	return names
}

// Handler serves GET and HEAD under /static/, and the icon at /favicon.ico. A hashed URL is cached
// for a year as immutable; the plain name (for links written before hashing, or typed by hand) is
// served with no-cache so the browser revalidates with the ETag; /favicon.ico, whose URL cannot
// change with its content, for a day; any other path, including a hash that is not the file's
// current one, is 404.
func (a *assets) Handler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			w.Header().Set("Allow", "GET, HEAD")
			http.Error(w, "不支持的请求方法", http.StatusMethodNotAllowed)
			return
		}
		h := w.Header()
		rest, ok := strings.CutPrefix(r.URL.Path, assetPrefix)
		if r.URL.Path == faviconPath {
			rest, ok = faviconName, true
		}
		if !ok {
			http.NotFound(w, r)
			return
		}
		f, hashed := a.byURL[rest]
		switch {
		case r.URL.Path == faviconPath:
			if f, ok = a.byName[rest]; !ok {
				http.NotFound(w, r)
				return
			}
			h.Set("Cache-Control", "public, max-age=86400")
		case hashed:
			h.Set("Cache-Control", "public, max-age=31536000, immutable")
		default:
			if f, ok = a.byName[rest]; !ok {
				http.NotFound(w, r)
				return
			}
			h.Set("Cache-Control", "no-cache")
		}
		h.Set("Content-Type", f.contentType)
		body, etag := f.body, f.etag
		if f.gz != nil {
			h.Add("Vary", "Accept-Encoding")
			if acceptsGzip(r.Header.Values("Accept-Encoding")) {
				body, etag = f.gz, f.gzETag
				h.Set("Content-Encoding", "gzip")
			}
		}
		h.Set("ETag", etag)
		// ServeContent answers If-None-Match with 304 and handles Range and HEAD.
		http.ServeContent(w, r, "", time.Time{}, bytes.NewReader(body))
	})
}

// contentTypeOf fixes the types the application depends on instead of asking the mime package,
// which on Linux reads /etc/mime.types and may say application/javascript or nothing at all.
func contentTypeOf(name string, body []byte) string {
	switch strings.ToLower(path.Ext(name)) {
	case ".js", ".mjs":
		return "text/javascript; charset=utf-8"
	case ".css":
		return "text/css; charset=utf-8"
	case ".svg":
		return "image/svg+xml"
	case ".png":
		return "image/png"
	case ".ico":
		return "image/vnd.microsoft.icon"
	case ".woff2":
		return "font/woff2"
	case ".json", ".map":
		return "application/json"
	case ".txt":
		return "text/plain; charset=utf-8"
	case ".html":
		return "text/html; charset=utf-8"
	case "":
		return http.DetectContentType(body) // VERSIONS and the like: text/plain
	}
	if t := mime.TypeByExtension(path.Ext(name)); t != "" {
		return t
	}
	return http.DetectContentType(body)
}

func compressible(contentType string) bool {
	return strings.HasPrefix(contentType, "text/") || strings.HasPrefix(contentType, "application/json") ||
		strings.HasPrefix(contentType, "image/svg+xml")
}

func gzipBytes(b []byte) ([]byte, error) {
	var buf bytes.Buffer
	zw, err := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	if err != nil {
		return nil, err
	}
	if _, err := zw.Write(b); err != nil {
		return nil, err
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// acceptsGzip reads Accept-Encoding values: gzip with a q-value above zero, or, when gzip is not
// named, * with a q-value above zero.
func acceptsGzip(values []string) bool {
	gzipQ, starQ := -1.0, -1.0
	for _, v := range values {
		for part := range strings.SplitSeq(v, ",") {
			coding, params, _ := strings.Cut(strings.TrimSpace(part), ";")
			q := 1.0
			for p := range strings.SplitSeq(params, ";") {
				k, val, _ := strings.Cut(strings.TrimSpace(p), "=")
				if strings.EqualFold(strings.TrimSpace(k), "q") {
					f, err := strconv.ParseFloat(strings.TrimSpace(val), 64)
					if err != nil {
						f = 0 // a malformed q-value is not consent
					}
					q = f
				}
			}
			switch strings.ToLower(strings.TrimSpace(coding)) {
			case "gzip", "x-gzip":
				gzipQ = max(gzipQ, q)
			case "*":
				starQ = max(starQ, q)
			}
		}
	}
	if gzipQ >= 0 {
		return gzipQ > 0
	}
	return starQ > 0
}
