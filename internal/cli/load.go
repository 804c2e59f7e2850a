package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// baoxue load measures the web application under concurrent signed-in users (issue 5 item 8):
// each simulated user signs in once and then, until the time or the request budget is spent,
// opens the dashboard, its chart data, the suspects ledger, a following ledger page and a child
// page, one after another. It prints the 50th, 95th and 99th percentile latency per page. It
// talks to 127.0.0.1 (or ::1, localhost) only: a load test is never pointed at a production
// server by accident.

// Bounds of one load run.
const (
	loadMaxUsers    = 500
	loadMaxDuration = 10 * time.Minute
)

// loadPages are the pages a simulated user visits, in order.
var loadPages = []string{"dashboard", "dashboard_api", "ledger", "ledger_next", "child", "tasks", "zero"}

type loadStats struct {
	mu     sync.Mutex
	times  map[string][]time.Duration
	errors map[string]int
}

func (s *loadStats) add(page string, d time.Duration, err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err != nil {
		s.errors[page]++
		return
	}
	s.times[page] = append(s.times[page], d)
}

// loadPageResult is one page's line of the summary.
type loadPageResult struct {
	Page     string  `json:"page"`
	Requests int     `json:"requests"`
	Errors   int     `json:"errors"`
	P50ms    float64 `json:"p50_ms"`
	P95ms    float64 `json:"p95_ms"`
	P99ms    float64 `json:"p99_ms"`
	MaxMs    float64 `json:"max_ms"`
}

type loadSummary struct {
	Addr     string           `json:"addr"`
	Users    int              `json:"users"`
	Seconds  float64          `json:"seconds"`
	Requests int64            `json:"requests"`
	PerSec   float64          `json:"requests_per_second"`
	Pages    []loadPageResult `json:"pages"`
}

func percentile(sorted []time.Duration, p float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	i := int(p*float64(len(sorted)) + 0.5)
	return sorted[min(max(i-1, 0), len(sorted)-1)]
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// loopbackBase checks that addr is an http(s) URL of this machine and returns it without a
// trailing slash.
func loopbackBase(addr string) (string, error) {
	if !strings.Contains(addr, "://") {
		addr = "http://" + addr
	}
	u, err := url.Parse(addr)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return "", usagef("--addr %q 应为 http://127.0.0.1:端口", addr)
	}
	host := u.Hostname()
	ip := net.ParseIP(host)
	if host != "localhost" && (ip == nil || !ip.IsLoopback()) {
		return "", usagef("--addr %s 不是本机地址：压力测试只能针对 127.0.0.1、::1 或 localhost", host)
	}
	return u.Scheme + "://" + u.Host, nil
}

func cmdLoad(ctx context.Context, env *Env, args []string) error {
	fs := newFlags(env, "load")
	addr := fs.String("addr", "http://127.0.0.1:8080", "被测服务地址（只允许本机）")
	users := fs.Int("users", 50, "并发登录用户数")
	duration := fs.Duration("duration", 30*time.Second, "持续时间（最长 10 分钟）")
	maxReq := fs.Int64("max-requests", 1_000_000, "请求总数上限")
	username := fs.String("username", "county", "登录用户名（每个并发用户各自登录一次；默认为演示县级账号）")
	password := fs.String("password", "", "登录密码（也可用环境变量 BAOXUE_LOAD_PASSWORD；默认为演示账号密码）")
	asJSON := fs.Bool("json", false, "以一行 JSON 输出结果")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	base, err := loopbackBase(*addr)
	if err != nil {
		return err
	}
	switch {
	case *users < 1 || *users > loadMaxUsers:
		return usagef("--users 应在 1 到 %d 之间", loadMaxUsers)
	case *duration <= 0 || *duration > loadMaxDuration:
		return usagef("--duration 应在 0 到 %s 之间", loadMaxDuration)
	case *maxReq < 1:
		return usagef("--max-requests 应大于 0")
	}
	if *password == "" {
		*password = env.Getenv("BAOXUE_LOAD_PASSWORD")
	}
	if *password == "" {
		*password = DemoPassword
	}
	transport := &http.Transport{MaxIdleConnsPerHost: *users, MaxConnsPerHost: *users * 2, IdleConnTimeout: time.Minute}
	defer transport.CloseIdleConnections()

	// Sign everyone in first, so that the measured part holds only page views.
	clients := make([]*http.Client, *users)
	for i := range clients {
		jar, _ := cookiejar.New(nil)
		c := &http.Client{Jar: jar, Transport: transport, Timeout: 30 * time.Second,
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
		if err := loadSignIn(ctx, c, base, *username, *password); err != nil {
			return fmt.Errorf("第 %d 个用户登录失败: %w", i+1, err)
		}
		clients[i] = c
	}
	stats := &loadStats{times: map[string][]time.Duration{}, errors: map[string]int{}}
	var budget atomic.Int64
	budget.Store(*maxReq)
	runCtx, cancel := context.WithTimeout(ctx, *duration)
	defer cancel()
	start := time.Now()
	var wg sync.WaitGroup
	for _, c := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			loadUser(runCtx, c, base, stats, &budget)
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)

	sum := loadSummary{Addr: base, Users: *users, Seconds: elapsed.Seconds()}
	for _, p := range loadPages {
		ts := slices.Clone(stats.times[p])
		slices.Sort(ts)
		r := loadPageResult{Page: p, Requests: len(ts), Errors: stats.errors[p], P50ms: ms(percentile(ts, .50)),
			P95ms: ms(percentile(ts, .95)), P99ms: ms(percentile(ts, .99))}
		if len(ts) > 0 {
			r.MaxMs = ms(ts[len(ts)-1])
		}
		sum.Requests += int64(r.Requests + r.Errors)
		sum.Pages = append(sum.Pages, r)
	}
	sum.PerSec = float64(sum.Requests) / elapsed.Seconds()
	if *asJSON {
		if err := printJSON(env.Stdout, sum); err != nil {
			return err
		}
	} else {
		fmt.Fprintf(env.Stdout, "%d 个并发用户，%.1f 秒，%d 个请求（%.0f 个/秒），%s\n", sum.Users, sum.Seconds, sum.Requests, sum.PerSec, base)
		fmt.Fprintf(env.Stdout, "%-14s %8s %6s %9s %9s %9s %9s\n", "页面", "请求", "错误", "p50 ms", "p95 ms", "p99 ms", "最大 ms")
		for _, r := range sum.Pages {
			fmt.Fprintf(env.Stdout, "%-14s %8d %6d %9.1f %9.1f %9.1f %9.1f\n", r.Page, r.Requests, r.Errors, r.P50ms, r.P95ms, r.P99ms, r.MaxMs)
		}
	}
	for _, r := range sum.Pages {
		if r.Errors > 0 {
			return fmt.Errorf("%s 有 %d 个请求失败", r.Page, r.Errors)
		}
	}
	return nil
}

