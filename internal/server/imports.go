package server

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime/multipart"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/baoxue/baoxue"
	"github.com/baoxue/baoxue/internal/auth"
	"github.com/baoxue/baoxue/internal/ingest"
	"github.com/baoxue/baoxue/internal/store"
)

// Imports (issue 5 item 4): an official uploads a spreadsheet, baoxue imports it in the background
// (ingest.Import, one dataset per file) while the page polls its progress through htmx, and the
// per-row error report can be downloaded afterwards. Comparison runs (runs.go) use the same
// background jobs.
//
// Files on disk. An upload and its error report hold the rows as typed, full ID numbers
// included, so they live in a working directory the server owns: <Config.WorkDir or
// os.TempDir()>/baoxue-<pid>-<random>, mode 0700, one subdirectory per job. Not next to the
// database: the database's directory is what gets backed up and copied, and the database keeps
// personal data encrypted, which these files are not. The uploaded file is deleted as soon as
// its import ends; the error report is deleted reportRetention after the import finished (a
// sweep on page views and every ten minutes while serving); the whole directory goes when the
// server shuts down gracefully (Close). Directories left by a server that crashed are removed
// by the next server that starts in the same place once they are older than reportRetention.
// Comparison runs read the database and write nothing to disk; case evidence is kept encrypted
// in the database (multipart bodies that spill to temporary files are removed by net/http when
// the request ends); exports are built in memory.

// maxUpload bounds an uploaded file. A county registry (≈300 k rows) is ≈40 MB as .csv; the
// unpacked size of .xlsx files is bounded by ingest's own limits (zip and XML bombs).
const maxUpload = 512 << 20

// uploadExts are the file types ingest reads.
var uploadExts = []string{".xlsx", ".xls", ".csv", ".txt"}

// job is an import or a comparison run in progress or finished, kept in memory while the server
// runs (SQLite has one writer, held by the import itself, so progress cannot be written to the
// database meanwhile).
type job struct {
	ID      string
	Kind    string // "import" or "compare"
	Label   string // file name, or the run's as-of date
	Owner   string // user name
	Scope   auth.Scope
	Started time.Time

	clock    func() time.Time // the server's, set by jobRegistry.add
	mu       sync.Mutex
	state    string // "running", "done", "failed"
	stage    string
	done     int64
	total    int64
	message  string
	finished time.Time
	dir      string // the job's directory of temporary files
	report   string // path of the error report, "" when none
	expired  bool   // the error report was deleted after reportRetention
	summary  *ingest.Summary
	runID    int64
}

// jobView is a job's state at one moment, for templates and JSON.
type jobView struct {
	ID        string  `json:"id"`
	Kind      string  `json:"kind"`
	Label     string  `json:"label"`
	Owner     string  `json:"owner"`
	State     string  `json:"state"`
	Stage     string  `json:"stage,omitempty"`
	Percent   int     `json:"percent"`
	Message   string  `json:"message,omitempty"`
	Seconds   float64 `json:"seconds"`
	HasReport bool    `json:"has_report"`
	Expired   bool    `json:"report_expired,omitempty"`
	RunID     int64   `json:"run_id,omitempty"`
	DatasetID int64   `json:"dataset_id,omitempty"`
	Rows      int     `json:"rows,omitempty"`
	Accepted  int     `json:"accepted,omitempty"`
	Rejected  int     `json:"rejected,omitempty"`
	Warnings  int     `json:"warnings,omitempty"`
	Already   bool    `json:"already_imported,omitempty"`
}

func (j *job) view() jobView {
	j.mu.Lock()
	defer j.mu.Unlock()
	v := jobView{ID: j.ID, Kind: j.Kind, Label: j.Label, Owner: j.Owner, State: j.state, Stage: j.stage,
		Message: j.message, HasReport: j.report != "", Expired: j.expired, RunID: j.runID}
	end := j.finished
	if end.IsZero() {
		end = j.clock()
	}
	v.Seconds = end.Sub(j.Started).Round(100 * time.Millisecond).Seconds()
	if j.total > 0 {
		v.Percent = int(min(100, j.done*100/j.total))
	}
	if j.state == "done" {
		v.Percent = 100
	}
	if s := j.summary; s != nil {
		v.DatasetID, v.Rows, v.Accepted, v.Rejected, v.Warnings, v.Already = s.DatasetID, s.Rows, s.Accepted, s.Rejected, s.Warnings, s.AlreadyImported
	}
	return v
}

