package githubapp

import (
	"context"
	"encoding/json"
	"log/slog"
	"strings"
	"time"

	"github.com/callboard/callboard/catalog"
	"github.com/callboard/callboard/githubapp/queue"
	"github.com/google/go-github/v62/github"
)

// KPIRecorder stores the facts the adoption KPIs are computed from (the
// digest's *digest.Store satisfies it). Every method must be idempotent: a
// delivery may be handled again.
type KPIRecorder interface {
	RecordMergeCommit(ctx context.Context, repo string, number int, sha string) error
	RecordJoin(ctx context.Context, login string, at time.Time) error
	RecordDeploy(ctx context.Context, repo string, id int64, sha, environment string, at time.Time) error
	RecordRepo(ctx context.Context, repo, language string, created, seen time.Time) error
	// RecordStacks stores what repositories are built with (language
	// bytes, root manifests), a backfill's batch in one go.
	RecordStacks(ctx context.Context, stacks []catalog.RepoStack, seen time.Time) error
}

// kpiTaps are the events whose payloads also carry KPI facts, beside what
// their own handler does with them.
var kpiTaps = map[string]func(ctx context.Context, rec KPIRecorder, d *queue.Delivery) error{
	"pull_request": func(ctx context.Context, rec KPIRecorder, d *queue.Delivery) error {
		var ev github.PullRequestEvent
		if json.Unmarshal(d.Payload, &ev) != nil || ev.GetAction() != "closed" || !ev.GetPullRequest().GetMerged() {
			return nil
		}
		pr := ev.GetPullRequest()
		if pr.GetMergeCommitSHA() == "" {
			return nil
		}
		return rec.RecordMergeCommit(ctx, ev.GetRepo().GetFullName(), pr.GetNumber(), pr.GetMergeCommitSHA())
	},
	"organization": func(ctx context.Context, rec KPIRecorder, d *queue.Delivery) error {
		var ev github.OrganizationEvent
		if json.Unmarshal(d.Payload, &ev) != nil || ev.GetAction() != "member_added" {
			return nil
		}
		return recordJoin(ctx, rec, ev.GetMembership().GetUser().GetLogin(), d.ReceivedAt)
	},
	"membership": func(ctx context.Context, rec KPIRecorder, d *queue.Delivery) error {
		var ev github.MembershipEvent
		if json.Unmarshal(d.Payload, &ev) != nil || ev.GetAction() != "added" {
			return nil
		}
		return recordJoin(ctx, rec, ev.GetMember().GetLogin(), d.ReceivedAt)
	},
	// A push names its repository's primary language too: every active
	// repository's language, with no API call.
	"push": func(ctx context.Context, rec KPIRecorder, d *queue.Delivery) error {
		var ev github.PushEvent
		if json.Unmarshal(d.Payload, &ev) != nil || ev.GetRepo().GetFullName() == "" || ev.GetRepo().GetLanguage() == "" {
			return nil
		}
		return rec.RecordRepo(ctx, ev.GetRepo().GetFullName(), ev.GetRepo().GetLanguage(), time.Time{}, d.ReceivedAt)
	},
	"repository": func(ctx context.Context, rec KPIRecorder, d *queue.Delivery) error {
		var ev github.RepositoryEvent
		if json.Unmarshal(d.Payload, &ev) != nil || ev.GetRepo().GetFullName() == "" || ev.GetAction() == "deleted" {
			return nil
		}
		r := ev.GetRepo()
		var created time.Time
		if ev.GetAction() == "created" {
			created = r.GetCreatedAt().Time
		}
		return rec.RecordRepo(ctx, r.GetFullName(), r.GetLanguage(), created, d.ReceivedAt)
	},
}

func recordJoin(ctx context.Context, rec KPIRecorder, login string, at time.Time) error {
	if login == "" || isBotLogin(login) {
		return nil
	}
	return rec.RecordJoin(ctx, login, at)
}

func isBotLogin(login string) bool { return strings.HasSuffix(strings.ToLower(login), "[bot]") }

// kpiTapped records a delivery's KPI facts, then hands it to its handler.
// The facts are recorded first and idempotently, so a handler that fails
// and is retried records nothing twice.
type kpiTapped struct {
	rec  KPIRecorder
	tap  func(ctx context.Context, rec KPIRecorder, d *queue.Delivery) error
	next handler
}

func (h kpiTapped) handle(ctx context.Context, d *queue.Delivery, log *slog.Logger) error {
	if err := h.tap(ctx, h.rec, d); err != nil {
		return err
	}
	return h.next.handle(ctx, d, log)
}

// withKPIs taps the handlers of the events that carry KPI facts, re-reads
// the manifests a push touched (through graphql, with cs), and adds the one
// event only the KPIs use (deployment_status).
func withKPIs(rec KPIRecorder, hs map[string]handler, cs *clients, graphql string) map[string]handler {
	if rec == nil {
		return hs
	}
	for event, tap := range kpiTaps {
		if next, ok := hs[event]; ok {
			hs[event] = kpiTapped{rec: rec, tap: tap, next: next}
		}
	}
	if next, ok := hs["push"]; ok {
		hs["push"] = manifestTapped{rec: rec, clients: cs, graphql: graphql, next: next}
	}
	hs["deployment_status"] = on[github.DeploymentStatusEvent](deploymentStatusHandler{rec: rec}.handle)
	return hs
}
