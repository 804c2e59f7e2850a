package server

import (
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/baoxue/baoxue"
	"github.com/baoxue/baoxue/internal/idcard"
	"github.com/baoxue/baoxue/internal/pii"
	"github.com/baoxue/baoxue/internal/store"
	"github.com/xuri/excelize/v2"
)

// Ledgers (issue 5 item 4): one run's entries within the user's scope, filtered, sorted and paged
// by keyset (store.LedgerPage), and exported to .xlsx. Names and ID numbers are masked for every
// role (doc.go); the child page unmasks one child with a reason, and the export all of its rows.

const ledgerPageSize = 50

// ledgerQuery is a ledger filter as it travels in the URL.
type ledgerQuery struct {
	Run        int64
	Status     string
	Region     string
	Poverty    string
	Disability string
	Name       string
	Index      string // hex blind index of an ID number searched for (never the ID itself)
	Category   string
	Change     string // new, still, resolved
	Sort       string
	After      int64
}

func parseLedgerQuery(v url.Values) ledgerQuery {
	q := ledgerQuery{Status: v.Get("status"), Region: v.Get("region"), Poverty: v.Get("poverty"),
		Disability: v.Get("disability"), Name: strings.TrimSpace(v.Get("name")), Index: v.Get("idx"),
		Category: v.Get("category"), Change: v.Get("change"), Sort: v.Get("sort")}
	q.Run, _ = strconv.ParseInt(v.Get("run"), 10, 64)
	q.After, _ = strconv.ParseInt(v.Get("after"), 10, 64)
	return q
}

// values is the query string of the filter; after is the keyset cursor (0 for the first page).
func (q ledgerQuery) values(after int64) url.Values {
	v := url.Values{}
	set := func(k, val string) {
		if val != "" {
			v.Set(k, val)
		}
	}
	if q.Run != 0 {
		v.Set("run", num(q.Run))
	}
	set("status", q.Status)
	set("region", q.Region)
	set("poverty", q.Poverty)
	set("disability", q.Disability)
	set("name", q.Name)
	set("idx", q.Index)
	set("category", q.Category)
	set("change", q.Change)
	set("sort", q.Sort)
	if after != 0 {
		v.Set("after", num(after))
	}
	return v
}

// filter turns the URL filter into the store's, resolving the run (the newest when none is
// named) and the run that "change" compares with.
func (s *Server) ledgerFilter(r *http.Request, q *ledgerQuery) (store.LedgerFilter, error) {
	ctx := r.Context()
	db := s.data()
	if q.Run == 0 {
		run, err := db.LatestRun(ctx)
		if err != nil {
			return store.LedgerFilter{}, err
		}
		q.Run = run.ID
	} else if _, err := db.Run(ctx, q.Run); err != nil {
		return store.LedgerFilter{}, err
	}
	f := store.LedgerFilter{RunID: q.Run, Status: baoxue.LedgerStatus(q.Status), Region: q.Region,
		Poverty: q.Poverty, Disability: q.Disability, Name: q.Name, Category: q.Category, Sort: q.Sort, After: q.After}
	if q.Status != "" && !baoxue.Known(baoxue.LedgerStatuses, q.Status) {
		return f, fmt.Errorf("状态 %q: %w", q.Status, baoxue.ErrInvalid)
	}
	if q.Index != "" {
		b, err := hex.DecodeString(q.Index)
		if err != nil || len(b) == 0 || len(b) > 64 {
			return f, fmt.Errorf("查询条件无效: %w", baoxue.ErrInvalid)
		}
		f.IDIndex = b
	}
	switch q.Change {
	case "":
	case "new", "still":
		prev, err := db.PreviousRun(ctx, q.Run)
		if err != nil {
			return f, err
		}
		f.Status = baoxue.StatusSuspected
		if q.Change == "new" {
			f.NotSuspectIn = prev.ID
		} else {
			f.SuspectIn = prev.ID
		}
	case "resolved":
		runs, err := db.Runs(ctx) // newest first
		if err != nil {
			return f, err
		}
		var next int64
		for _, run := range runs {
			if run.ID > q.Run {
				next = run.ID
			}
		}
		if next == 0 {
			return f, fmt.Errorf("没有更新的比对: %w", baoxue.ErrNotFound)
		}
		f.Status, f.NotSuspectIn = baoxue.StatusSuspected, next
	default:
		return f, fmt.Errorf("变化类型 %q: %w", q.Change, baoxue.ErrInvalid)
	}
	return f, nil
}

