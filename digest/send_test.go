package digest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/callboard/callboard/catalog"
)

type fixture struct {
	st     *testStore
	clock  *clock
	smtp   *smtpServer
	slack  *slackAPI
	berlin *time.Location
	path   string
}

// newFixture is a real store with the demo catalog and the plugin
// components, seeded during 2026-W47 (Berlin), and a week of usage events;
// the clock then stands at Monday 09:30 in Berlin, the week after.
func newFixture(t *testing.T) *fixture {
	t.Helper()
	f := &fixture{clock: &clock{}, smtp: startSMTP(t), slack: startSlack(t), berlin: mustLoad(t, "Europe/Berlin")}
	f.path = t.TempDir() + "/callboard.db"
	f.st = openStore(t, f.path)
	f.clock.Set(utc("2026-11-18T10:00:00Z"))
	f.st.Now = f.clock.Now
	seedCatalog(t, f.st)

	w := Week{2026, 47}
	start := w.Start(f.berlin) // 2026-11-15T23:00:00Z
	day := func(d, hour int) time.Time { return start.AddDate(0, 0, d).Add(time.Duration(hour) * time.Hour) }
	var evs []catalog.UsageEvent
	for i := range 5 {
		evs = append(evs, catalog.UsageEvent{Plugin: catalog.PluginSlackOwner, Action: "owner", Actor: fmt.Sprintf("U%d", i%3+1), At: day(i, 10),
			Outcome: catalog.OutcomeAnswered, Entity: "component:default/payments-api", Detail: "payments-api"})
	}
	for i := range 2 {
		evs = append(evs, catalog.UsageEvent{Plugin: catalog.PluginSlackOwner, Action: "owner", Actor: fmt.Sprintf("U%d", i+1), At: day(2, 11+i),
			Outcome: catalog.OutcomeUnanswered, Detail: "who owns ledger"})
	}
	// Sunday 23:30 UTC: Monday 00:30 in Berlin, so the first event of W47 there...
	evs = append(evs, catalog.UsageEvent{Plugin: catalog.PluginSlackOwner, Action: "owner", Actor: "U4", At: utc("2026-11-15T23:30:00Z"), Outcome: catalog.OutcomeAnswered})
	// ...and a week later, the first of W48: not in this digest.
	evs = append(evs, catalog.UsageEvent{Plugin: catalog.PluginSlackOwner, Action: "owner", Actor: "U5", At: utc("2026-11-22T23:30:00Z"), Outcome: catalog.OutcomeAnswered})
	for i := range 5 {
		evs = append(evs, catalog.UsageEvent{Plugin: "techdocs", Action: "navigate", Actor: []string{"user:default/alice", "user:default/bob"}[i%2], At: day(i, 14)})
	}
	evs = append(evs, catalog.UsageEvent{Plugin: catalog.PluginPRCheck, Action: "evaluate", Actor: "carol", At: day(3, 9), Entity: "acme/payments-api", Outcome: "failure"})
	// The week before (W46): 4 answers.
	for i := range 4 {
		evs = append(evs, catalog.UsageEvent{Plugin: catalog.PluginSlackOwner, Action: "owner", Actor: "U1", At: start.AddDate(0, 0, -3).Add(time.Duration(i) * time.Hour), Outcome: catalog.OutcomeAnswered})
	}
	if err := f.st.RecordUsage(t.Context(), evs...); err != nil {
		t.Fatal(err)
	}
	f.clock.Set(utc("2026-11-23T08:30:00Z"))
	return f
}

func (f *fixture) service(t *testing.T, st *testStore) *Service {
	t.Helper()
	if st == nil {
		st = f.st
	}
	m, err := NewSMTPMailer(f.smtp.URL())
	if err != nil {
		t.Fatal(err)
	}
	svc, err := New(Config{
		Catalog: st, Records: NewStore(st.db), Location: f.berlin, BaseURL: "https://callboard.example.com/",
		Mailer: m, From: "callboard@acme.example", To: []string{"Platform-Team@acme.example"},
		Slack: NewSlackPoster("xoxb-test", f.slack.URL), SlackChannel: "#eng-digest",
		Now: f.clock.Now, Logger: quietLogger(),
	})
	if err != nil {
		t.Fatal(err)
	}
	return svc
}

// pluginRow finds a plugin's line in the text digest and returns its columns.
func pluginRow(t *testing.T, text, id string) []string {
	t.Helper()
	for _, line := range strings.Split(text, "\n") {
		if f := strings.Fields(line); len(f) >= 5 && f[0] == id {
			return f[1:4]
		}
	}
	t.Errorf("no row for %s in:\n%s", id, text)
	return nil
}

