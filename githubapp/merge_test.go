package githubapp

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/callboard/callboard/githubapp/queue"
)

// fakeMerges is a MergeRecorder that keeps what it is given.
type fakeMerges struct {
	mu    sync.Mutex
	calls []string
}

func (f *fakeMerges) RecordMerge(_ context.Context, repo string, number int, author string, at time.Time) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls = append(f.calls, fmt.Sprintf("%s#%d by %s at %s", repo, number, author, at.UTC().Format(time.RFC3339)))
	return nil
}

func TestMergedPullRequestIsRecorded(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join(webhookData, "pull_request", "closed.payload.json"))
	if err != nil {
		t.Fatal(err)
	}
	merged := func(m bool) []byte {
		var p map[string]any
		if err := json.Unmarshal(raw, &p); err != nil {
			t.Fatal(err)
		}
		pr := p["pull_request"].(map[string]any)
		pr["merged"] = m
		if m {
			pr["merged_at"] = "2026-11-18T10:00:00Z"
		}
		b, _ := json.Marshal(p)
		return b
	}
	fm := &fakeMerges{}
	a := newTestApp(t, openStore(t), Config{Merges: fm})
	ctx := t.Context()
	if err := a.handle(ctx, &queue.Delivery{Event: "pull_request", Action: "closed", Payload: merged(false)}); !errors.Is(err, queue.ErrIgnored) {
		t.Errorf("closed without merging: %v, want ignored", err)
	}
	if err := a.handle(ctx, &queue.Delivery{Event: "pull_request", Action: "closed", Payload: merged(true)}); err != nil {
		t.Fatal(err)
	}
	want := "Codertocat/Hello-World#2 by Codertocat at 2026-11-18T10:00:00Z"
	if len(fm.calls) != 1 || fm.calls[0] != want {
		t.Errorf("recorded %q, want [%q]", fm.calls, want)
	}
}
