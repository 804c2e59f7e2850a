package server

import "net/http"

// Handler returns every route of the application. All routes are declared here, in one place, so
// that permission tests can enumerate them.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.Handle("GET /healthz", s.handleHealth())
	mux.Handle("GET /static/", staticFiles())
	mux.Handle("GET /{$}", s.handleCounty())
	return s.withRequest(mux)
}
