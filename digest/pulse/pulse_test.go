package pulse

import (
	"bytes"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/callboard/callboard/sqlite"
	"github.com/slack-go/slack"
)

func openStore(t *testing.T) *Store {
	t.Helper()
	db, err := sqlite.Open(t.Context(), filepath.Join(t.TempDir(), "callboard.db"), sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if _, err := db.Migrate(t.Context()); err != nil {
		t.Fatal(err)
	}
	return NewStore(db)
}

func TestRecord(t *testing.T) {
	s := openStore(t)
	ctx := t.Context()
	start := time.Date(2026, 12, 7, 10, 0, 0, 0, time.UTC)
	now := start.Add(time.Hour)
	s.Now = func() time.Time { return now }
	if _, err := s.StartRound(ctx, "r1", start, 10); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name string
		a    Answer
		want Outcome
		err  bool
	}{
		{"comment before a score", Answer{Round: "r1", Team: "T1", User: "U1", Score: -1, Comment: "hi"}, 0, true},
		{"a score", Answer{Round: "r1", Team: "T1", User: "U1", Score: 8}, Recorded, false},
		{"a second score", Answer{Round: "r1", Team: "T1", User: "U1", Score: 2}, Already, false},
		{"the same user id in another workspace", Answer{Round: "r1", Team: "T2", User: "U1", Score: 2}, Recorded, false},
		{"a comment", Answer{Round: "r1", Team: "T1", User: "U1", Score: -1, Comment: "  fine  "}, CommentAdded, false},
		{"a score of 11", Answer{Round: "r1", Team: "T1", User: "U9", Score: 11}, 0, true},
		{"no user", Answer{Round: "r1", Team: "T1", Score: 5}, 0, true},
		{"an unknown round", Answer{Round: "r0", Team: "T1", User: "U1", Score: 5}, NoRound, false},
	} {
		got, err := s.Record(ctx, c.a)
		if (err != nil) != c.err || got != c.want {
			t.Errorf("%s: %v, %v; want %v (error %v)", c.name, got, err, c.want, c.err)
		}
	}
	now = start.Add(RoundOpen + time.Minute)
	if got, _ := s.Record(ctx, Answer{Round: "r1", Team: "T1", User: "U5", Score: 5}); got != Closed {
		t.Errorf("after two weeks: %v, want Closed", got)
	}
	rounds, err := s.PulseRounds(ctx, start.Add(-time.Hour))
	if err != nil || len(rounds) != 1 || len(rounds[0].Scores) != 2 || rounds[0].Asked != 10 {
		t.Fatalf("rounds %+v (%v), want one with 2 scores of 10 asked", rounds, err)
	}
	// A person's key differs from round to round: rounds cannot be joined
	// to follow someone.
	a, b := respondent([]byte("salt-1"), "T1", "U1"), respondent([]byte("salt-2"), "T1", "U1")
	if bytes.Equal(a, b) {
		t.Error("the same key in two rounds")
	}
}

func TestParseAction(t *testing.T) {
	cb := func(id, block, value string) slack.InteractionCallback {
		var c slack.InteractionCallback
		c.Type = slack.InteractionTypeBlockActions
		c.User.ID, c.Team.ID = "U1", "T1"
		c.ActionCallback.BlockActions = []*slack.BlockAction{{ActionID: id, BlockID: block, Value: value}}
		return c
	}
	for _, c := range []struct {
		name    string
		cb      slack.InteractionCallback
		want    Answer
		ok, err bool
	}{
		{"a score", cb(ActionScore+"_7", "callboard_pulse:r1:scores", "r1:7"), Answer{Round: "r1", Team: "T1", User: "U1", Score: 7}, true, false},
		{"a comment", cb(ActionComment, "callboard_pulse:r1", "slow CI"), Answer{Round: "r1", Team: "T1", User: "U1", Score: -1, Comment: "slow CI"}, true, false},
		{"a forged score", cb(ActionScore+"_7", "x", "r1:70"), Answer{}, true, true},
		{"no round", cb(ActionScore+"_7", "x", ":7"), Answer{}, true, true},
		{"someone else's button", cb("share", "x", "{}"), Answer{}, false, false},
	} {
		got, ok, err := ParseAction(c.cb)
		if ok != c.ok || (err != nil) != c.err || got != c.want {
			t.Errorf("%s: %+v %v %v, want %+v %v error %v", c.name, got, ok, err, c.want, c.ok, c.err)
		}
	}
	text, blocks := Message("r1")
	if text == "" || len(blocks) != 4 {
		t.Fatalf("message: %q, %d blocks", text, len(blocks))
	}
	if n := len(blocks[1].(*slack.ActionBlock).Elements.ElementSet); n != 11 {
		t.Errorf("%d buttons, want 11 (0 to 10)", n)
	}
}

// TestAsk: a round starts, counting the channel's members as asked, and its
// question is posted there with the eleven buttons.
func TestAsk(t *testing.T) {
	s := openStore(t)
	var posted url.Values
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_ = r.ParseForm()
		w.Header().Set("Content-Type", "application/json")
		switch r.URL.Path {
		case "/api/conversations.info":
			fmt.Fprint(w, `{"ok":true,"channel":{"id":"C1","num_members":42}}`)
		case "/api/chat.postMessage":
			posted = r.PostForm
			fmt.Fprint(w, `{"ok":true,"channel":"C1","ts":"1.2"}`)
		default:
			http.NotFound(w, r)
		}
	}))
	defer srv.Close()
	api := slack.New("xoxb-test", slack.OptionAPIURL(srv.URL+"/api/"))
	now := time.Date(2027, 1, 1, 10, 0, 0, 0, time.UTC)
	round, err := (&Survey{Store: s}).Ask(t.Context(), api, "C1", now)
	if err != nil || round != "2027-01-01" {
		t.Fatalf("round %q, %v", round, err)
	}
	if posted.Get("channel") != "C1" || strings.Count(posted.Get("blocks"), ActionScore+"_") != 11 {
		t.Errorf("posted %v", posted)
	}
	// A second firing the same day asks nothing again.
	posted = nil
	if _, err := (&Survey{Store: s}).Ask(t.Context(), api, "C1", now.Add(time.Minute)); err != nil || posted != nil {
		t.Errorf("the same day's round was posted twice (%v)", err)
	}
	rounds, _ := s.PulseRounds(t.Context(), now.Add(-time.Hour))
	if len(rounds) != 1 || rounds[0].Asked != 42 {
		t.Errorf("rounds %+v, want one with 42 asked", rounds)
	}
}
