package notice

import (
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"flag"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
	"unicode"

	"github.com/baoxue/baoxue"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

func date(y int, m time.Month, d int) baoxue.Date { return baoxue.MakeDate(y, m, d) }

// sample is one case at every rung of the ladder.
func sample(k Kind) Data {
	d := Data{
		Kind: k, Issuer: "临夏县教育局", Issued: date(2025, time.April, 20), Deadline: date(2025, time.May, 5),
		ChildName: "马小花", ChildSex: baoxue.Female, ChildBirth: date(2011, time.May, 3), Guardian: "马德福", Relation: "父亲",
		Address: "甘肃省临夏回族自治州临夏县韩集镇阳洼山村三社", School: "临夏县韩集初级中学", Grade: 7,
		DropoutDate: date(2025, time.March, 3), ReturnTo: "临夏县韩集初级中学", Visits: 3,
		FirstVisit: date(2025, time.March, 12), LastVisit: date(2025, time.March, 26),
	}
	notice := Prior{Kind: KindNotice, Number: "临教劝〔2025〕3号", Issued: date(2025, time.March, 28), Served: date(2025, time.March, 29), Deadline: date(2025, time.April, 4)}
	order := Prior{Kind: KindOrder, Number: "临教责〔2025〕1号", Issued: date(2025, time.April, 6), Served: date(2025, time.April, 7), Deadline: date(2025, time.April, 21)}
	penalty := Prior{Kind: KindPenalty, Number: "临教罚〔2025〕1号", Issued: date(2025, time.April, 25), Served: date(2025, time.April, 26), Deadline: date(2025, time.May, 10)}
	switch k {
	case KindNotice:
		d.Number, d.Issuer = "临教劝〔2025〕3号", "临夏县韩集初级中学"
	case KindOrder:
		d.Number, d.Priors = "临教责〔2025〕1号", []Prior{notice}
	case KindPenalty:
		d.Number, d.Priors = "临教罚〔2025〕1号", []Prior{notice, order}
		d.Basis, d.Penalty = "《甘肃省实施〈中华人民共和国义务教育法〉办法》的有关规定", "警告"
		d.ReviewOrgan, d.Court = "临夏县人民政府", "临夏县人民法院"
	case KindLitigation:
		d.Priors = []Prior{notice, order, penalty}
	}
	return d
}

var kinds = []Kind{KindNotice, KindOrder, KindPenalty, KindLitigation}

// The documents' text is what the golden files say; -update rewrites them after a reviewed change.
func TestBuildGolden(t *testing.T) {
	for _, k := range kinds {
		doc, err := Build(sample(k))
		if err != nil {
			t.Fatal(err)
		}
		path := filepath.Join("testdata", string(k)+".golden")
		if *update {
			if err := os.WriteFile(path, []byte(doc.Text()), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		want, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if doc.Text() != string(want) {
			t.Errorf("%s differs from %s:\n%s", k, path, doc.Text())
		}
	}
}

// The order cites the three articles with their text; the notice the first two.
func TestLawCitations(t *testing.T) {
	order, _ := Build(sample(KindOrder))
	text := order.Text()
	for _, want := range []string{"第五条第二款", strings.TrimSuffix(Article5_2, "。"), "第十一条第一款",
		strings.TrimSuffix(Article11, "。"), "第五十八条", strings.TrimSuffix(Article58, "。"), "临教劝〔2025〕3号",
		"2025年5月5日前送马小花到临夏县韩集初级中学复学"} {
		if !strings.Contains(text, want) {
			t.Errorf("order lacks %q", want)
		}
	}
	notice, _ := Build(sample(KindNotice))
	for _, want := range []string{Article5_2, Article11, "第五十八条", "初一年级"} {
		if !strings.Contains(notice.Text(), want) {
			t.Errorf("notice lacks %q", want)
		}
	}
}

func TestPenaltyNeedsBasis(t *testing.T) {
	d := sample(KindPenalty)
	d.Basis = " "
	if _, err := Build(d); !errors.Is(err, baoxue.ErrInvalid) || !strings.Contains(err.Error(), "处罚依据") {
		t.Errorf("penalty without basis: %v", err)
	}
	if _, err := Build(Data{Kind: "letter"}); !errors.Is(err, baoxue.ErrInvalid) {
		t.Errorf("unknown kind: %v", err)
	}
}

// Unrecorded values print as a line to fill in by hand, never as an empty gap.
func TestBlanks(t *testing.T) {
	doc, err := Build(Data{Kind: KindNotice})
	if err != nil {
		t.Fatal(err)
	}
	if text := doc.Text(); !strings.Contains(text, "________（________的监护人）") || !strings.Contains(text, "____年__月__日") {
		t.Errorf("blanks:\n%s", text)
	}
}

var pageNumbers = regexp.MustCompile(`—\d+—`)

func squeeze(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) {
			return -1
		}
		return r
	}, s)
}

