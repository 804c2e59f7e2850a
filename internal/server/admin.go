package server

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/baoxue/baoxue"
	"github.com/baoxue/baoxue/internal/auth"
	"github.com/baoxue/baoxue/internal/store"
)

// The system administrator's pages: accounts in the administrator's own scope. They show no
// business data. Accounts of the three powers (sysadmin, secadmin, auditor) are listed but managed
// with the command line only (`baoxue user …`, which needs the server's files): otherwise a
// system administrator could reset the auditor's password and sign in as the auditor, and the
// separation of the three powers would be a formality.

type userRow struct {
	store.Account
	ScopeLabel string
	Power      bool // one of the three powers: command line only
}

type adminUsersPage struct {
	Page
	Users []userRow
}

type userFormPage struct {
	Page
	Roles    []auth.Role
	Username string
	Name     string
	Role     string
	Scope    string
	Error    string
}

type secretPage struct {
	Page
	Username string
	Password string
	Created  bool
	TOTP     bool
}

// covers reports whether an administrator's scope includes an account's scope. A school account
// is covered when the school lies in the administrator's region, according to the school list.
func (s *Server) covers(r *http.Request, admin, target auth.Scope) (bool, error) {
	if target.IsSchool() && !admin.IsSchool() {
		region, err := s.cfg.Accounts.SchoolRegion(r.Context(), target.SchoolCode())
		if errors.Is(err, baoxue.ErrNotFound) {
			return false, nil
		}
		if err != nil {
			return false, err
		}
		return admin.ContainsSchool(target.SchoolCode(), region), nil
	}
	return admin.Covers(target), nil
}

func (s *Server) handleAdminUsers() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		admin := userOf(r)
		list, err := s.cfg.Accounts.Accounts(r.Context())
		if err != nil {
			s.serverError(w, r, err)
			return
		}
		p := adminUsersPage{Page: s.page(r, "用户管理")}
		for _, a := range list {
			ok, err := s.covers(r, admin.Scope, a.Scope)
			if err != nil {
				s.serverError(w, r, err)
				return
			}
			if ok {
				p.Users = append(p.Users, userRow{Account: a, ScopeLabel: s.scopeLabel(a.Scope),
					Power: a.Role.Power() != auth.PowerNone})
			}
		}
		s.render(w, r, "admin_users.html", p)
	})
}

// businessRoles are the roles an administrator may give on the web.
func businessRoles() []auth.Role {
	var out []auth.Role
	for _, r := range auth.Roles() {
		if r.Power() == auth.PowerNone {
			out = append(out, r)
		}
	}
	return out
}

func (s *Server) handleAdminUserForm() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.render(w, r, "admin_user_form.html", userFormPage{Page: s.page(r, "新建用户"), Roles: businessRoles(),
			Role: string(auth.RoleOfficer), Scope: userOf(r).Scope.String()})
	})
}

