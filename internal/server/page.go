package server

import (
	"net/http"
	"strings"

	"github.com/baoxue/baoxue/internal/auth"
	"github.com/baoxue/baoxue/internal/store"
)

// Page is what the layout (templates/layout.html) needs. Every page's data embeds it, so that
// {{template "head" .}} finds .Title, .User and .Nav:
//
//	type ledgerPage struct {
//		Page
//		Rows []row
//	}
//	s.render(w, r, "ledger.html", ledgerPage{Page: s.page(r, "台账"), Rows: rows})
type Page struct {
	Title     string
	User      *store.Account // nil on the sign-in pages
	Nav       []NavItem      // the sections this user may open
	RequestID string
}

// NavItem is one entry of the top navigation.
type NavItem struct {
	Label, Href string
	Active      bool
}

// navItem is a section and the permission that shows it.
type navItem struct {
	label, href string
	perm        auth.Permission
}

// navItems lists the sections of the application in menu order. Add a line for a new section.
func navItems() []navItem {
	return []navItem{
		{"工作看板", "/", auth.PermViewDashboard},
		{"数据导入", "/imports", auth.PermImportData},
		{"比对", "/runs", auth.PermViewLedger},
		{"台账", "/ledger", auth.PermViewLedger},
		{"我的任务", "/tasks", auth.PermVerifySuspect},
		{"个案管理", "/cases", auth.PermViewLedger},
		{"用户管理", "/admin/users", auth.PermManageUsers},
		{"安全策略", "/security", auth.PermManageSecurityPolicy},
		{"审计日志", "/audit", auth.PermViewAudit},
	}
}

// page builds the layout data for a request: its user (from requireUser) and the menu entries
// that user may open.
func (s *Server) page(r *http.Request, title string) Page {
	p := Page{Title: title, User: userOf(r), RequestID: requestID(r.Context())}
	if p.User == nil {
		return p
	}
	for _, n := range navItems() {
		if !p.User.Can(n.perm) {
			continue
		}
		active := r.URL.Path == n.href || (n.href != "/" && strings.HasPrefix(r.URL.Path, n.href+"/"))
		p.Nav = append(p.Nav, NavItem{Label: n.label, Href: n.href, Active: active})
	}
	return p
}
