package main

import (
	"bytes"
	"context"
	"fmt"
	"image/png"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/haven-helpline/haven/testenv"
)

// The helpers of the real-browser tests (browser_test.go): one headless Chromium per test,
// driven over the DevTools protocol by chromedp, against a real Haven from startAPI.

const (
	// actionTimeout bounds one browser step; the machine running make check can be slow.
	actionTimeout = 45 * time.Second
	// viewport is the size of the window the pages are laid out (and photographed) in.
	viewportW, viewportH = 1280, 800
	// adminPassword is what startAPI gives the admin.
	adminPassword = "a long admin password"
)

// tab is one browser (one tab) of one test, with what the page did recorded from the
// protocol's events: JavaScript dialogs, uncaught exceptions and, while a measure is on,
// the network requests.
type tab struct {
	t    *testing.T
	ctx  context.Context
	base string

	mu         sync.Mutex
	dialogs    []string
	exceptions []string
	reqs       map[network.RequestID]*netReq // nil unless measuring
}

type netReq struct {
	url     string
	typ     network.ResourceType
	encoded float64 // encodedDataLength of Network.loadingFinished: bytes on the wire
	done    bool
	failed  string
}

// newTab starts a headless Chromium for this test (stopped in t.Cleanup) and opens a tab.
func newTab(t *testing.T, base string) *tab {
	t.Helper()
	bin := testenv.Chromium(t)
	profile, err := os.MkdirTemp("", "haven-chromium-")
	if err != nil {
		t.Fatal(err)
	}
	var out lockedBuffer
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(),
		chromedp.ExecPath(bin),
		chromedp.Flag("headless", true),
		chromedp.Flag("no-sandbox", true),
		chromedp.Flag("disable-gpu", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("no-first-run", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.Flag("hide-scrollbars", true),
		chromedp.Flag("mute-audio", true),
		chromedp.Flag("force-color-profile", "srgb"),
		chromedp.Flag("lang", "en-US"),
		chromedp.UserDataDir(profile),
		chromedp.WindowSize(viewportW, viewportH),
		chromedp.CombinedOutput(&out),
	)
	ctx, cancel := chromedp.NewContext(allocCtx)
	tb := &tab{t: t, ctx: ctx, base: base}
	t.Cleanup(func() {
		cancel()
		cancelAlloc()
		os.RemoveAll(profile)
	})

	// The first Do starts the browser and binds it to ctx, which must have no deadline; a
	// watchdog stands in for one.
	started := make(chan error, 1)
	go func() { started <- chromedp.Do(ctx) }()
	select {
	case err := <-started:
		if err != nil {
			t.Fatalf("starting %s: %v\nbrowser output:\n%s", bin, err, tail(out.String(), 2000))
		}
	case <-time.After(90 * time.Second):
		t.Fatalf("%s did not start within 90s\nbrowser output:\n%s", bin, tail(out.String(), 2000))
	}
	if err := chromedp.Listen(ctx, tb.onEvent); err != nil {
		t.Fatal(err)
	}
	tb.do("set the viewport", chromedp.EmulateViewport(viewportW, viewportH))
	return tb
}

// onEvent runs on the protocol's reading goroutine: it must be quick and send no command.
func (tb *tab) onEvent(ev any) {
	tb.mu.Lock()
	defer tb.mu.Unlock()
	switch ev := ev.(type) {
	case *page.EventJavascriptDialogOpening:
		tb.dialogs = append(tb.dialogs, fmt.Sprintf("%s(%q) on %s", ev.Type, ev.Message, ev.URL))
		// A dialog blocks the page: dismiss it from another goroutine.
		go chromedp.Call(tb.ctx, page.HandleJavaScriptDialog, page.HandleJavaScriptDialogParams{Accept: false})
	case *runtime.EventExceptionThrown:
		d := ev.ExceptionDetails
		msg := d.Text
		if d.Exception != nil && d.Exception.Description != "" {
			msg += " " + d.Exception.Description
		}
		tb.exceptions = append(tb.exceptions, fmt.Sprintf("%s (%s:%d)", msg, d.URL, d.LineNumber+1))
	case *network.EventRequestWillBeSent:
		if tb.reqs != nil {
			tb.reqs[ev.RequestID] = &netReq{url: ev.Request.URL, typ: ev.Type}
		}
	case *network.EventLoadingFinished:
		if r := tb.reqs[ev.RequestID]; r != nil {
			r.encoded, r.done = ev.EncodedDataLength, true
		}
	case *network.EventLoadingFailed:
		if r := tb.reqs[ev.RequestID]; r != nil {
			r.done, r.failed = true, ev.ErrorText
		}
	}
}

// noDialogsNorExceptions fails the test if a page opened a JavaScript dialog or threw.
func (tb *tab) noDialogsNorExceptions() {
	tb.t.Helper()
	tb.mu.Lock()
	dialogs, exceptions := tb.dialogs, tb.exceptions
	tb.mu.Unlock()
	if len(dialogs) > 0 {
		tb.t.Errorf("JavaScript dialogs opened: %s", strings.Join(dialogs, "; "))
	}
	if len(exceptions) > 0 {
		tb.t.Errorf("uncaught JavaScript exceptions: %s", strings.Join(exceptions, "; "))
	}
}

func (tb *tab) stepContext() (context.Context, context.CancelFunc) {
	return context.WithTimeout(tb.ctx, actionTimeout)
}

// do runs actions that load no new page.
func (tb *tab) do(what string, steps ...chromedp.Action[chromedp.Void]) {
	tb.t.Helper()
	ctx, cancel := tb.stepContext()
	defer cancel()
	if err := chromedp.Do(ctx, steps...); err != nil {
		tb.fatalf("%s: %v", what, err)
	}
}

// open loads a page (a path on Haven) and returns the response of its document.
func (tb *tab) open(path string) *network.Response {
	tb.t.Helper()
	ctx, cancel := tb.stepContext()
	defer cancel()
	resp, err := chromedp.Run(ctx, chromedp.NavigateResponse(tb.base+path))
	if err != nil {
		tb.fatalf("opening %s: %v", path, err)
	}
	return resp
}

// submit clicks a button (or presses keys, see navigateBy) and waits for the page it loads.
func (tb *tab) submit(sel string) *network.Response {
	tb.t.Helper()
	return tb.navigateBy("clicking "+sel, chromedp.Click(chromedp.CSS(sel)))
}

// navigateBy runs steps that load a new page and returns that page's response.
func (tb *tab) navigateBy(what string, steps ...chromedp.Action[chromedp.Void]) *network.Response {
	tb.t.Helper()
	ctx, cancel := tb.stepContext()
	defer cancel()
	resp, err := chromedp.RunResponse(ctx, steps...)
	if err != nil {
		tb.fatalf("%s: %v", what, err)
	}
	if resp == nil {
		tb.fatalf("%s: no response", what)
	}
	return resp
}

// press types keys with nothing focused, as a handler using shortcuts would.
func (tb *tab) press(keys string) {
	tb.t.Helper()
	tb.blur()
	tb.do("pressing "+keys, chromedp.KeyEvent(keys))
}

func (tb *tab) blur() {
	tb.t.Helper()
	evalJS[chromedp.Void](tb, `document.activeElement && document.activeElement !== document.body && document.activeElement.blur()`)
}

// evalJS evaluates an expression in the page and decodes its value.
func evalJS[T any](tb *tab, expr string, opts ...chromedp.EvaluateOption) T {
	tb.t.Helper()
	ctx, cancel := tb.stepContext()
	defer cancel()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](expr, opts...))
	if err != nil {
		tb.fatalf("evaluating %s: %v", clip(expr, 200), err)
	}
	return v
}