func TestSendEmailAndSlack(t *testing.T) {
	f := newFixture(t)
	svc := f.service(t, nil)
	ctx := withTimeout(t)
	if got := svc.LastWeek(); got != (Week{2026, 47}) {
		t.Fatalf("last week %s, want 2026-W47", got)
	}
	rep, err := svc.Send(ctx, svc.LastWeek())
	if err != nil {
		t.Fatal(err)
	}
	wantSent := []string{"email:platform-team@acme.example", "email:platform@acme.example", "slack:#eng-digest"}
	if !slices.Equal(rep.Sent, wantSent) || len(rep.Skipped) != 0 {
		t.Errorf("sent %v (skipped %v), want %v", rep.Sent, rep.Skipped, wantSent)
	}

	msgs := f.smtp.Messages()
	if len(msgs) != 2 {
		t.Fatalf("the SMTP server received %d messages, want 2", len(msgs))
	}
	byTo := map[string]parsedMail{}
	for _, m := range msgs {
		if m.User != smtpUser {
			t.Errorf("message to %v sent without authenticating", m.To)
		}
		if m.From != "callboard@acme.example" || len(m.To) != 1 {
			t.Errorf("envelope from %s to %v", m.From, m.To)
			continue
		}
		pm := parseMail(t, m.Data)
		if pm.ContentType != "multipart/alternative" {
			t.Errorf("message to %s is %s, want multipart/alternative", m.To[0], pm.ContentType)
		}
		if pm.Text == "" || pm.HTML == "" {
			t.Errorf("message to %s lacks a text (%d bytes) or HTML (%d bytes) part", m.To[0], len(pm.Text), len(pm.HTML))
		}
		byTo[m.To[0]] = pm
	}

	full := byTo["platform-team@acme.example"]
	// 8 slack.owner (the Sunday 23:30 UTC one included, the next one not), 5 techdocs, 1 PR check;
	// U1-U4, alice, bob, carol.
	if subj := full.Header.Get("Subject"); subj != "callboard weekly digest, 2026-W47: 14 events by 7 people (+250%)" {
		t.Errorf("subject %q", subj)
	}
	for _, want := range []string{"14 events by 7 people, +250% on last week (4).", `"who owns ledger" ×2 (2 people)`,
		"PR checks failing (1): acme/payments-api", "owned by Platform", "https://callboard.example.com/digest?week=2026-W47"} {
		if !strings.Contains(full.Text, want) {
			t.Errorf("the text part lacks %q:\n%s", want, full.Text)
		}
	}
	rows := map[string][]string{
		catalog.PluginSlackOwner: {"8", "4", "+100%"},
		"techdocs":               {"5", "2", "new"},
		catalog.PluginPRCheck:    {"1", "1", "new"},
		"techdocs-addons":        {"0", "0", "–"},
	}
	for id, want := range rows {
		if got := pluginRow(t, full.Text, id); !slices.Equal(got, want) {
			t.Errorf("%s: events, people, change %v; want %v", id, got, want)
		}
	}
	if !strings.Contains(full.HTML, "14 events by 7 people") || !strings.Contains(full.HTML, "<!DOCTYPE html>") {
		t.Errorf("the HTML part lacks the counts:\n%s", full.HTML)
	}
	checkSelfContained(t, full.HTML)
	checkGolden(t, "send.txt", []byte(full.Text))

	owner := byTo["platform@acme.example"]
	if subj := owner.Header.Get("Subject"); subj != "callboard digest for Platform, 2026-W47: 5 events by 2 people" {
		t.Errorf("owner's subject %q", subj)
	}
	if strings.Contains(owner.Text, catalog.PluginSlackOwner) || !strings.Contains(owner.Text, "techdocs-addons") {
		t.Errorf("the owner's digest should hold techdocs and techdocs-addons only:\n%s", owner.Text)
	}

	posts := f.slack.Posts()
	if len(posts) != 1 {
		t.Fatalf("%d Slack posts, want 1", len(posts))
	}
	p := posts[0]
	if p.Auth != "Bearer xoxb-test" || p.Channel != "#eng-digest" || !strings.Contains(p.Text, "14 events by 7 people") {
		t.Errorf("Slack post: auth %q, channel %q, text %q", p.Auth, p.Channel, p.Text)
	}
	var blocks any
	if err := json.Unmarshal([]byte(p.Blocks), &blocks); err != nil {
		t.Fatalf("the posted blocks do not parse: %v", err)
	}
	raw, _ := json.MarshalIndent(map[string]any{"channel": p.Channel, "text": p.Text, "blocks": blocks}, "", "  ")
	raw = append(raw, '\n')
	checkBlockKit(t, raw)
	checkGolden(t, "send.slack.json", raw)

	// Again, for the same week: nothing goes out.
	rep, err = svc.Send(ctx, svc.LastWeek())
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Sent) != 0 || len(rep.Skipped) != 3 {
		t.Errorf("second send: sent %v, skipped %v; want nothing sent, 3 skipped", rep.Sent, rep.Skipped)
	}
	if n := len(f.smtp.Messages()); n != 2 {
		t.Errorf("the SMTP server has %d messages after sending again, want still 2", n)
	}
	if n := len(f.slack.Posts()); n != 1 {
		t.Errorf("%d Slack posts after sending again, want still 1", n)
	}
	recs, err := svc.Sends(ctx, Week{2026, 47})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range recs {
		if r.State != StateSent || r.Attempts != 1 || r.SentAt.IsZero() {
			t.Errorf("record %+v, want sent once", r)
		}
	}
}

