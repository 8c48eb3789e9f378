// Package browsertest drives a real headless Chromium from tests, through
// the DevTools protocol (chromedp). It finds the machine's Chromium (Debian's
// chromium package; CALLBOARD_CHROMIUM names another), skips the test where
// there is none unless CALLBOARD_REQUIRE_BROWSER=1 (as .ci/run sets), keeps
// every console message so a test can require none is an error, and writes
// screenshots to CALLBOARD_SCREENSHOTS, or to a temporary folder it logs.
package browsertest

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// Browser is one Chromium with one tab.
type Browser struct {
	t   *testing.T
	ctx context.Context

	mu      sync.Mutex
	console []chromedp.ConsoleMessage
	shots   string
}

// StepTimeout bounds each step a test runs.
const StepTimeout = 30 * time.Second

func chromium() string {
	if p := os.Getenv("CALLBOARD_CHROMIUM"); p != "" {
		return p
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	return ""
}

// New starts Chromium with a fresh profile; it stops when the test ends.
func New(t *testing.T) *Browser {
	t.Helper()
	path := chromium()
	if path == "" {
		if os.Getenv("CALLBOARD_REQUIRE_BROWSER") == "1" {
			t.Fatal("Chromium is not installed and CALLBOARD_REQUIRE_BROWSER=1: apt-get install chromium (or set CALLBOARD_CHROMIUM)")
		}
		t.Skip("skipping the browser test: Chromium is not installed (apt-get install chromium, or set CALLBOARD_CHROMIUM); CALLBOARD_REQUIRE_BROWSER=1 makes this a failure")
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(path),
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1280, 900),
	)
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(actx)
	t.Cleanup(func() {
		cancel()
		cancelAlloc()
	})
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("starting Chromium (%s): %v", path, err)
	}
	b := &Browser{t: t, ctx: ctx}
	messages := chromedp.Console(ctx)
	go func() {
		for m, err := range messages {
			if err != nil {
				return
			}
			b.mu.Lock()
			b.console = append(b.console, m)
			b.mu.Unlock()
		}
	}()
	return b
}

// Do runs steps, failing the test with what was being done.
func (b *Browser) Do(what string, steps ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, StepTimeout)
	defer cancel()
	if err := chromedp.Do(ctx, steps...); err != nil {
		b.t.Fatalf("%s: %v", what, err)
	}
}

// Eval returns the value of a JavaScript expression in the page.
func Eval[T any](b *Browser, expr string) T {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, StepTimeout)
	defer cancel()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](expr))
	if err != nil {
		b.t.Fatalf("evaluating %s: %v", expr, err)
	}
	return v
}

// Text returns the text of the first element matching a CSS selector,
// waiting for it to be visible.
func (b *Browser) Text(sel string) string {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, StepTimeout)
	defer cancel()
	s, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(sel)))
	if err != nil {
		b.t.Fatalf("reading the text of %s: %v", sel, err)
	}
	return s
}

// Location is the address of the page.
func (b *Browser) Location() string {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, StepTimeout)
	defer cancel()
	u, err := chromedp.Run(ctx, chromedp.Location())
	if err != nil {
		b.t.Fatal(err)
	}
	return u
}

var unsafeName = regexp.MustCompile(`[^a-zA-Z0-9._-]+`)

// Screenshot sets the viewport to width and writes the whole page as
// NAME-WIDTH.png in the screenshots folder; it returns the file's path.
func (b *Browser) Screenshot(name string, width int) string {
	b.t.Helper()
	b.mu.Lock()
	if b.shots == "" {
		b.shots = os.Getenv("CALLBOARD_SCREENSHOTS")
		if b.shots == "" {
			b.shots = b.t.TempDir()
		}
		if err := os.MkdirAll(b.shots, 0o755); err != nil {
			b.mu.Unlock()
			b.t.Fatal(err)
		}
		b.t.Logf("screenshots in %s", b.shots)
	}
	dir := b.shots
	b.mu.Unlock()
	ctx, cancel := context.WithTimeout(b.ctx, StepTimeout)
	defer cancel()
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(int64(width), 900)); err != nil {
		b.t.Fatalf("setting the viewport to %d px: %v", width, err)
	}
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		b.t.Fatalf("screenshot %s at %d px: %v", name, width, err)
	}
	path := filepath.Join(dir, fmt.Sprintf("%s-%d.png", unsafeName.ReplaceAllString(name, "-"), width))
	if err := os.WriteFile(path, png, 0o644); err != nil {
		b.t.Fatal(err)
	}
	return path
}

// ConsoleErrors are the console's errors and uncaught exceptions so far.
func (b *Browser) ConsoleErrors() []string {
	time.Sleep(100 * time.Millisecond) // messages arrive on another goroutine
	b.mu.Lock()
	defer b.mu.Unlock()
	var out []string
	for _, m := range b.console {
		switch m.Type {
		case chromedp.ConsoleError, chromedp.ConsoleException, "assert":
			out = append(out, fmt.Sprintf("%s: %s (%s:%d)", m.Type, m.Text, m.URL, m.Line))
		}
	}
	return out
}