func (j *job) progress(done, total int64) {
	j.mu.Lock()
	j.done, j.total = done, total
	j.mu.Unlock()
}

func (j *job) setStage(stage string) {
	j.mu.Lock()
	j.stage = stage
	j.mu.Unlock()
}

func (j *job) finish(err error, msg string) {
	j.mu.Lock()
	defer j.mu.Unlock()
	j.finished = j.clock()
	j.stage = ""
	if err != nil {
		j.state, j.message = "failed", msg
		return
	}
	j.state, j.message = "done", msg
}

// visibleTo reports whether a user may see the job: its owner, or anyone whose scope covers the
// owner's (a county office sees its townships' uploads).
func (j *job) visibleTo(a *store.Account) bool {
	return a != nil && (a.Username == j.Owner || a.Scope.Covers(j.Scope))
}

// maxJobs is how many finished jobs are remembered; older ones are forgotten and their files
// removed.
const maxJobs = 100

// reportRetention is how long an import's error report is kept for download.
const reportRetention = 24 * time.Hour

// jobRegistry holds the jobs of one server, the goroutines that run them, and the working
// directory of their files.
type jobRegistry struct {
	mu        sync.Mutex
	jobs      map[string]*job
	order     []string
	summaries map[int64]bool // runs whose dashboard counts are being made
	parent    string         // where the working directory is made
	dir       string         // the working directory, made on first use
	clock     func() time.Time
	ctx       context.Context // cancelled by close: background work stops
	cancel    context.CancelFunc
	wg        sync.WaitGroup
	closed    bool
}

func newJobRegistry(parent string, clock func() time.Time) *jobRegistry {
	if parent == "" {
		parent = os.TempDir()
	}
	ctx, cancel := context.WithCancel(context.Background())
	return &jobRegistry{jobs: map[string]*job{}, summaries: map[int64]bool{}, parent: parent, clock: clock, ctx: ctx, cancel: cancel}
}

// start runs fn in the background with the registry's context; close waits for it.
func (g *jobRegistry) start(fn func(ctx context.Context)) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.closed {
		return
	}
	g.wg.Add(1)
	go func() {
		defer g.wg.Done()
		fn(g.ctx)
	}()
}