// waitJS waits until a JavaScript expression is true.
func (tb *tab) waitJS(what, expr string) {
	tb.t.Helper()
	ctx, cancel := tb.stepContext()
	defer cancel()
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](expr,
		chromedp.WithPollingInterval(50*time.Millisecond), chromedp.WithPollingTimeout(15*time.Second))); err != nil {
		tb.fatalf("waiting for %s (%s): %v", what, expr, err)
	}
}

// location is the page's URL without the server's address.
func (tb *tab) location() string {
	tb.t.Helper()
	return strings.TrimPrefix(evalJS[string](tb, `location.href`), tb.base)
}

// fatalf fails the test with the page's URL and the beginning of its HTML.
func (tb *tab) fatalf(format string, args ...any) {
	tb.t.Helper()
	tb.t.Fatalf(format+"\n%s", append(args, tb.describe())...)
}

func (tb *tab) errorf(format string, args ...any) {
	tb.t.Helper()
	tb.t.Errorf(format+"\n%s", append(args, tb.describe())...)
}

var spaces = regexp.MustCompile(`\s+`)

// describe is the page as a failure message shows it: its URL, its alerts and field errors,
// and a snippet of its main content.
func (tb *tab) describe() string {
	ctx, cancel := context.WithTimeout(tb.ctx, 10*time.Second)
	defer cancel()
	type state struct {
		URL    string   `json:"url"`
		Alerts []string `json:"alerts"`
		HTML   string   `json:"html"`
	}
	s, err := chromedp.Run(ctx, chromedp.Evaluate[state](`({
		url: location.href,
		alerts: [...document.querySelectorAll(".flash, .error, [role=alert]")].map(e => e.textContent.trim()),
		html: (document.querySelector("main") || document.documentElement).outerHTML,
	})`))
	if err != nil {
		return fmt.Sprintf("(could not read the page: %v)", err)
	}
	msg := "page: " + s.URL
	if len(s.Alerts) > 0 {
		msg += "\nalerts: " + strings.Join(s.Alerts, " | ")
	}
	return msg + "\nhtml: " + clip(spaces.ReplaceAllString(s.HTML, " "), 2500)
}

