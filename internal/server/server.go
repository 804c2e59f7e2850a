// Package server is baoxue's HTTP face: the web pages officials use and the JSON API. Routes are
// declared in routes.go; templates and static files are embedded so the binary serves everything
// itself, with no CDN and no call out (county intranets have no internet).
package server

import (
	"bytes"
	"context"
	"crypto/rand"
	"embed"
	"encoding/hex"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/baoxue/baoxue"
	"github.com/baoxue/baoxue/internal/region"
)

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

// Store is what the server reads and writes. The storage package implements it; tests may fake it.
type Store interface {
	Ping(ctx context.Context) error
	Datasets(ctx context.Context) ([]baoxue.Dataset, error)
}

// Config is what the server needs to run.
type Config struct {
	Store      Store
	Tree       *region.Tree
	Log        *slog.Logger
	CountyCode string // the county the demo (or a county install) is about; "" for none
}

// Server serves the web application.
type Server struct {
	cfg   Config
	pages *template.Template
}

// New parses the embedded templates once.
func New(cfg Config) (*Server, error) {
	if cfg.Store == nil || cfg.Tree == nil {
		return nil, errors.New("server: store and region tree are required")
	}
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	funcs := template.FuncMap{
		"kindLabel": func(k baoxue.DatasetKind) string { return baoxue.Label(baoxue.DatasetKinds, string(k)) },
		"datetime":  func(t time.Time) string { return t.Local().Format("2006-01-02 15:04") },
	}
	t, err := template.New("").Funcs(funcs).ParseFS(templateFS, "templates/*.html")
	if err != nil {
		return nil, fmt.Errorf("parse templates: %w", err)
	}
	return &Server{cfg: cfg, pages: t}, nil
}

// Serve listens on addr until ctx is cancelled, then shuts down gracefully. ready, if not nil, is
// called with the bound address once the listener is open.
func (s *Server) Serve(ctx context.Context, addr string, ready func(net.Addr)) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", addr, err)
	}
	srv := &http.Server{
		Handler:           s.Handler(),
		ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout:       2 * time.Minute,
		ErrorLog:          slog.NewLogLogger(s.cfg.Log.Handler(), slog.LevelWarn),
	}
	if ready != nil {
		ready(ln.Addr())
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	return nil
}

// render writes a page, or a 500 that tells the user nothing internal.
func (s *Server) render(w http.ResponseWriter, r *http.Request, name string, data any) {
	// Render into a buffer first so that a template error becomes a clean 500, not half a page.
	var buf bytes.Buffer
	if err := s.pages.ExecuteTemplate(&buf, name, data); err != nil {
		s.serverError(w, r, fmt.Errorf("render %s: %w", name, err))
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	_, _ = buf.WriteTo(w)
}

func (s *Server) serverError(w http.ResponseWriter, r *http.Request, err error) {
	s.cfg.Log.ErrorContext(r.Context(), "request failed", "path", r.URL.Path, "err", err, "request_id", requestID(r.Context()))
	http.Error(w, "服务器内部错误，请稍后重试或联系管理员（请求编号 "+requestID(r.Context())+"）", http.StatusInternalServerError)
}

type ctxKey int

const requestIDKey ctxKey = 1

func requestID(ctx context.Context) string {
	id, _ := ctx.Value(requestIDKey).(string)
	return id
}

// withRequest gives every request an id (returned in X-Request-Id and written to logs and audit),
// sets the security headers, and logs the request without any personal data: only method, path
// pattern, status and duration.
func (s *Server) withRequest(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var b [8]byte
		_, _ = rand.Read(b[:])
		id := hex.EncodeToString(b[:])
		ctx := context.WithValue(r.Context(), requestIDKey, id)
		h := w.Header()
		h.Set("X-Request-Id", id)
		h.Set("Content-Security-Policy", "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; frame-ancestors 'none'; base-uri 'none'; form-action 'self'")
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "same-origin")
		h.Set("X-Frame-Options", "DENY")
		rec := &statusRecorder{ResponseWriter: w, status: http.StatusOK}
		start := time.Now()
		next.ServeHTTP(rec, r.WithContext(ctx))
		s.cfg.Log.InfoContext(ctx, "http", "method", r.Method, "pattern", r.Pattern, "status", rec.status,
			"ms", time.Since(start).Milliseconds(), "request_id", id)
	})
}

type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (r *statusRecorder) WriteHeader(code int) {
	r.status = code
	r.ResponseWriter.WriteHeader(code)
}

func staticFiles() http.Handler {
	sub, err := fs.Sub(staticFS, "static")
	if err != nil {
		panic(err) // the embed pattern guarantees the directory exists
	}
	return http.StripPrefix("/static/", http.FileServerFS(sub))
}