// loadSignIn signs one client in with the password form.
func loadSignIn(ctx context.Context, c *http.Client, base, username, password string) error {
	form := url.Values{"username": {username}, "password": {password}}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, base+"/login", strings.NewReader(form.Encode()))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := c.Do(req)
	if err != nil {
		return err
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	loc := resp.Header.Get("Location")
	switch {
	case resp.StatusCode != http.StatusSeeOther:
		return fmt.Errorf("用户名或密码不正确（HTTP %d）", resp.StatusCode)
	case strings.HasPrefix(loc, "/login/totp"):
		return errors.New("该账号需要动态口令，请用不需要第二因素的县级账号（如演示账号）测试")
	case strings.HasPrefix(loc, "/account/password"):
		return errors.New("该账号须先修改初始密码")
	}
	return nil
}

var (
	loadRowRE  = regexp.MustCompile(`href="/ledger/(\d+)"`)
	loadNextRE = regexp.MustCompile(`<a href="(/ledger\?[^"]+)">下一页`)
	loadDashRE = regexp.MustCompile(`data-chart-src="([^"]+)"`)
)

// loadUser is one simulated user's loop.
func loadUser(ctx context.Context, c *http.Client, base string, stats *loadStats, budget *atomic.Int64) {
	get := func(page, path string) (string, bool) {
		if ctx.Err() != nil || budget.Add(-1) < 0 {
			return "", false
		}
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, base+path, nil)
		if err != nil {
			stats.add(page, 0, err)
			return "", false
		}
		start := time.Now()
		resp, err := c.Do(req)
		if err != nil {
			if ctx.Err() == nil {
				stats.add(page, 0, err)
			}
			return "", false
		}
		b, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		d := time.Since(start)
		if ctx.Err() != nil {
			return "", false // cut off by the deadline: not a measurement
		}
		if err == nil && resp.StatusCode != http.StatusOK {
			err = fmt.Errorf("HTTP %d", resp.StatusCode)
		}
		stats.add(page, d, err)
		return string(b), err == nil
	}
	for ctx.Err() == nil && budget.Load() > 0 {
		body, ok := get("dashboard", "/")
		if !ok {
			continue
		}
		if m := loadDashRE.FindStringSubmatch(body); m != nil {
			get("dashboard_api", strings.ReplaceAll(m[1], "&amp;", "&"))
		}
		body, ok = get("ledger", "/ledger?status=suspected")
		if !ok {
			continue
		}
		if m := loadNextRE.FindStringSubmatch(body); m != nil {
			if next, ok := get("ledger_next", strings.ReplaceAll(m[1], "&amp;", "&")); ok {
				body = next
			}
		}
		if m := loadRowRE.FindAllStringSubmatch(body, -1); len(m) > 0 {
			get("child", "/ledger/"+m[len(m)/2][1])
		}
		// Case work (issue 6): the task list and the 动态清零 page, the two a county office
		// keeps open all day.
		get("tasks", "/tasks")
		get("zero", "/zero")
	}
}
