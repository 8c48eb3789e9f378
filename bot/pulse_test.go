package bot

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/callboard/callboard/digest/kpi"
	"github.com/callboard/callboard/digest/pulse"
	"github.com/callboard/callboard/internal/testcatalog"
)

// TestPulseAnswersFromSignedInteractions: presses on the DX pulse survey's
// buttons, as Slack posts them (signed), record one answer per person per
// round, tell each person alone what became of theirs, and leave nothing in
// the database that names anyone.
func TestPulseAnswersFromSignedInteractions(t *testing.T) {
	db, st := testcatalog.DemoDB(t)
	ps := pulse.NewStore(db)
	ps.Now = func() time.Time { return testNow }
	f := newFakeSlack(t)
	b := newTestBot(t, Config{Catalog: st, Usage: st, BotToken: testBotToken, APIURL: f.apiURL(),
		HTTPClient: f.Client(), AllowResponseURL: f.allowHooks, Pulse: &pulse.Survey{Store: ps}})
	const round = "2026-12-07"
	if _, err := ps.StartRound(t.Context(), round, testNow.Add(-time.Hour), 12); err != nil {
		t.Fatal(err)
	}
	press := func(user string, score int) *http.Request {
		return signedInteraction(t, payload(t, "block_actions.json", map[string]any{
			"user.id": user, "container.thread_ts": nil,
			"actions": []any{map[string]any{"action_id": fmt.Sprintf("%s_%d", pulse.ActionScore, score), "block_id": "callboard_pulse:" + round + ":scores",
				"type": "button", "value": fmt.Sprintf("%s:%d", round, score), "action_ts": "1548426417.840180"}},
		}))
	}
	reply := func(user string) string {
		t.Helper()
		c := f.wait("chat.postEphemeral")
		if c.field("user") != user {
			t.Errorf("the answer to %s's press went to %s", user, c.field("user"))
		}
		return c.blocksText(t)
	}
	// Six people answer 7, 9, 10, 3, 8, 6.
	scores := map[string]int{"U0P1": 7, "U0P2": 9, "U0P3": 10, "U0P4": 3, "U0P5": 8, "U0P6": 6}
	for _, u := range []string{"U0P1", "U0P2", "U0P3", "U0P4", "U0P5", "U0P6"} {
		if w := serve(b.Interactions(), press(u, scores[u])); w.Code != http.StatusOK {
			t.Fatalf("press by %s: %d", u, w.Code)
		}
		if got := reply(u); !strings.Contains(got, fmt.Sprintf("your %d is recorded", scores[u])) {
			t.Errorf("%s was told %q", u, got)
		}
	}
	// A second press by the same person changes nothing.
	serve(b.Interactions(), press("U0P4", 10))
	if got := reply("U0P4"); !strings.Contains(got, "answered this round already") {
		t.Errorf("a second press was answered %q", got)
	}
	// A comment, sent from the box with Enter, goes with the answer.
	comment := signedInteraction(t, payload(t, "block_actions.json", map[string]any{
		"user.id": "U0P2", "container.thread_ts": nil,
		"actions": []any{map[string]any{"action_id": pulse.ActionComment, "block_id": "callboard_pulse:" + round,
			"type": "plain_text_input", "value": "CI is slow on Mondays", "action_ts": "1548426417.840181"}},
	}))
	serve(b.Interactions(), comment)
	if got := reply("U0P2"); !strings.Contains(got, "comment is recorded") {
		t.Errorf("the comment was answered %q", got)
	}
	// Unsigned, a press is refused before it is read.
	unsigned := press("U0P7", 0)
	unsigned.Header.Set("X-Slack-Signature", "v0=00")
	if w := serve(b.Interactions(), unsigned); w.Code != http.StatusUnauthorized {
		t.Errorf("unsigned press: %d, want 401", w.Code)
	}
	b.Close(context.Background())

	rounds, err := ps.PulseRounds(t.Context(), testNow.AddDate(0, 0, -1))
	if err != nil {
		t.Fatal(err)
	}
	if len(rounds) != 1 || len(rounds[0].Scores) != 6 || rounds[0].Asked != 12 {
		t.Fatalf("rounds %+v, want one of 6 answers of 12 asked", rounds)
	}
	sum := 0
	for _, s := range rounds[0].Scores {
		sum += s
	}
	if sum != 43 { // 7+9+10+3+8+6: U0P4's second press (10) did not count
		t.Errorf("scores %v sum to %d, want 43", rounds[0].Scores, sum)
	}
	// Nothing stored names a person: the Slack ids are nowhere in the tables.
	rows, err := db.Query(t.Context(), `SELECT round, respondent, comment FROM pulse_answers`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var r, c string
		var who []byte
		if err := rows.Scan(&r, &who, &c); err != nil {
			t.Fatal(err)
		}
		if bytes.Contains(who, []byte("U0P")) || strings.Contains(c, "U0P") || strings.Contains(c, "T0ACME") {
			t.Errorf("an answer names someone: %q %q", who, c)
		}
	}
	// The KPI: mean 43/6 = 7.17; promoters (9, 10) 2, detractors (3, 6) 2:
	// eNPS 0; 6 of 12 asked: 50 %.
	fig := kpi.Compute(&kpi.Facts{Pulse: rounds}, testNow.Add(time.Hour))
	for _, s := range fig {
		if s.Key != "dx_pulse" {
			continue
		}
		this := s.This()
		if this.Value == nil || *this.Value != 7.17 || len(this.Parts) != 2 || *this.Parts[0].Value != 0 || *this.Parts[1].Value != 50 {
			t.Errorf("DX pulse %+v, want 7.17, eNPS 0, response rate 50", this)
		}
	}
}
