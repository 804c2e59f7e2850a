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
	"sync"
	"time"

	"github.com/baoxue/baoxue"
	"github.com/baoxue/baoxue/internal/audit"
	"github.com/baoxue/baoxue/internal/auth"
	"github.com/baoxue/baoxue/internal/casework"
	"github.com/baoxue/baoxue/internal/notice"
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
	Accounts   Accounts // users, sessions, sign-in lockout and the audit log
	Tree       *region.Tree
	Log        *slog.Logger
	CountyCode string // the county the demo (or a county install) is about; "" for none
	// Clock gives the time for sessions, lockout and TOTP; nil means the system clock. Tests
	// pass a settable one.
	Clock auth.Clock
	// SecureCookies: browsers reach the server over HTTPS through a proxy that terminates TLS
	// (serve --tls). Requests that arrive over TLS themselves are detected without it. Session
	// cookies are then Secure and named with the __Host- prefix.
	SecureCookies bool
	// WorkDir is where the server makes its private working directory for uploads and error
	// reports (imports.go); "" means os.TempDir(). The server removes what it made on Close.
	WorkDir string
}

// Server serves the web application.
type Server struct {
	cfg      Config
	pages    *template.Template
	assets   *assets
	sessions *auth.Sessions
	authn    *auth.Authenticator
	lockout  *auth.Lockout // in-process; the store's lockout is the one that survives restarts
	audit    *audit.Logger
	jobs     *jobRegistry // imports and comparison runs in the background (imports.go)
	// docRenderer is made on the first legal document: it holds the decompressed font (≈3 MB),
	// which a server that never prints should not pay for.
	docRenderer func() (*notice.Renderer, error)
}

// New parses the embedded templates once and reads the static files.
func New(cfg Config) (*Server, error) {
	if cfg.Store == nil || cfg.Accounts == nil || cfg.Tree == nil {
		return nil, errors.New("server: store, accounts and region tree are required")
	}
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	if cfg.Clock == nil {
		cfg.Clock = auth.SystemClock{}
	}
	sub, err := fs.Sub(staticFS, "static")
	if err != nil {
		return nil, err
	}
	a, err := newAssets(sub)
	if err != nil {
		return nil, err
	}
	var srv *Server // for the functions that need the server; set before any page renders
	funcs := template.FuncMap{
		"kindLabel": func(k baoxue.DatasetKind) string { return baoxue.Label(baoxue.DatasetKinds, string(k)) },
		"datetime":  func(t time.Time) string { return t.Local().Format("2006-01-02 15:04") },
		"assetURL":  a.URL,
		// Codes are stored in English; pages show their Chinese labels (codes.go of the root
		// package and casework).
		"stateLabel": func(st baoxue.CaseState) string { return casework.StateLabel(st) },
		"codeLabel":  codeLabel,
		"regionName": func(code string) string { return srv.regionName(code) },
	}
	t, err := template.New("").Funcs(funcs).ParseFS(templateFS, "templates/*.html")
	if err != nil {
		return nil, fmt.Errorf("parse templates: %w", err)
	}
	lockout := auth.NewLockout(cfg.Clock)
	srv = &Server{cfg: cfg, pages: t, assets: a,
		sessions:    auth.NewSessions(cfg.Accounts, cfg.Clock),
		authn:       auth.NewAuthenticator(cfg.Accounts, lockout, cfg.Clock),
		lockout:     lockout,
		audit:       audit.NewLogger(cfg.Accounts),
		jobs:        newJobRegistry(cfg.WorkDir, cfg.Clock.Now),
		docRenderer: sync.OnceValues(notice.NewRenderer),
	}
	return srv, nil
}

// now is the server's clock.
func (s *Server) now() time.Time { return s.cfg.Clock.Now() }

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
	go s.janitor(ctx)
	select {
	case err := <-errc:
		_ = s.Close()
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	err = srv.Shutdown(shutdownCtx)
	if cerr := s.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	return nil
}

// janitor deletes expired error reports every ten minutes until ctx ends (pages that list or
// serve reports also sweep first, so the period only bounds how long a file outlives its term).
func (s *Server) janitor(ctx context.Context) {
	t := time.NewTicker(10 * time.Minute)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			s.jobs.expire(s.now())
		}
	}
}

// Close stops the background imports and comparisons (their transactions roll back) and removes
// the working directory with every upload and error report in it. Serve calls it on shutdown;
// whoever serves Handler() otherwise calls it when done.
func (s *Server) Close() error {
	if err := s.jobs.close(15 * time.Second); err != nil {
		return fmt.Errorf("remove the working directory: %w", err)
	}
	return nil
}

// render writes a page with status 200, or a 500 that tells the user nothing internal.
func (s *Server) render(w http.ResponseWriter, r *http.Request, name string, data any) {
	s.renderStatus(w, r, http.StatusOK, name, data)
}

// renderStatus writes a page with the given status.
func (s *Server) renderStatus(w http.ResponseWriter, r *http.Request, status int, name string, data any) {
	// Render into a buffer first so that a template error becomes a clean 500, not half a page.
	var buf bytes.Buffer
	if err := s.pages.ExecuteTemplate(&buf, name, data); err != nil {
		s.serverError(w, r, fmt.Errorf("render %s: %w", name, err))
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	// Pages may show personal data or secrets (an initial password): never cache them.
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_, _ = buf.WriteTo(w)
}

func (s *Server) serverError(w http.ResponseWriter, r *http.Request, err error) {
	s.cfg.Log.ErrorContext(r.Context(), "request failed", "path", r.URL.Path, "err", err, "request_id", requestID(r.Context()))
	msg := "服务器内部错误，请稍后重试或联系管理员（请求编号 " + requestID(r.Context()) + "）"
	if isAPI(r) {
		writeJSON(w, http.StatusInternalServerError, apiError{Error: msg})
		return
	}
	http.Error(w, msg, http.StatusInternalServerError)
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
		ctx = audit.WithRequestID(ctx, id) // every audit record written while serving carries it
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
