package githubapp

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"

	"github.com/callboard/callboard/githubapp/queue"
	"github.com/callboard/callboard/internal/ghapi"
	"github.com/callboard/callboard/sqlite"
	"github.com/google/go-github/v62/github"
)

// handler handles the deliveries of one event.
type handler interface {
	handle(ctx context.Context, d *queue.Delivery, log *slog.Logger) error
}

// delivery is one delivery being handled: as the queue stored it, its
// payload decoded as go-github's type for the event, and a logger whose
// lines name the delivery, event, installation and repository.
type delivery[T any] struct {
	*queue.Delivery
	Event *T
	Log   *slog.Logger
}

// on is a handler of one event's go-github type.
type on[T any] func(ctx context.Context, d delivery[T]) error

func (f on[T]) handle(ctx context.Context, d *queue.Delivery, log *slog.Logger) error {
	ev := new(T)
	if err := json.Unmarshal(d.Payload, ev); err != nil {
		if !json.Valid(d.Payload) {
			return ghapi.Permanent(fmt.Errorf("payload does not parse: %w", err))
		}
		return notUsed(d.Event)
	}
	return f(ctx, delivery[T]{Delivery: d, Event: ev, Log: log})
}

func notUsed(event string) error {
	return queue.Ignored(fmt.Sprintf("%s events are not used by callboard", event))
}

// eventHandlers is the handler of each event callboard acts on, each given
// only what it uses.
func (a *App) eventHandlers(st Store, reader Reader, db *sqlite.DB, sync *syncer) map[string]handler {
	usage := usageLog{rec: a.cfg.Usage, now: a.cfg.Now}
	checks := &prChecker{
		clients: a.clients, sync: sync, reader: reader, comments: prComments{db},
		strict: a.cfg.StrictChecks, baseURL: a.cfg.BaseURL, usage: usage, results: CheckResults{db},
	}
	scaffolder := issuesHandler{clients: a.clients, scaffolder: a.cfg.Scaffolder, repo: a.cfg.ScaffoldRepo, sync: sync, usage: usage}
	return map[string]handler{
		"ping": on[github.PingEvent](func(context.Context, delivery[github.PingEvent]) error {
			return queue.Ignored("ping: GitHub checking the webhook")
		}),
		"installation":              on[github.InstallationEvent](installationHandler{clients: a.clients, backfill: a.backfill, store: st}.handle),
		"installation_repositories": on[github.InstallationRepositoriesEvent](installationRepositoriesHandler{clients: a.clients, sync: sync, backfill: a.backfill}.handle),
		"push":                      on[github.PushEvent](pushHandler{clients: a.clients, sync: sync}.handle),
		"repository":                on[github.RepositoryEvent](repositoryHandler{clients: a.clients, sync: sync}.handle),
		"team":                      on[github.TeamEvent](teamHandler{sync: sync}.handle),
		"membership":                on[github.MembershipEvent](membershipHandler{sync: sync}.handle),
		"organization":              on[github.OrganizationEvent](organizationHandler{sync: sync}.handle),
		"pull_request":              on[github.PullRequestEvent](pullRequestHandler{checks: checks, results: CheckResults{db}, merges: a.cfg.Merges, onboarding: a.cfg.Onboarding, now: a.cfg.Now}.handle),
		"check_run":                 on[github.CheckRunEvent](checkRunHandler{checks: checks}.handle),
		"check_suite":               on[github.CheckSuiteEvent](checkSuiteHandler{checks: checks}.handle),
		"issues":                    on[github.IssuesEvent](scaffolder.handle),
	}
}

// handle runs the handler of a delivery's event.
func (a *App) handle(ctx context.Context, d *queue.Delivery) error {
	h, ok := a.handlers[d.Event]
	if !ok {
		return notUsed(d.Event)
	}
	log := a.log.With("delivery", d.DeliveryID, "event", d.Event, "installation", d.InstallationID, "repository", d.Repository)
	return h.handle(ctx, d, log)
}