// close stops the background work (waiting up to wait for it to notice) and removes the working
// directory with every upload and error report in it.
func (g *jobRegistry) close(wait time.Duration) error {
	g.mu.Lock()
	g.closed = true
	g.mu.Unlock()
	g.cancel()
	done := make(chan struct{})
	go func() { g.wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(wait):
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.dir == "" {
		return nil
	}
	err := os.RemoveAll(g.dir)
	g.dir = ""
	return err
}

// expire deletes the files of jobs that finished more than reportRetention before now.
func (g *jobRegistry) expire(now time.Time) {
	g.mu.Lock()
	defer g.mu.Unlock()
	for _, j := range g.jobs {
		j.mu.Lock()
		if j.state != "running" && j.dir != "" && now.Sub(j.finished) > reportRetention {
			os.RemoveAll(j.dir)
			j.dir, j.expired = "", j.report != ""
			j.report = ""
		}
		j.mu.Unlock()
	}
}

func newJobID() string {
	var b [12]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

func (g *jobRegistry) add(j *job) {
	g.mu.Lock()
	defer g.mu.Unlock()
	j.clock = g.clock
	j.Started = g.clock()
	j.state = "running"
	g.jobs[j.ID] = j
	g.order = append(g.order, j.ID)
	for len(g.order) > maxJobs {
		old := g.jobs[g.order[0]]
		if v := old.view(); v.State == "running" {
			break
		}
		old.mu.Lock()
		if old.dir != "" {
			os.RemoveAll(old.dir)
		}
		old.mu.Unlock()
		delete(g.jobs, g.order[0])
		g.order = g.order[1:]
	}
}

func (g *jobRegistry) get(id string) *job {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.jobs[id]
}

// list returns the jobs of a kind the user may see, newest first.
func (g *jobRegistry) list(kind string, a *store.Account) []jobView {
	g.mu.Lock()
	var js []*job
	for _, id := range slices.Backward(g.order) {
		if j := g.jobs[id]; j.Kind == kind && j.visibleTo(a) {
			js = append(js, j)
		}
	}
	g.mu.Unlock()
	out := make([]jobView, len(js))
	for i, j := range js {
		out[i] = j.view()
	}
	return out
}

// running reports whether a job of this kind is running.
func (g *jobRegistry) running(kind string) bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	for _, j := range g.jobs {
		if j.Kind == kind {
			j.mu.Lock()
			r := j.state == "running"
			j.mu.Unlock()
			if r {
				return true
			}
		}
	}
	return false
}

// jobDir makes a private directory for a job's files inside the working directory, making that
// first (and again, should something have removed it).
func (g *jobRegistry) jobDir(id string) (string, error) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.closed {
		return "", errors.New("服务正在停止，请稍后重试")
	}
	if g.dir != "" {
		if _, err := os.Stat(g.dir); err != nil {
			g.dir = ""
		}
	}
	if g.dir == "" {
		sweepWorkDirs(g.parent, time.Now())               // file times are the real clock's
		d, err := os.MkdirTemp(g.parent, workDirPrefix()) // mode 0700
		if err != nil {
			return "", fmt.Errorf("创建上传目录: %w", err)
		}
		g.dir = d
	}
	d := filepath.Join(g.dir, id)
	if err := os.Mkdir(d, 0o700); err != nil {
		return "", fmt.Errorf("创建上传目录: %w", err)
	}
	return d, nil
}

// workDirPrefix names the working directories: baoxue-<pid>-<random>.
func workDirPrefix() string { return "baoxue-" + strconv.Itoa(os.Getpid()) + "-" }

var workDirName = regexp.MustCompile(`^baoxue-\d+-\d+$`)

// sweepWorkDirs removes the working directories in parent that a server left behind (it
// crashed, or was killed) and that nobody has touched for reportRetention: whatever they hold
// has outlived its retention. A running server's directory changes with each job; should an idle
// one lose it, jobDir makes a new one.
func sweepWorkDirs(parent string, now time.Time) {
	entries, err := os.ReadDir(parent)
	if err != nil {
		return
	}
	for _, e := range entries {
		if !e.IsDir() || !workDirName.MatchString(e.Name()) {
			continue
		}
		if info, err := e.Info(); err == nil && now.Sub(info.ModTime()) > reportRetention {
			os.RemoveAll(filepath.Join(parent, e.Name()))
		}
	}
}

// summarize makes a run's dashboard counts in the background, once at a time per run.
func (g *jobRegistry) summarize(db *store.DB, runID int64, log *slog.Logger) {
	g.mu.Lock()
	if g.summaries[runID] {
		g.mu.Unlock()
		return
	}
	g.summaries[runID] = true
	g.mu.Unlock()
	g.start(func(ctx context.Context) {
		defer func() {
			g.mu.Lock()
			delete(g.summaries, runID)
			g.mu.Unlock()
		}()
		if err := db.SummarizeRun(ctx, runID); err != nil {
			log.Error("summarize run failed", "run", runID, "err", err)
		}
	})
}

type importsPage struct {
	Page
	Kinds    []baoxue.Code
	Datasets []baoxue.Dataset
	OOB      bool // the datasets table is an out-of-band swap (importJob)
	Jobs     []jobView
	MaxMB    int
	Error    string
}

// importJob is the fragment the imports page polls for a job: the job, and once it has finished
// the table of datasets as an htmx out-of-band swap (hx-swap-oob), so that the new dataset shows
// without a reload and without any script of ours.
type importJob struct {
	Job      jobView
	Datasets []baoxue.Dataset
	OOB      bool
}

// handleImports lists the datasets and the user's uploads, with the upload form.
func (s *Server) handleImports() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.renderImports(w, r, http.StatusOK, "")
	})
}