func TestSendRetriesAfterSMTPIsDown(t *testing.T) {
	f := newFixture(t)
	svc := f.service(t, nil)
	ctx := withTimeout(t)
	w := svc.LastWeek()

	f.smtp.down.Store(true)
	rep, err := svc.Send(ctx, w)
	if err == nil {
		t.Fatal("sending through a server that is down did not fail")
	}
	if len(rep.Failed) != 2 || !slices.Equal(rep.Sent, []string{"slack:#eng-digest"}) {
		t.Errorf("failed %v, sent %v; want both emails failed and Slack sent", rep.Failed, rep.Sent)
	}
	recs, err := svc.Sends(ctx, w)
	if err != nil {
		t.Fatal(err)
	}
	failed := 0
	for _, r := range recs {
		if r.Channel == ChannelEmail {
			if r.State != StateFailed || r.LastError == "" {
				t.Errorf("record %+v, want failed with the error", r)
			}
			failed++
		}
	}
	if failed != 2 {
		t.Errorf("%d email records, want 2", failed)
	}
	if pending, err := svc.Pending(ctx, w); err != nil || !pending {
		t.Errorf("Pending = %v, %v; want true", pending, err)
	}

	f.smtp.down.Store(false)
	f.clock.Set(f.clock.Now().Add(15 * time.Minute))
	rep, err = svc.Send(ctx, w)
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Sent) != 2 || !slices.Equal(rep.Skipped, []string{"slack:#eng-digest"}) {
		t.Errorf("retry sent %v, skipped %v; want the 2 emails, Slack skipped", rep.Sent, rep.Skipped)
	}
	if n := len(f.smtp.Messages()); n != 2 {
		t.Errorf("the SMTP server has %d messages, want 2", n)
	}
	if n := len(f.slack.Posts()); n != 1 {
		t.Errorf("%d Slack posts, want 1", n)
	}
	recs, _ = svc.Sends(ctx, w)
	for _, r := range recs {
		want := 2
		if r.Channel == ChannelSlack {
			want = 1
		}
		if r.State != StateSent || r.Attempts != want || r.LastError != "" {
			t.Errorf("record %+v, want sent after %d attempts", r, want)
		}
	}
	if pending, _ := svc.Pending(ctx, w); pending {
		t.Error("still pending after the retry")
	}
}

func TestSendFromTwoProcessesSendsOnce(t *testing.T) {
	f := newFixture(t)
	other := openStore(t, f.path) // a second handle on the file, as `callboard digest --send` next to `serve`
	svcs := []*Service{f.service(t, nil), f.service(t, other)}
	ctx := withTimeout(t)
	var wg sync.WaitGroup
	reps := make([]Report, 2)
	errs := make([]error, 2)
	for i, svc := range svcs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			reps[i], errs[i] = svc.Send(ctx, Week{2026, 47})
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	if n := len(reps[0].Sent) + len(reps[1].Sent); n != 3 {
		t.Errorf("%d sends between the two, want 3: %+v", n, reps)
	}
	if n := len(f.smtp.Messages()); n != 2 {
		t.Errorf("the SMTP server received %d messages, want 2", n)
	}
	if n := len(f.slack.Posts()); n != 1 {
		t.Errorf("%d Slack posts, want 1", n)
	}
}

func TestSlackFailureIsRecorded(t *testing.T) {
	f := newFixture(t)
	svc := f.service(t, nil)
	f.slack.fail.Store(true)
	rep, err := svc.Send(withTimeout(t), Week{2026, 47})
	if err == nil || !strings.Contains(err.Error(), "channel_not_found") {
		t.Fatalf("err %v, want Slack's channel_not_found", err)
	}
	if !slices.Equal(rep.Failed, []string{"slack:#eng-digest"}) {
		t.Errorf("failed %v", rep.Failed)
	}
}

func TestDigestPage(t *testing.T) {
	f := newFixture(t)
	svc := f.service(t, nil)
	h := svc.PageHandler()
	for _, tc := range []struct {
		query    string
		code     int
		contains string
	}{
		{"", 200, "2026-W48"}, // this week, so far: the Sunday 23:30 UTC event
		{"?week=2026-W47", 200, "14 events by 7 people"},
		{"?week=2026-W99", 400, "2026 has weeks 1 to 53"},
	} {
		rec := httptestRecorder(h, "GET", "/digest"+tc.query)
		if rec.Code != tc.code || !strings.Contains(rec.Body.String(), tc.contains) {
			t.Errorf("GET /digest%s: %d, want %d with %q:\n%.400s", tc.query, rec.Code, tc.code, tc.contains, rec.Body.String())
		}
		if tc.code == 200 {
			if csp := rec.Header().Get("Content-Security-Policy"); !strings.Contains(csp, "default-src 'none'") {
				t.Errorf("CSP %q", csp)
			}
			if !bytes.Contains(rec.Body.Bytes(), []byte("1 event by 1 person")) && tc.query == "" {
				t.Errorf("this week's page lacks its one event")
			}
		}
	}
}