// signIn fills in and submits the sign-in form the browser is on.
func (tb *tab) signIn(username, password string) {
	tb.t.Helper()
	tb.do("filling in the sign-in form",
		chromedp.WaitVisible(chromedp.ID("username")),
		chromedp.SendKeys(chromedp.ID("username"), username),
		chromedp.SendKeys(chromedp.ID("password"), password))
	if resp := tb.submit(`form[action="/login"] button[type=submit]`); resp.Status != 200 || strings.HasPrefix(tb.location(), "/login") {
		tb.fatalf("signing in as %s: HTTP %d", username, resp.Status)
	}
}

// switchLanguage picks a language with the header's picker.
func (tb *tab) switchLanguage(tag string) {
	tb.t.Helper()
	tb.do("choosing "+tag, chromedp.SetValue(chromedp.ID("lang"), tag))
	tb.submit(`form[action="/language"] button[type=submit]`)
	if got := evalJS[string](tb, `document.documentElement.lang`); got != tag {
		tb.fatalf("after choosing %s in the picker the page is in %q", tag, got)
	}
}

// caseRow is one row of a case table as the test reads it.
type caseRow struct {
	Number string `json:"number"`
	Class  string `json:"class"`
	Title  string `json:"title"`
	Name   string `json:"name"`
}

func (tb *tab) caseRows() []caseRow {
	tb.t.Helper()
	return evalJS[[]caseRow](tb, `[...document.querySelectorAll("table.cases tbody tr[data-href]")].map(r => ({
		number: r.cells[1].textContent.trim(), class: r.className,
		title: r.cells[2].textContent.trim(), name: r.cells[3].textContent.trim()}))`)
}

// axeViolation is one failed rule of an axe-core run.
type axeViolation struct {
	ID     string `json:"id"`
	Impact string `json:"impact"`
	Help   string `json:"help"`
	Nodes  []struct {
		Target  []any  `json:"target"`
		HTML    string `json:"html"`
		Summary string `json:"summary"`
	} `json:"nodes"`
}

func (v axeViolation) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "[%s] %s: %s", v.Impact, v.ID, v.Help)
	for _, n := range v.Nodes {
		fmt.Fprintf(&b, "\n      %v %s\n        %s", n.Target, clip(n.HTML, 160), strings.ReplaceAll(n.Summary, "\n", "\n        "))
	}
	return b.String()
}

var (
	axeOnce   sync.Once
	axeSource string
	axeErr    error
)