func (s *Server) handleAdminUserCreate() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		admin := userOf(r)
		p := userFormPage{Page: s.page(r, "新建用户"), Roles: businessRoles(),
			Username: strings.TrimSpace(r.PostFormValue("username")), Name: strings.TrimSpace(r.PostFormValue("name")),
			Role: r.PostFormValue("role"), Scope: strings.TrimSpace(r.PostFormValue("scope"))}
		invalid := func(msg string) {
			p.Error = strings.TrimPrefix(msg, baoxue.ErrInvalid.Error()+": ")
			s.renderStatus(w, r, http.StatusUnprocessableEntity, "admin_user_form.html", p)
		}
		name, err := auth.NormalizeUsername(p.Username)
		if err != nil {
			invalid(err.Error())
			return
		}
		role, err := auth.ParseRole(p.Role)
		if err != nil {
			invalid(err.Error())
			return
		}
		if role.Power() != auth.PowerNone {
			invalid("系统管理员、安全管理员和审计管理员账号只能用命令行 baoxue user add 创建")
			return
		}
		scope, err := auth.ParseScope(p.Scope)
		if err != nil {
			invalid(err.Error())
			return
		}
		if err := auth.CheckAssignment(role, scope); err != nil {
			invalid(err.Error())
			return
		}
		if !scope.IsSchool() && !s.cfg.Tree.Known(scope.RegionCode()) {
			invalid(fmt.Sprintf("管辖范围 %s 不是已知的行政区划代码", scope))
			return
		}
		if ok, err := s.covers(r, admin.Scope, scope); err != nil {
			s.serverError(w, r, err)
			return
		} else if !ok {
			if scope.IsSchool() {
				invalid("该学校不在已导入的学校名单中，或不在您的管辖范围内")
			} else {
				invalid("只能创建您管辖范围（" + s.scopeLabel(admin.Scope) + "）之内的账号")
			}
			return
		}
		password, err := InitialPassword()
		if err != nil {
			s.serverError(w, r, err)
			return
		}
		hash, err := auth.HashPassword(password)
		if err != nil {
			s.serverError(w, r, err)
			return
		}
		a := &store.Account{User: auth.User{Username: name, DisplayName: p.Name, Role: role, Scope: scope,
			PasswordHash: hash, MustChangePassword: true, CreatedAt: s.now()}}
		if err := s.cfg.Accounts.CreateUser(r.Context(), a); errors.Is(err, baoxue.ErrExists) {
			invalid("用户名 " + name + " 已存在")
			return
		} else if err != nil {
			s.serverError(w, r, err)
			return
		}
		if err := s.auditLog(r, baoxue.AuditRecord{Action: actUserCreate, Object: "user:" + a.Username, Result: "ok",
			Detail: fmt.Sprintf("role=%s scope=%s", role, scope)}); err != nil {
			s.serverError(w, r, err)
			return
		}
		s.render(w, r, "admin_secret.html", secretPage{Page: s.page(r, "用户已创建"), Username: a.Username,
			Password: password, Created: true})
	})
}

// targetUser loads the account named by the {id} of an admin route, answering 404 when it does
// not exist or lies outside the administrator's scope, and 403 (audited) for an account of the
// three powers.
func (s *Server) targetUser(w http.ResponseWriter, r *http.Request) (*store.Account, bool) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		s.notFound(w, r)
		return nil, false
	}
	a, err := s.cfg.Accounts.AccountByID(r.Context(), id)
	if errors.Is(err, baoxue.ErrNotFound) {
		s.notFound(w, r)
		return nil, false
	}
	if err != nil {
		s.serverError(w, r, err)
		return nil, false
	}
	ok, err := s.covers(r, userOf(r).Scope, a.Scope)
	if err != nil {
		s.serverError(w, r, err)
		return nil, false
	}
	if !ok {
		s.notFound(w, r)
		return nil, false
	}
	if a.Role.Power() != auth.PowerNone {
		s.auditDenied(r, "forbidden", "three-powers account user:"+a.Username)
		s.renderError(w, r, http.StatusForbidden, "没有权限",
			"系统管理员、安全管理员和审计管理员账号只能用命令行（baoxue user）管理。")
		return nil, false
	}
	return &a, true
}

func (s *Server) handleAdminUserDisable(disable bool) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		a, ok := s.targetUser(w, r)
		if !ok {
			return
		}
		if err := s.cfg.Accounts.SetDisabled(r.Context(), a.ID, disable, s.now()); err != nil {
			s.serverError(w, r, err)
			return
		}
		action := actUserEnable
		if disable {
			action = actUserDisable
		}
		if err := s.auditLog(r, baoxue.AuditRecord{Action: action, Object: "user:" + a.Username, Result: "ok"}); err != nil {
			s.serverError(w, r, err)
			return
		}
		http.Redirect(w, r, "/admin/users", http.StatusSeeOther)
	})
}

