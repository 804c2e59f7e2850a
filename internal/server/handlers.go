package server

import (
	"context"
	"net/http"
	"time"

	"github.com/baoxue/baoxue"
	"github.com/baoxue/baoxue/internal/region"
)

func (s *Server) handleHealth() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
		defer cancel()
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		if err := s.cfg.Store.Ping(ctx); err != nil {
			w.WriteHeader(http.StatusServiceUnavailable)
			_, _ = w.Write([]byte("数据库不可用\n"))
			return
		}
		_, _ = w.Write([]byte("ok\n"))
	})
}

type townshipRow struct {
	Code, Name string
	Villages   int
}

type countyPage struct {
	Page
	County    region.Region
	Path      string
	Townships []townshipRow
	Datasets  []baoxue.Dataset
	Totals    map[string]int
	Version   string
}

// handleCounty shows the county and what has been loaded into baoxue for it.
func (s *Server) handleCounty() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ds, err := s.cfg.Store.Datasets(r.Context())
		if err != nil {
			s.serverError(w, r, err)
			return
		}
		p := countyPage{Page: s.page(r, "县域概况"), Datasets: ds, Totals: map[string]int{}, Version: baoxue.Version}
		for _, d := range ds {
			p.Totals[string(d.Kind)] += d.Accepted
		}
		if c, ok := s.cfg.Tree.Lookup(s.cfg.CountyCode); ok {
			p.County = c
			p.Path = s.cfg.Tree.Path(c.Code)
			for _, t := range s.cfg.Tree.Children(c.Code) {
				p.Townships = append(p.Townships, townshipRow{Code: t.Code, Name: t.Name, Villages: len(s.cfg.Tree.Children(t.Code))})
			}
		}
		s.render(w, r, "county.html", p)
	})
}
