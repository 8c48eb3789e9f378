package githubapp

import (
	"context"
	"encoding/json"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/callboard/callboard/githubapp/queue"
	"github.com/callboard/callboard/internal/fakegithub"
)

// TestIssue13_6_MissedDeliveriesFound: the missed-delivery check survives
// GitHub's errors (a 502 on the list, a failed redelivery request) by
// retrying, redelivers every missed delivery, each processed once through
// the real receiver; it keeps what it looked at by GitHub's delivery id, so
// a delivery that failed in the same second as a check is found by the
// next one; and a check with nothing new lists one page.
func TestIssue13_6_MissedDeliveriesFound(t *testing.T) {
	var mu sync.Mutex
	now := time.Date(2026, 12, 1, 12, 0, 0, 500_000_000, time.UTC)
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	h := newHarness(t, Config{Now: clock})
	srv := httptest.NewServer(h.app)
	defer srv.Close()
	h.gh.SetWebhook(srv.URL+"/webhooks/github", []byte(testSecret))
	h.gh.AddInstallation(7, "acme")
	h.gh.AddRepo(7, fakegithub.Repo{ID: 101, FullName: "acme/payments-api", DefaultBranch: "main"})
	h.gh.SetFile("acme/payments-api", "main", "catalog-info.yaml", []byte(paymentsV1))

	push := func(guid string) []byte {
		b, err := json.Marshal(pushJSON(7, repoJSON(101, "acme/payments-api", "main"), "main", commitJSON(nil, []string{"catalog-info.yaml"}, nil)))
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	missed := func(guid string, status int, at time.Time) {
		h.gh.AddHookDelivery(fakegithub.HookDelivery{GUID: guid, Event: "push", StatusCode: status, DeliveredAt: at,
			InstallationID: 7, RepositoryID: 101, Payload: push(guid)})
	}
	missed("push-a", 502, now.Add(-30*time.Minute))
	missed("push-b", 0, now.Add(-20*time.Minute)) // callboard was down: nothing answered
	h.gh.AddHookDelivery(fakegithub.HookDelivery{GUID: "delivered", Event: "push", StatusCode: 202, DeliveredAt: now.Add(-10 * time.Minute)})
	h.gh.FailNext("GET /app/hook/deliveries", 1, 502, nil, "")
	h.gh.FailNext("POST /app/hook/deliveries/*/attempts", 1, 502, nil, "")

	ctx := context.Background()
	n, err := h.app.queue.CheckMissed(ctx, h.app.clients.App)
	if err != nil || n != 2 {
		t.Fatalf("first check: %d redelivered, %v; want push-a and push-b through a 502 on the list and one on a redelivery", n, err)
	}
	h.waitStored("push-a", "push-b")
	h.settle()
	for _, guid := range []string{"push-a", "push-b"} {
		var state string
		var attempts, rows int
		if err := h.st.db.QueryRow(context.Background(), `SELECT state, attempts, (SELECT count(*) FROM deliveries WHERE delivery_id = ?1) FROM deliveries WHERE delivery_id = ?1`, guid).Scan(&state, &attempts, &rows); err != nil {
			t.Fatal(err)
		}
		if state != queue.StateDone || attempts != 1 || rows != 1 {
			t.Errorf("%s: %s after %d runs in %d rows, want done once", guid, state, attempts, rows)
		}
	}
	if e := h.entity("component:default/payments-api"); e == nil {
		t.Error("the redelivered push did not reach the catalog")
	}

	// A delivery that failed in the very second of that check (GitHub's
	// times have seconds only) is found by the next check.
	missed("push-same-second", 502, now.Truncate(time.Second))
	mu.Lock()
	now = now.Add(30 * time.Second)
	mu.Unlock()
	if n, err := h.app.queue.CheckMissed(ctx, h.app.clients.App); err != nil || n != 1 {
		t.Errorf("second check: %d redelivered, %v; want the delivery of the same second", n, err)
	}
	h.waitStored("push-same-second")
	h.settle()

	// Nothing new: one list call, nothing asked.
	h.gh.ResetCalls()
	if n, err := h.app.queue.CheckMissed(ctx, h.app.clients.App); err != nil || n != 0 {
		t.Errorf("third check: %d redelivered, %v; want none", n, err)
	}
	if got := h.gh.CallCount("GET /app/hook/deliveries"); got != 1 {
		t.Errorf("a check with nothing new listed %d pages, want 1", got)
	}
	if got := h.gh.CallCount("POST /app/hook/deliveries/*/attempts"); got != 0 {
		t.Errorf("a check with nothing new asked for %d redeliveries", got)
	}
}

// waitStored waits until GitHub's redeliveries of guids have been received.
func (h *harness) waitStored(guids ...string) {
	h.t.Helper()
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(5 * time.Millisecond) {
		all := true
		for _, g := range guids {
			ok, err := h.app.queue.Received(context.Background(), g)
			if err != nil {
				h.t.Fatal(err)
			}
			all = all && ok
		}
		if all {
			return
		}
		if time.Now().After(deadline) {
			h.t.Fatalf("redeliveries of %s not received within 10 s", strings.Join(guids, ", "))
		}
	}
}
