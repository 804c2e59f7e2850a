// Package e2e holds the end-to-end browser tests of the web application: a real `baoxue demo`
// server on a loopback port with a generated county, driven through its pages by Debian's
// Chromium in headless mode (github.com/chromedp/chromedp). The tests sign in as the demo
// accounts, upload a file, run a comparison, work the ledgers and the child page, export, and
// check that one county cannot reach another's children (issue 5), and walk a case from suspect
// to closed and reopened (issue 6).
//
// The package has no code outside its tests. The tests skip when Chromium is not installed,
// unless BAOXUE_REQUIRE_BROWSER=1 (set by .ci/run), where they fail instead. On failure they save
// a full-page screenshot and the page's HTML to BAOXUE_E2E_ARTIFACTS (or a temporary directory
// named in the log). BAOXUE_E2E_SCREENSHOT=docs/screenshot-dashboard.png writes the README's
// screenshot of the dashboard.
package e2e
