package server

import (
	"net/http"

	"github.com/baoxue/baoxue/internal/auth"
)

// route is one entry of the route table: who may call it (an auth.Permission, or Public,
// SignedIn, OwnAccount) and what answers. Handler wraps every non-public route in requireUser,
// so a handler runs only for a user who holds its permission. The route-table test
// (routes_test.go) requests every route as every role, in and out of scope, and fails for a
// route it has no expectation for.
type route struct {
	method, pattern string
	perm            auth.Permission
	handler         http.Handler
}

// routes is every route of the application, one per line. Keep it a plain list.
func (s *Server) routes() []route {
	return []route{
		{"GET", "/healthz", Public, s.handleHealth()},
		{"GET", "/static/", Public, s.assets.Handler()},
		{"GET", "/favicon.ico", Public, s.assets.Handler()},

		// Sign-in and the user's own account (signin.go).
		{"GET", "/login", Public, s.handleLoginForm()},
		{"POST", "/login", Public, s.handleLogin()},
		{"GET", "/login/totp", Public, s.handleTOTPForm()},
		{"POST", "/login/totp", Public, s.handleTOTP()},
		{"POST", "/logout", Public, s.handleLogout()},
		{"GET", "/account", OwnAccount, s.handleAccount()},
		{"GET", "/account/password", OwnAccount, s.handlePasswordForm()},
		{"POST", "/account/password", OwnAccount, s.handlePassword()},
		{"GET", "/api/v1/me", SignedIn, s.handleAPIMe()},

		// Business pages: dashboard (dashboard.go), imports (imports.go), comparison runs (runs.go),
		// ledgers and the child page (ledger.go, child.go).
		{"GET", "/{$}", auth.PermViewDashboard, s.handleDashboardRoot()},
		{"GET", "/dash/{code}", auth.PermViewDashboard, s.handleDashboard()},
		{"GET", "/county", auth.PermViewDashboard, s.handleCounty()},
		{"GET", "/imports", auth.PermImportData, s.handleImports()},
		{"POST", "/imports", auth.PermImportData, s.handleUpload()},
		{"GET", "/imports/jobs/{id}", auth.PermImportData, s.handleImportJob()},
		{"GET", "/imports/jobs/{id}/report.xlsx", auth.PermImportData, s.handleImportReport()},
		{"GET", "/runs", auth.PermViewLedger, s.handleRuns()},
		{"POST", "/runs", auth.PermRunCompare, s.handleStartRun()},
		{"GET", "/runs/jobs/{id}", auth.PermRunCompare, s.handleRunJob()},
		{"GET", "/runs/{id}", auth.PermViewLedger, s.handleRun()},
		{"GET", "/ledger", auth.PermViewLedger, s.handleLedger()},
		{"POST", "/ledger/export", auth.PermExportLedger, s.handleLedgerExport()},
		{"GET", "/ledger/{id}", auth.PermViewLedger, s.handleChild()},
		{"POST", "/ledger/{id}/unmask", auth.PermUnmaskPII, s.handleUnmask()},
		{"POST", "/ledger/{id}/review", auth.PermDecideReview, s.handleReview()},

		// JSON API of the business pages (api.go).
		{"GET", "/api/v1/dashboard", auth.PermViewDashboard, s.handleAPIDashboard()},
		{"GET", "/api/v1/dashboard/{code}", auth.PermViewDashboard, s.handleAPIDashboard()},
		{"GET", "/api/v1/runs", auth.PermViewLedger, s.handleAPIRuns()},
		{"GET", "/api/v1/runs/{id}", auth.PermViewLedger, s.handleAPIRun()},
		{"GET", "/api/v1/ledger", auth.PermViewLedger, s.handleAPILedger()},
		{"GET", "/api/v1/ledger/{id}", auth.PermViewLedger, s.handleAPIEntry()},

		// Case management (cases.go, documents.go, tasks.go). Who may take each step is decided
		// again by casework's table: the route's permission admits the users who take any.
		{"GET", "/tasks", auth.PermVerifySuspect, s.handleTasks()},
		{"GET", "/cases", auth.PermViewLedger, s.handleCases()},
		{"POST", "/cases", auth.PermManageCases, s.handleCaseCreate()},
		{"POST", "/cases/sync", auth.PermManageCases, s.handleCaseSync()},
		{"GET", "/cases/export.xlsx", auth.PermExportLedger, s.handleCaseExport()},
		{"POST", "/cases/export.xlsx", auth.PermExportLedger, s.handleCaseExport()},
		{"GET", "/cases/{id}", auth.PermViewLedger, s.handleCase()},
		{"POST", "/cases/{id}/unmask", auth.PermUnmaskPII, s.handleCaseUnmask()},
		{"POST", "/cases/{id}/transition", auth.PermVerifySuspect, s.handleCaseTransition()},
		{"POST", "/cases/{id}/assign", auth.PermManageCases, s.handleCaseAssign()},
		{"POST", "/cases/{id}/chain", auth.PermManageCases, s.handleCaseChain()},
		{"POST", "/cases/{id}/reasons", auth.PermRecordVisit, s.handleCaseReasons()},
		{"GET", "/cases/{id}/visit", auth.PermRecordVisit, s.handleVisitForm()},
		{"POST", "/cases/{id}/visits", auth.PermRecordVisit, s.handleVisit()},
		{"POST", "/cases/{id}/files", auth.PermRecordVisit, s.handleCaseUpload()},
		{"GET", "/cases/{id}/files/{file}", auth.PermViewLedger, s.handleCaseFile()},
		{"POST", "/cases/{id}/referrals", auth.PermManageCases, s.handleReferral()},
		{"POST", "/cases/{id}/referrals/{ref}", auth.PermManageCases, s.handleReferralUpdate()},
		{"POST", "/cases/{id}/legal", auth.PermVerifySuspect, s.handleLegalIssue()},
		{"POST", "/cases/{id}/legal/{step}/serve", auth.PermVerifySuspect, s.handleLegalServe()},
		{"POST", "/cases/{id}/legal/{step}/outcome", auth.PermVerifySuspect, s.handleLegalOutcome()},
		{"GET", "/cases/{id}/legal/{step}/document", auth.PermUnmaskPII, s.handleDocument()},
		{"POST", "/cases/{id}/plan", auth.PermManagePlacement, s.handlePlan()},
		{"POST", "/cases/{id}/checkpoints/{seq}", auth.PermManagePlacement, s.handleCheckpoint()},
		{"POST", "/cases/{id}/transfer", auth.PermManageCases, s.handleTransfer()},
		{"GET", "/transfers", auth.PermManageCases, s.handleTransfers()},
		{"POST", "/transfers/{id}", auth.PermManageCases, s.handleTransferDecision()},
		{"GET", "/overdue", auth.PermViewReports, s.handleOverdue()},
		{"GET", "/zero", auth.PermViewDashboard, s.handleZero()},
		{"GET", "/notifications", SignedIn, s.handleNotifications()},
		{"POST", "/notifications/read", SignedIn, s.handleNotificationsRead()},
		{"GET", "/api/v1/tasks", auth.PermVerifySuspect, s.handleAPITasks()},
		{"GET", "/api/v1/cases", auth.PermViewLedger, s.handleAPICases()},
		{"GET", "/api/v1/cases/{id}", auth.PermViewLedger, s.handleAPICase()},
		{"POST", "/api/v1/cases/{id}/transition", auth.PermVerifySuspect, s.handleAPITransition()},
		{"POST", "/api/v1/cases/{id}/visits", auth.PermRecordVisit, s.handleVisit()},
		{"GET", "/api/v1/zero/{code}", auth.PermViewDashboard, s.handleAPIZero()},

		// System administrator (admin.go).
		{"GET", "/admin/users", auth.PermManageUsers, s.handleAdminUsers()},
		{"GET", "/admin/users/new", auth.PermManageUsers, s.handleAdminUserForm()},
		{"POST", "/admin/users", auth.PermManageUsers, s.handleAdminUserCreate()},
		{"POST", "/admin/users/{id}/disable", auth.PermManageUsers, s.handleAdminUserDisable(true)},
		{"POST", "/admin/users/{id}/enable", auth.PermManageUsers, s.handleAdminUserDisable(false)},
		{"POST", "/admin/users/{id}/reset", auth.PermManageUsers, s.handleAdminUserReset()},

		// Security administrator (admin.go).
		{"GET", "/security", auth.PermManageSecurityPolicy, s.handleSecurity()},

		// Auditor (auditview.go).
		{"GET", "/audit", auth.PermViewAudit, s.handleAudit()},
		{"POST", "/audit/verify", auth.PermViewAudit, s.handleAuditVerify()},
	}
}