func (s *Server) handleAdminUserReset() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx := r.Context()
		a, ok := s.targetUser(w, r)
		if !ok {
			return
		}
		password, err := InitialPassword()
		if err != nil {
			s.serverError(w, r, err)
			return
		}
		hash, err := auth.HashPassword(password)
		if err != nil {
			s.serverError(w, r, err)
			return
		}
		now := s.now()
		if err := s.cfg.Accounts.SetPassword(ctx, a.ID, hash, true, now); err != nil {
			s.serverError(w, r, err)
			return
		}
		if err := s.cfg.Accounts.ClearLoginFailures(ctx, a.Username); err != nil {
			s.serverError(w, r, err)
			return
		}
		s.lockout.Reset(a.Username)
		clearTOTP := r.PostFormValue("totp") != ""
		detail := "password"
		if clearTOTP {
			if err := s.cfg.Accounts.ClearTOTP(ctx, a.ID, now); err != nil {
				s.serverError(w, r, err)
				return
			}
			detail = "password,totp"
		}
		if err := s.auditLog(r, baoxue.AuditRecord{Action: actUserReset, Object: "user:" + a.Username, Result: "ok",
			Detail: detail}); err != nil {
			s.serverError(w, r, err)
			return
		}
		s.render(w, r, "admin_secret.html", secretPage{Page: s.page(r, "密码已重置"), Username: a.Username,
			Password: password, TOTP: clearTOTP})
	})
}

// policyRow is one line of the security policy page.
type policyRow struct{ Name, Value, Note string }

type securityPage struct {
	Page
	Rows []policyRow
}

// handleSecurity shows the security policy in force. The values are the auth package's constants
// (DESIGN §9, issue 5); changing them from this page is not built yet.
func (s *Server) handleSecurity() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p := auth.DefaultParams()
		mins := func(d time.Duration) string { return fmt.Sprintf("%d 分钟", int(d.Minutes())) }
		var totpRoles []string
		for _, role := range auth.Roles() {
			if role.Power() != auth.PowerNone {
				totpRoles = append(totpRoles, role.Label())
			}
		}
		rows := []policyRow{
			{"密码长度", fmt.Sprintf("%d–%d 个字符", auth.MinPasswordLen, auth.MaxPasswordLen), "不得全为数字或只有一类字符，不得包含用户名，常见弱密码和键盘序列不可用"},
			{"密码存储", fmt.Sprintf("argon2id，内存 %d MiB，迭代 %d 次，并行度 %d", p.Memory/1024, p.Time, p.Threads), "OWASP 推荐参数；参数变化后在下次登录时自动重新计算"},
			{"登录失败锁定", fmt.Sprintf("连续失败 %d 次锁定 %s", auth.MaxFailures, mins(auth.LockDuration)), "不存在的用户名同样计数和锁定；锁定记录保存在数据库中，重启不失效"},
			{"会话空闲超时", mins(auth.IdleTimeout), ""},
			{"会话绝对时长", fmt.Sprintf("%d 小时", int(auth.AbsoluteTimeout.Hours())), "到时必须重新登录"},
			{"动态口令等待时间", mins(auth.PendingTimeout), "输入密码后须在此时间内完成动态口令验证"},
			{"动态口令（TOTP）", fmt.Sprintf("RFC 6238，%d 位，%d 秒一换，允许前后各 %d 个时间片", auth.TOTPDigits, auth.TOTPPeriod, auth.TOTPSkew), "同一验证码只能使用一次"},
			{"必须使用动态口令的账号", strings.Join(totpRoles, "、") + "，以及管辖范围在县级以上（省、市州）的账号", ""},
			{"初始密码", "系统随机生成，首次登录必须修改", "管理员重置密码后同样须修改"},
			{"API 令牌", fmt.Sprintf("最长有效 %d 天，仅保存哈希", int(auth.MaxAPITokenTTL.Hours()/24)), "三员账号不能使用 API 令牌"},
			{"会话 Cookie", "HttpOnly，SameSite=Lax，HTTPS 下 Secure 并使用 __Host- 前缀", "登录时总是换发新的会话标识"},
		}
		s.render(w, r, "security.html", securityPage{Page: s.page(r, "安全策略"), Rows: rows})
	})
}