func (s *Server) renderImports(w http.ResponseWriter, r *http.Request, status int, msg string) {
	s.jobs.expire(s.now())
	ds, err := s.data().Datasets(r.Context())
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	slices.Reverse(ds)
	s.renderStatus(w, r, status, "imports.html", importsPage{Page: s.page(r, "数据导入"), Kinds: baoxue.DatasetKinds,
		Datasets: ds, Jobs: s.jobs.list("import", userOf(r)), MaxMB: maxUpload >> 20, Error: msg})
}

// handleUpload receives a file (multipart: kind, then file), stores it in a private temporary
// directory and imports it in the background.
func (s *Server) handleUpload() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r.Body = http.MaxBytesReader(w, r.Body, maxUpload+1<<20)
		mr, err := r.MultipartReader()
		if err != nil {
			s.renderImports(w, r, http.StatusBadRequest, "请选择要上传的文件")
			return
		}
		j := &job{ID: newJobID(), Kind: "import", Owner: userOf(r).Username, Scope: scopeOf(r)}
		var kind baoxue.DatasetKind
		var path string
		fail := func(status int, msg string) {
			if j.dir != "" {
				os.RemoveAll(j.dir)
			}
			s.renderImports(w, r, status, msg)
		}
		for {
			part, err := mr.NextPart()
			if errors.Is(err, io.EOF) {
				break
			}
			var tooBig *http.MaxBytesError
			if errors.As(err, &tooBig) {
				fail(http.StatusRequestEntityTooLarge, fmt.Sprintf("文件超过 %d MB 的上限", maxUpload>>20))
				return
			}
			if err != nil {
				fail(http.StatusBadRequest, "上传中断，请重试")
				return
			}
			switch part.FormName() {
			case "kind":
				b, _ := io.ReadAll(io.LimitReader(part, 64))
				kind = baoxue.DatasetKind(strings.TrimSpace(string(b)))
			case "file":
				if path != "" {
					continue
				}
				path, err = s.saveUpload(j, part)
				if err != nil {
					if errors.As(err, &tooBig) {
						fail(http.StatusRequestEntityTooLarge, fmt.Sprintf("文件超过 %d MB 的上限", maxUpload>>20))
					} else {
						fail(http.StatusBadRequest, err.Error())
					}
					return
				}
			}
			part.Close()
		}
		switch {
		case !baoxue.Known(baoxue.DatasetKinds, string(kind)):
			fail(http.StatusBadRequest, "请选择数据类型")
			return
		case path == "":
			fail(http.StatusBadRequest, "请选择要上传的文件")
			return
		}
		j.Label = filepath.Base(path)
		s.jobs.add(j)
		_ = s.auditLog(r, baoxue.AuditRecord{Action: "import_start", Object: "job:" + j.ID, Result: "ok",
			Detail: "kind=" + string(kind)})
		s.jobs.start(func(ctx context.Context) { s.runImport(ctx, j, path, kind) })
		if r.Header.Get("HX-Request") != "" {
			w.Header().Set("HX-Redirect", "/imports")
		}
		http.Redirect(w, r, "/imports", http.StatusSeeOther)
	})
}