// ledgerRowView is one line of the ledger table, with personal data already masked as the viewer
// may see it.
type ledgerRowView struct {
	ID          int64  `json:"id"`
	Name        string `json:"name"`
	Sex         string `json:"sex"`
	BirthYear   string `json:"birth_year"`
	IDNumber    string `json:"id_number"` // masked
	Region      string `json:"region_code"`
	Place       string `json:"place"`
	Status      string `json:"status"`
	StatusLabel string `json:"status_label"`
	Detail      string `json:"detail"`
	School      string `json:"school_name"`
	Poverty     bool   `json:"poverty"`
	PovertyType string `json:"poverty_type,omitempty"`
	Disability  string `json:"disability,omitempty"`
	Method      string `json:"match_method"`
	Decision    string `json:"review_decision,omitempty"`
}

// rowView is an entry as lists and the API show it: the name masked unless unmasked (the child
// page after a reason), the ID number always masked.
func (s *Server) rowView(row *store.LedgerRow, unmasked bool) ledgerRowView {
	v := ledgerRowView{ID: row.ID, Name: masker(revealIf(unmasked)).name(row.Name), Sex: row.Sex.Label(), IDNumber: pii.MaskID(row.IDNumber),
		Region: row.RegionCode, Place: s.placeLabel(row.RegionCode), Status: string(row.Status),
		StatusLabel: baoxue.Label(baoxue.LedgerStatuses, string(row.Status)), Detail: row.Detail,
		School: row.SchoolName, Poverty: row.Poverty, PovertyType: row.PovertyType, Disability: row.Disability,
		Method: string(row.MatchMethod), Decision: row.Decision}
	if len(row.BirthDate) >= 4 {
		v.BirthYear = row.BirthDate[:4]
	}
	if !unmasked {
		v.Detail = maskDetail(v.Detail)
	}
	return v
}

// maskDetail masks the personal values a comparison reason quotes (internal/match nameReason
// and birthReason): the two names of a pair, "姓名同音（张玮/张伟）" → "姓名同音（张*/张*）", and the
// two birth dates, "（2014-03-05/2014-03-06）" → "（2014-**-**/2014-**-**）"; and anything that looks
// like an ID or a student number. School, grade and status descriptions stay as they are.
func maskDetail(s string) string {
	s = pairRE.ReplaceAllStringFunc(s, func(group string) string {
		inner := strings.TrimSuffix(strings.TrimPrefix(group, "（"), "）")
		label, values, found := strings.Cut(inner, "：") // 姓名相同（分隔符不同：A/B）
		if !found {
			label, values = "", inner
		}
		parts := strings.Split(values, "/")
		for i, v := range parts {
			if isoDate.MatchString(v) {
				parts[i] = v[:4] + "-**-**"
			} else {
				parts[i] = pii.MaskName(v)
			}
		}
		if found {
			label += "："
		}
		return "（" + label + strings.Join(parts, "/") + "）"
	})
	b := []byte(s)
	for i := 0; i < len(b); {
		j := i
		for j < len(b) && (b[j] >= '0' && b[j] <= '9' || b[j] == 'X' || b[j] == 'x') {
			j++
		}
		if j-i >= 15 {
			copy(b[i:j], pii.MaskID(string(b[i:j])))
		}
		if j == i {
			j++
		}
		i = j
	}
	return string(b)
}