// axe runs axe-core 4 on the page and fails the test listing every serious or critical
// violation; lesser ones are logged.
func (tb *tab) axe(label string) {
	tb.t.Helper()
	var bad, minor []string
	for _, v := range tb.axeViolations() {
		if v.Impact == "serious" || v.Impact == "critical" {
			bad = append(bad, v.String())
		} else {
			minor = append(minor, v.String())
		}
	}
	if len(minor) > 0 {
		tb.t.Logf("axe on %s (%s): minor or moderate findings:\n  %s", label, tb.location(), strings.Join(minor, "\n  "))
	}
	if len(bad) > 0 {
		tb.t.Errorf("axe on %s (%s): %d serious or critical violations:\n  %s", label, tb.location(), len(bad), strings.Join(bad, "\n  "))
	}
}

// axeViolations injects axe-core into the page (once per document) and runs every rule of its
// default set.
func (tb *tab) axeViolations() []axeViolation {
	tb.t.Helper()
	axeOnce.Do(func() {
		b, err := os.ReadFile(filepath.Join("..", "..", "web", "testdata", "axe", "axe.min.js"))
		axeSource, axeErr = string(b), err
	})
	if axeErr != nil {
		tb.t.Fatalf("reading axe-core: %v", axeErr)
	}
	if !evalJS[bool](tb, `typeof window.axe === "object"`) {
		evalJS[chromedp.Void](tb, axeSource)
	}
	return evalJS[[]axeViolation](tb, `axe.run(document, {resultTypes: ["violations"]}).then(r => r.violations.map(v => ({
		id: v.id, impact: v.impact, help: v.help,
		nodes: v.nodes.map(n => ({target: n.target, html: n.html, summary: n.failureSummary}))})))`,
		chromedp.EvalAwaitPromise)
}

// screenshot saves a full-page PNG to docs/screenshots when HAVEN_SCREENSHOTS=1.
func (tb *tab) screenshot(name string) {
	tb.t.Helper()
	tb.screenshotAt(name, 0)
}

// firstScreenH is the height of a first-screen capture: what a 1280×900 window shows on opening a
// page too long for a full-page capture to stay readable (and under the size cap), the case page.
const firstScreenH = 900

// screenshotFirstScreen saves the page's first screen (1280×900) as a PNG, like screenshot.
func (tb *tab) screenshotFirstScreen(name string) {
	tb.t.Helper()
	tb.screenshotAt(name, firstScreenH)
}

// screenshotAt captures a viewport height px tall from the top of the page, or (0) the whole page.
func (tb *tab) screenshotAt(name string, height int64) {
	tb.t.Helper()
	if os.Getenv("HAVEN_SCREENSHOTS") != "1" {
		return
	}
	tb.blur()
	// A full-page capture (captureBeyondViewport) of a right-to-left page no taller than the
	// window comes out shifted sideways in this Chromium; growing the viewport to the page's
	// height and capturing that viewport does not.
	page := evalJS[int64](tb, `document.fonts.ready.then(() => (window.scrollTo(0, 0), Math.max(document.documentElement.scrollHeight, innerHeight)))`,
		chromedp.EvalAwaitPromise)
	if height == 0 {
		height = page
	}
	tb.do("sizing the viewport", chromedp.EmulateViewport(viewportW, height))
	evalJS[chromedp.Void](tb, `window.scrollTo(0, 0)`)
	defer tb.do("restoring the viewport", chromedp.EmulateViewport(viewportW, viewportH))
	evalJS[chromedp.Void](tb, `new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))`, chromedp.EvalAwaitPromise)
	ctx, cancel := tb.stepContext()
	defer cancel()
	raw, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
	if err != nil {
		tb.fatalf("screenshot %s: %v", name, err)
	}
	// Chromium favours speed over size: compress again, losslessly.
	img, err := png.Decode(bytes.NewReader(raw))
	if err != nil {
		tb.t.Fatalf("screenshot %s: %v", name, err)
	}
	var buf bytes.Buffer
	if err := (&png.Encoder{CompressionLevel: png.BestCompression}).Encode(&buf, img); err != nil {
		tb.t.Fatal(err)
	}
	dir := filepath.Join("..", "..", "docs", "screenshots")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		tb.t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, name+".png"), buf.Bytes(), 0o644); err != nil {
		tb.t.Fatal(err)
	}
	b := img.Bounds()
	tb.t.Logf("screenshot docs/screenshots/%s.png: %dx%d, %d KB", name, b.Dx(), b.Dy(), buf.Len()/1024)
	if buf.Len() > 300<<10 {
		tb.t.Errorf("screenshot %s.png is %d KB, over 300 KB", name, buf.Len()/1024)
	}
}