// saveUpload writes the uploaded file into the job's directory under its own base name (which
// the dataset records), refusing types ingest cannot read.
func (s *Server) saveUpload(j *job, part *multipart.Part) (string, error) {
	name := filepath.Base(strings.ReplaceAll(part.FileName(), `\`, "/"))
	ext := strings.ToLower(filepath.Ext(name))
	if name == "." || name == "/" || name == "" {
		return "", errors.New("请选择要上传的文件")
	}
	if !slices.Contains(uploadExts, ext) {
		return "", fmt.Errorf("不支持的文件类型 %q：请上传 .xlsx、.xls 或 .csv 文件", ext)
	}
	if r := []rune(name); len(r) > 100 {
		name = string(r[:80]) + ext
	}
	dir, err := s.jobs.jobDir(j.ID)
	if err != nil {
		return "", err
	}
	j.dir = dir
	path := filepath.Join(dir, name)
	f, err := os.OpenFile(path, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600)
	if err != nil {
		return "", fmt.Errorf("保存上传文件: %w", err)
	}
	n, err := io.Copy(f, part)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return "", err
	}
	if n == 0 {
		return "", errors.New("上传的文件是空的")
	}
	return path, nil
}

// runImport imports one uploaded file; the uploaded file is removed afterwards, the error report
// kept for download until it expires.
func (s *Server) runImport(ctx context.Context, j *job, path string, kind baoxue.DatasetKind) {
	today := baoxue.DateOf(s.now())
	j.setStage("正在导入")
	sum, err := ingest.Import(ctx, s.data(), path, kind, ingest.ImportOptions{Tree: s.cfg.Tree, Today: today,
		Importer: j.Owner, Progress: j.progress})
	os.Remove(path)
	j.mu.Lock()
	j.summary = sum
	if sum != nil && sum.Report != "" {
		j.report = sum.Report
	}
	j.mu.Unlock()
	switch {
	case err != nil && errors.Is(err, baoxue.ErrExists):
		j.finish(nil, "该文件此前已导入，未重复导入")
	case err != nil:
		s.cfg.Log.Error("import failed", "job", j.ID, "err", err)
		j.finish(err, "导入失败："+err.Error())
	default:
		if kind == baoxue.KindVillages { // names for the dashboard and ledgers
			if vs, err := s.data().Villages(ctx); err == nil {
				for _, v := range vs {
					_ = s.cfg.Tree.AddVillage(v.Code, v.Name)
				}
			}
		}
		msg := "导入完成"
		if sum.AlreadyImported {
			msg = "该文件此前已导入，未重复导入"
		}
		j.finish(nil, msg)
	}
}

// handleImportJob answers the progress fragment the imports page polls; the poll that sees the
// job finished also gets the datasets table, which the import has just changed.
func (s *Server) handleImportJob() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		j := s.jobs.get(r.PathValue("id"))
		if j == nil || !j.visibleTo(userOf(r)) {
			s.notFound(w, r)
			return
		}
		p := importJob{Job: j.view()}
		if p.Job.State != "running" && r.Header.Get("HX-Request") != "" {
			ds, err := s.data().Datasets(r.Context())
			if err != nil {
				s.serverError(w, r, err)
				return
			}
			slices.Reverse(ds)
			p.Datasets, p.OOB = ds, true
		}
		s.render(w, r, "import_job", p)
	})
}

// handleImportReport downloads the error report of an import: the official's own file, with the
// rows as they were typed (full ID numbers included), so only the uploader and users whose scope
// covers the uploader's may fetch it, and each download is audited.
func (s *Server) handleImportReport() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.jobs.expire(s.now())
		j := s.jobs.get(r.PathValue("id"))
		if j == nil || !j.visibleTo(userOf(r)) {
			s.notFound(w, r)
			return
		}
		j.mu.Lock()
		report := j.report
		j.mu.Unlock()
		if report == "" {
			s.notFound(w, r)
			return
		}
		f, err := os.Open(report)
		if err != nil {
			s.notFound(w, r)
			return
		}
		defer f.Close()
		_ = s.auditLog(r, baoxue.AuditRecord{Action: "export", Object: "import_report:" + j.ID, Result: "ok",
			Detail: "error report of " + j.Label})
		w.Header().Set("Content-Type", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
		w.Header().Set("Content-Disposition", contentDisposition(strings.TrimSuffix(j.Label, filepath.Ext(j.Label))+"_错误报告.xlsx"))
		w.Header().Set("Cache-Control", "no-store")
		_, _ = io.Copy(w, f)
	})
}

// contentDisposition names a download, with the UTF-8 name for browsers that read it (RFC 6266).
func contentDisposition(name string) string {
	ascii := strings.Map(func(r rune) rune {
		if r < 0x20 || r > 0x7e || r == '"' || r == '\\' {
			return '_'
		}
		return r
	}, name)
	return fmt.Sprintf(`attachment; filename="%s"; filename*=UTF-8''%s`, ascii, pathEscape(name))
}

func pathEscape(s string) string {
	const hexd = "0123456789ABCDEF"
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.IndexByte("-._~", c) >= 0 {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(hexd[c>>4])
		b.WriteByte(hexd[c&15])
	}
	return b.String()
}
