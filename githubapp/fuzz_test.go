package githubapp

import (
	"fmt"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
)

// FuzzWebhook: whatever body arrives, signed or not, the receiver answers
// with a 2xx or 4xx/503, never panics, and stores only signed JSON.
func FuzzWebhook(f *testing.F) {
	for name, body := range examplePayloads(f) {
		f.Add(strings.Split(name, string(filepath.Separator))[0], body, true)
	}
	f.Add("push", []byte("{"), true)
	f.Add("ping", []byte(`{"zen":1}`), false)
	st := openStore(f)
	a := newTestApp(f, st, Config{})
	n := 0
	f.Fuzz(func(t *testing.T, event string, body []byte, signed bool) {
		n++
		sig := "sha256=00"
		if signed {
			sig = sign(testSecret, body)
		}
		w := post(t, a, event, fmt.Sprintf("fuzz-%d", n), body, sig)
		switch {
		case w.Code == http.StatusAccepted:
			if !signed {
				t.Fatalf("an unsigned body was accepted")
			}
		case w.Code >= 400 && w.Code < 500, w.Code == http.StatusServiceUnavailable:
		default:
			t.Fatalf("status %d for event %q", w.Code, event)
		}
	})
}