// weight is what loading one page cost on the network.
type weight struct {
	total    float64 // bytes
	requests int
	parts    []string
}

func (w weight) String() string {
	return fmt.Sprintf("%.1f KB in %d requests (%s)", w.total/1024, w.requests, strings.Join(w.parts, ", "))
}

// measure loads a page with the cache off and sums encodedDataLength over every request it
// made (attachments excluded).
func (tb *tab) measure(path string) weight {
	tb.t.Helper()
	ctx, cancel := tb.stepContext()
	defer cancel()
	if _, err := chromedp.Call(ctx, network.SetCacheDisabled, network.SetCacheDisabledParams{CacheDisabled: true}); err != nil {
		tb.t.Fatal(err)
	}
	defer chromedp.Call(ctx, network.SetCacheDisabled, network.SetCacheDisabledParams{CacheDisabled: false})
	tb.mu.Lock()
	tb.reqs = map[network.RequestID]*netReq{}
	tb.mu.Unlock()
	defer func() {
		tb.mu.Lock()
		tb.reqs = nil
		tb.mu.Unlock()
	}()
	if resp := tb.open(path); resp.Status != 200 {
		tb.fatalf("%s: HTTP %d", path, resp.Status)
	}
	// Requests still running after the load event (none expected) are waited for.
	time.Sleep(300 * time.Millisecond)
	deadline := time.Now().Add(10 * time.Second)
	for {
		tb.mu.Lock()
		pending := 0
		for _, r := range tb.reqs {
			if !r.done {
				pending++
			}
		}
		tb.mu.Unlock()
		if pending == 0 {
			break
		}
		if time.Now().After(deadline) {
			tb.fatalf("%s: %d requests still loading after 10s", path, pending)
		}
		time.Sleep(50 * time.Millisecond)
	}
	tb.mu.Lock()
	defer tb.mu.Unlock()
	var w weight
	for _, r := range tb.reqs {
		if strings.Contains(r.url, "/attachments/") {
			continue
		}
		if r.failed != "" {
			tb.t.Errorf("%s: loading %s failed: %s", path, r.url, r.failed)
		}
		w.total += r.encoded
		w.requests++
		w.parts = append(w.parts, fmt.Sprintf("%s %s %.1f KB", r.typ, strings.TrimPrefix(r.url, tb.base), r.encoded/1024))
	}
	sort.Strings(w.parts)
	return w
}

// lockedBuffer collects the browser's output, written from another goroutine.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !isRuneStart(s[n]) {
		n--
	}
	return s[:n] + "…"
}

func tail(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return "…" + s[len(s)-n:]
}

func isRuneStart(b byte) bool { return b&0xC0 != 0x80 }

// keyEnter is the Enter key as chromedp types it.
const keyEnter = kb.Enter

// seeding through the API

// mustCreateCase creates a case through the API and returns its number.
func mustCreateCase(c *apiClient, body map[string]any) string {
	c.t.Helper()
	st, cs := c.do("POST", "/api/v1/cases", body)
	if st != 201 {
		c.t.Fatalf("creating case %v: HTTP %d %v", body["title"], st, cs)
	}
	return cs["number"].(string)
}

// mustPost posts to the API and fails unless it answers 200 or 201.
func mustPost(c *apiClient, path string, body any) map[string]any {
	c.t.Helper()
	st, out := c.do("POST", path, body)
	if st != 200 && st != 201 {
		c.t.Fatalf("POST %s: HTTP %d %v", path, st, out)
	}
	return out
}