// Handler returns the whole application: every route of routes(), each behind its permission,
// with cross-origin protection (CSRF) and the request middleware around them all.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	for _, rt := range s.routes() {
		h := rt.handler
		if rt.perm != Public {
			h = s.requireUser(rt.perm, h)
		}
		mux.Handle(rt.method+" "+rt.pattern, h)
	}
	return s.withRequest(s.crossOrigin(mux))
}

// crossOrigin refuses state-changing requests (POST and the like) that a browser marks as coming
// from another site (Sec-Fetch-Site, or an Origin that is not this host): Go's
// http.CrossOriginProtection, the CSRF defence of DESIGN §9. Scripts that send neither header
// (curl, API clients with a token) are let through; they carry no ambient cookies to abuse.
func (s *Server) crossOrigin(next http.Handler) http.Handler {
	cop := http.NewCrossOriginProtection()
	cop.SetDenyHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.auditDenied(r, "cross_origin", "origin="+r.Header.Get("Origin"))
		if isAPI(r) {
			writeJSON(w, http.StatusForbidden, apiError{Error: "拒绝跨站请求"})
			return
		}
		s.renderError(w, r, http.StatusForbidden, "请求被拒绝", "该请求来自其他网站，已被拒绝。请在保学系统的页面中重新操作。")
	}))
	return cop.Handler(next)
}