var (
	pairRE  = regexp.MustCompile(`（[^（）]*/[^（）]*）`) // a parenthesised pair: "（A/B）"
	isoDate = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}$`)
)

// placeLabel is "township village" for a village code, or the name of whatever the code is.
func (s *Server) placeLabel(code string) string {
	switch {
	case code == "":
		return "未填写区划"
	case len(code) == 12:
		return s.regionName(code[:9]) + " " + s.regionName(code)
	}
	return s.regionName(code)
}

type option struct{ Value, Label string }

type ledgerPage struct {
	Page
	Query      ledgerQuery
	Run        *store.Run
	Runs       []store.Run
	Rows       []ledgerRowView
	Statuses   []baoxue.Code
	Places     []option // townships and villages the user may pick
	NextHref   string
	FirstHref  string
	ExportVals url.Values
	Count      int64 // -1 when not known cheaply
	CanExport  bool
	CanUnmask  bool // may export with full names and IDs, giving a reason
	Searched   bool
	Heading    string
}

// handleLedger shows one page of a ledger: GET /ledger.
func (s *Server) handleLedger() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if redirect, ok := s.searchRedirect(r, "/ledger"); ok {
			http.Redirect(w, r, redirect, http.StatusSeeOther)
			return
		}
		q := parseLedgerQuery(r.URL.Query())
		p := ledgerPage{Page: s.page(r, "台账"), Statuses: baoxue.LedgerStatuses, Count: -1,
			CanExport: userOf(r).Can("export_ledger"), CanUnmask: canUnmask(r), Searched: q.Name != "" || q.Index != ""}
		f, err := s.ledgerFilter(r, &q)
		if errors.Is(err, baoxue.ErrNotFound) && q.Run == 0 {
			s.render(w, r, "ledger.html", p) // no run yet
			return
		}
		if err != nil {
			s.storeFailure(w, r, err)
			return
		}
		f.Limit = ledgerPageSize
		ctx := r.Context()
		db := s.data()
		rows, more, err := db.LedgerPage(ctx, scopeOf(r), f)
		if err != nil {
			s.storeFailure(w, r, err)
			return
		}
		p.Query = q
		if p.Run, err = db.Run(ctx, q.Run); err != nil {
			s.storeFailure(w, r, err)
			return
		}
		if p.Runs, err = db.Runs(ctx); err != nil {
			s.serverError(w, r, err)
			return
		}
		for i := range rows {
			p.Rows = append(p.Rows, s.rowView(&rows[i], false))
		}
		if more {
			p.NextHref = "/ledger?" + q.values(rows[len(rows)-1].ID).Encode()
		}
		if q.After != 0 {
			p.FirstHref = "/ledger?" + q.values(0).Encode()
		}
		p.ExportVals = q.values(0)
		p.Places = s.placeOptions(r)
		p.Heading = s.ledgerHeading(q)
		p.Count = s.cheapCount(r, q)
		s.render(w, r, "ledger.html", p)
	})
}

// searchRedirect turns a search box value into the filter: a full ID number becomes its blind
// index, so that the ID never appears in a URL, a page or a log; anything else is a name.
func (s *Server) searchRedirect(r *http.Request, path string) (string, bool) {
	v := r.URL.Query()
	if !v.Has("q") {
		return "", false
	}
	text := strings.TrimSpace(v.Get("q"))
	v.Del("q")
	v.Del("after")
	v.Del("idx")
	v.Del("name")
	if text != "" {
		if id := string(idcard.Normalize(nil, text)); looksLikeID(id) {
			v.Set("idx", hex.EncodeToString(s.data().Keys().BlindIndex(id)))
		} else {
			v.Set("name", text)
		}
	}
	return path + "?" + v.Encode(), true
}

// looksLikeID reports a value shaped like an ID number even if its check digit is wrong, which
// must not be echoed back as a "name".
func looksLikeID(s string) bool {
	digits := 0
	for _, c := range s {
		switch {
		case c >= '0' && c <= '9':
			digits++
		case c == 'X' || c == 'x':
		default:
			return false
		}
	}
	return digits >= 14
}

// cheapCount is the number of entries of a filter that the dashboard counts already hold (status
// and region only); -1 otherwise, rather than counting millions of rows per page view.
func (s *Server) cheapCount(r *http.Request, q ledgerQuery) int64 {
	if q.Poverty != "" || q.Disability != "" || q.Name != "" || q.Index != "" || q.Change != "" || scopeOf(r).IsSchool() {
		return -1
	}
	code := q.Region
	if code == "" {
		code = scopeOf(r).RegionCode()
	}
	if ok, err := s.data().Summarized(r.Context(), q.Run); err != nil || !ok {
		return -1
	}
	t, err := s.data().RegionTally(r.Context(), scopeOf(r), q.Run, code)
	if err != nil {
		return -1
	}
	switch {
	case q.Category != "":
		return t.Category[q.Category]
	case q.Status != "":
		return t.Status[baoxue.LedgerStatus(q.Status)]
	}
	return t.Total
}

func (s *Server) ledgerHeading(q ledgerQuery) string {
	switch {
	case q.Change == "new":
		return "新增疑似失学辍学"
	case q.Change == "still":
		return "仍未解决的疑似失学辍学"
	case q.Change == "resolved":
		return "此后已解决的疑似失学辍学"
	case q.Category == store.CategoryDropped:
		return "辍学学生台账（学籍状态为辍学）"
	case q.Status == string(baoxue.StatusSuspected):
		return "疑似失学辍学台账"
	case q.Status != "":
		return baoxue.Label(baoxue.LedgerStatuses, q.Status)
	}
	return "适龄儿童少年台账"
}

// placeOptions lists the townships (and for a township scope, the villages) of the user's scope.
func (s *Server) placeOptions(r *http.Request) []option {
	scope := scopeOf(r)
	if scope.IsSchool() {
		return nil
	}
	root := scope.RegionCode()
	out := []option{{Value: "", Label: "全部（" + s.regionName(root) + "）"}}
	var walk func(code string, depth int, indent string)
	walk = func(code string, depth int, indent string) {
		if depth > 2 {
			return
		}
		for _, c := range s.cfg.Tree.Children(code) {
			out = append(out, option{Value: c.Code, Label: indent + c.Name})
			if len(c.Code) >= 6 {
				walk(c.Code, depth+1, indent+"　")
			}
		}
	}
	if len(root) >= 6 {
		walk(root, 1, "")
	} else {
		walk(root, 2, "") // a prefecture or province: its counties, not every village
	}
	return out
}

// exportMax bounds one export: an .xlsx sheet holds 1,048,576 rows.
const exportMax = 1_000_000

// handleLedgerExport writes the filtered entries to an .xlsx file: POST /ledger/export with the
// filter and, to export unmasked, a reason (users with unmask_pii only). Every export is audited.
func (s *Server) handleLedgerExport() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := r.ParseForm(); err != nil {
			s.renderError(w, r, http.StatusBadRequest, "请求有误", "表单无效")
			return
		}
		q := parseLedgerQuery(r.PostForm)
		q.After = 0
		f, err := s.ledgerFilter(r, &q)
		if err != nil {
			s.storeFailure(w, r, err)
			return
		}
		reason := strings.TrimSpace(r.PostFormValue("reason"))
		unmasked := r.PostFormValue("unmask") == "1"
		if unmasked && !canUnmask(r) {
			s.forbidden(w, r, "unmask_pii")
			return
		}
		if unmasked && len([]rune(reason)) < 4 {
			s.renderError(w, r, http.StatusBadRequest, "请说明理由", "导出完整身份证号须填写理由（至少4个字），该理由将记入审计日志。")
			return
		}
		run, err := s.data().Run(r.Context(), q.Run)
		if err != nil {
			s.storeFailure(w, r, err)
			return
		}
		file, n, err := s.exportXLSX(r, f, run, unmasked)
		if err != nil {
			s.storeFailure(w, r, err)
			return
		}
		// A large export spills to a temporary file (excelize's stream writer), with the rows as
		// exported: Close removes it.
		defer file.Close()
		detail := "filter=" + q.values(0).Encode() + fmt.Sprintf(" rows=%d unmasked=%v", n, unmasked)
		if unmasked {
			detail += " reason=" + reason
		}
		if err := s.auditLog(r, baoxue.AuditRecord{Action: "export", Object: "ledger:run:" + num(run.ID), Result: "ok", Detail: detail}); err != nil {
			s.serverError(w, r, err) // no export without its audit record
			return
		}
		w.Header().Set("Content-Type", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
		w.Header().Set("Content-Disposition", contentDisposition(fmt.Sprintf("台账_%s_%s.xlsx", run.AsOf, time.Now().Format("20060102150405"))))
		w.Header().Set("Cache-Control", "no-store")
		_ = file.Write(w)
	})
}

var exportHeader = []string{"序号", "乡镇(街道)", "村(社区)", "姓名", "性别", "出生年份", "公民身份号码", "状态", "说明",
	"学校名称", "学籍号", "比对方式", "脱贫户", "脱贫属性", "残疾情况", "复核结论", "户籍行号"}

// exportXLSX builds the workbook in a stream. Every value is a string cell; one that Excel could
// read as a formula (= + - @, tab, CR at the start) gets the quote prefix as well.
func (s *Server) exportXLSX(r *http.Request, f store.LedgerFilter, run *store.Run, unmasked bool) (_ *excelize.File, _ int, err error) {
	x := excelize.NewFile()
	defer func() {
		if err != nil {
			x.Close()
		}
	}()
	sheet := "台账"
	if err := x.SetSheetName("Sheet1", sheet); err != nil {
		return nil, 0, err
	}
	plain, err := x.NewStyle(&excelize.Style{NumFmt: 49})
	if err != nil {
		return nil, 0, err
	}
	quoted := quotePrefixStyle(x, plain)
	sw, err := x.NewStreamWriter(sheet)
	if err != nil {
		return nil, 0, err
	}
	title := fmt.Sprintf("%s · 比对基准日 %s · 导出时间 %s", s.ledgerHeading(ledgerQuery{Status: string(f.Status),
		Category: f.Category}), run.AsOf, time.Now().Format("2006-01-02 15:04"))
	if err := sw.SetRow("A1", []any{excelize.Cell{StyleID: plain, Value: title}}); err != nil {
		return nil, 0, err
	}
	head := make([]any, len(exportHeader))
	for i, h := range exportHeader {
		head[i] = excelize.Cell{StyleID: plain, Value: h}
	}
	if err := sw.SetRow("A2", head); err != nil {
		return nil, 0, err
	}
	cell := func(v string) excelize.Cell {
		if v != "" && strings.ContainsRune("=+-@\t\r", rune(v[0])) {
			return excelize.Cell{StyleID: quoted, Value: v}
		}
		return excelize.Cell{StyleID: plain, Value: v}
	}
	n := 0
	vals := make([]any, len(exportHeader))
	err = s.data().EachLedgerRow(r.Context(), scopeOf(r), f, func(row *store.LedgerRow) error {
		if n >= exportMax {
			return fmt.Errorf("导出超过 %d 行，请缩小筛选范围: %w", exportMax, baoxue.ErrInvalid)
		}
		n++
		name, id, sno, detail := row.Name, row.IDNumber, row.MatchedStudentNo, row.Detail
		if !unmasked {
			name, id, detail = pii.MaskName(name), pii.MaskID(id), maskDetail(detail)
			if len(sno) == 19 {
				sno = sno[:1] + pii.MaskID(sno[1:])
			} else if sno != "" {
				sno = pii.MaskID(sno)
			}
		}
		township, village := "", ""
		if len(row.RegionCode) >= 9 {
			township = s.regionName(row.RegionCode[:9])
		}
		if len(row.RegionCode) == 12 {
			village = s.regionName(row.RegionCode)
		}
		birth := ""
		if len(row.BirthDate) >= 4 {
			birth = row.BirthDate[:4]
		}
		poor := ""
		if row.Poverty {
			poor = "是"
		}
		decision := map[string]string{store.DecisionLink: "确认为同一人", store.DecisionSeparate: "确认非同一人"}[row.Decision]
		vals[0] = excelize.Cell{StyleID: plain, Value: n}
		for i, v := range []string{township, village, name, row.Sex.Label(), birth, id,
			baoxue.Label(baoxue.LedgerStatuses, string(row.Status)), detail, row.SchoolName, sno, methodLabel(row.MatchMethod),
			poor, row.PovertyType, row.Disability, decision} {
			vals[i+1] = cell(v)
		}
		vals[16] = excelize.Cell{StyleID: plain, Value: row.SourceRow}
		ref, _ := excelize.CoordinatesToCellName(1, n+2)
		return sw.SetRow(ref, vals)
	})
	if err != nil {
		return nil, 0, err
	}
	if err := sw.Flush(); err != nil {
		return nil, 0, err
	}
	return x, n, nil
}

// quotePrefixStyle copies a cell style with Excel's quotePrefix flag, which excelize's Style
// cannot express (as internal/ledger does).
func quotePrefixStyle(f *excelize.File, id int) int {
	xfs := f.Styles.CellXfs
	xf := xfs.Xf[id]
	yes := true
	xf.QuotePrefix = &yes
	xfs.Xf = append(xfs.Xf, xf)
	xfs.Count = len(xfs.Xf)
	return len(xfs.Xf) - 1
}

func methodLabel(m baoxue.MatchMethod) string {
	switch m {
	case baoxue.MatchIDExact:
		return "身份证号一致"
	case baoxue.MatchIDVariant:
		return "身份证号近似"
	case baoxue.MatchFuzzy:
		return "姓名、出生日期等比对"
	case baoxue.MatchNone:
		return "未匹配"
	}
	return string(m)
}