// The PDF of every document, read back by poppler's pdftotext, says exactly what the document says.
func TestPDFText(t *testing.T) {
	if _, err := exec.LookPath("pdftotext"); err != nil {
		t.Skip("pdftotext not installed (apt-get install -y poppler-utils): PDF text extraction not checked")
	}
	r, err := NewRenderer()
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	for _, k := range kinds {
		doc, err := Build(sample(k))
		if err != nil {
			t.Fatal(err)
		}
		b, err := r.PDF(doc)
		if err != nil {
			t.Fatal(err)
		}
		path := filepath.Join(dir, string(k)+".pdf")
		if err := os.WriteFile(path, b, 0o644); err != nil {
			t.Fatal(err)
		}
		out, err := exec.Command("pdftotext", "-enc", "UTF-8", path, "-").CombinedOutput()
		if err != nil {
			t.Fatalf("pdftotext %s: %v\n%s", k, err, out)
		}
		got := pageNumbers.ReplaceAllString(squeeze(string(out)), "")
		if want := squeeze(doc.Text()); got != want {
			t.Errorf("%s: extracted text differs\n got %s\nwant %s", k, got, want)
		}
		if len(b) > 200_000 {
			t.Errorf("%s: PDF is %d bytes; the font subset should keep it small", k, len(b))
		}
		t.Logf("%s.pdf: %d bytes", k, len(b))
	}
}

var styleRE = regexp.MustCompile(`(?s)<style>(.*?)</style>`)

// The HTML page is standalone and its CSP admits exactly its one style element.
func TestHTML(t *testing.T) {
	r, err := NewRenderer()
	if err != nil {
		t.Fatal(err)
	}
	doc, err := Build(sample(KindOrder))
	if err != nil {
		t.Fatal(err)
	}
	page, csp, err := r.HTML(doc)
	if err != nil {
		t.Fatal(err)
	}
	html := string(page)
	m := styleRE.FindStringSubmatch(html)
	if m == nil {
		t.Fatal("no style element")
	}
	sum := sha256.Sum256([]byte(m[1]))
	if !strings.Contains(csp, "'sha256-"+base64.StdEncoding.EncodeToString(sum[:])+"'") || !strings.HasPrefix(csp, "default-src 'none'") {
		t.Errorf("CSP %q does not admit the style", csp)
	}
	for _, bad := range []string{"<script", " style=", "http://", "https://"} {
		if strings.Contains(html, bad) {
			t.Errorf("page contains %q", bad)
		}
	}
	for _, b := range doc.Blocks {
		if !strings.Contains(html, `<p class="`+b.Kind+`">`+b.Text+`</p>`) {
			t.Errorf("page lacks block %q", b.Text)
		}
	}
	if !strings.Contains(html, "@page { size: A4;") || !strings.Contains(html, "data:font/ttf;base64,") {
		t.Error("page lacks the A4 print style or the embedded font")
	}
	// Names are escaped, never markup.
	d := sample(KindNotice)
	d.ChildName = `<b>x</b>`
	doc2, _ := Build(d)
	page2, _, _ := r.HTML(doc2)
	if strings.Contains(string(page2), "<b>x</b>") {
		t.Error("child name not escaped")
	}
}

// The print page rendered by Chromium, when it is installed: the screenshot goes to
// $BAOXUE_SCREENSHOTS (or the test's temporary directory) and its path into the test log.
func TestHTMLScreenshot(t *testing.T) {
	browser := ""
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "headless_shell"} {
		if p, err := exec.LookPath(name); err == nil {
			browser = p
			break
		}
	}
	if browser == "" {
		t.Skip("Chromium not installed (apt-get install -y chromium): HTML print view not screenshotted")
	}
	r, err := NewRenderer()
	if err != nil {
		t.Fatal(err)
	}
	dir := os.Getenv("BAOXUE_SCREENSHOTS")
	if dir == "" {
		dir = t.TempDir()
	} else if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, k := range []Kind{KindOrder, KindPenalty} { // each launch of Chromium costs about 2.5 s
		doc, _ := Build(sample(k))
		page, _, err := r.HTML(doc)
		if err != nil {
			t.Fatal(err)
		}
		htmlPath := filepath.Join(dir, string(k)+".html")
		if err := os.WriteFile(htmlPath, page, 0o644); err != nil {
			t.Fatal(err)
		}
		shot := filepath.Join(dir, string(k)+".png")
		cmd := exec.Command(browser, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
			"--window-size=900,1200", "--screenshot="+shot, "file://"+htmlPath)
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("chromium: %v\n%s", err, out)
		}
		st, err := os.Stat(shot)
		if err != nil || st.Size() < 10_000 {
			t.Fatalf("screenshot %s missing or blank: %v", shot, err)
		}
		t.Logf("screenshot: %s (%d bytes)", shot, st.Size())
	}
}
