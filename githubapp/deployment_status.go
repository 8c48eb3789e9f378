package githubapp

import (
	"context"

	"github.com/callboard/callboard/githubapp/queue"
	"github.com/google/go-github/v62/github"
)

// deploymentStatusHandler records successful deployments, for the KPIs
// (production deploys per developer, lead time for changes). Which
// environments are production is decided when the KPIs are read.
type deploymentStatusHandler struct{ rec KPIRecorder }

func (h deploymentStatusHandler) handle(ctx context.Context, d delivery[github.DeploymentStatusEvent]) error {
	ev := d.Event
	st, dep := ev.GetDeploymentStatus(), ev.GetDeployment()
	if st.GetState() != "success" {
		return queue.Ignored("deployment " + st.GetState() + ", not a success")
	}
	env := st.GetEnvironment()
	if env == "" {
		env = dep.GetEnvironment()
	}
	at := st.GetCreatedAt().Time
	if at.IsZero() {
		at = d.ReceivedAt
	}
	if dep.GetID() == 0 || dep.GetSHA() == "" || ev.GetRepo().GetFullName() == "" {
		return queue.Ignored("names no deployment, commit or repository")
	}
	return h.rec.RecordDeploy(ctx, ev.GetRepo().GetFullName(), dep.GetID(), dep.GetSHA(), env, at)
}
