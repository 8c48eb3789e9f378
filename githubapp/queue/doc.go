// Package queue is the durable queue of GitHub webhook deliveries: a
// delivery is stored (group commit: concurrent requests share one
// transaction, and each answers only once its row is durable) before
// GitHub is answered; workers then run the handler, concurrently across
// ordering keys (a repository, an organisation) and in order within one,
// retrying what failed with backoff, or as long as GitHub's rate limits
// say, and parking what cannot succeed. A delivery interrupted by a crash
// resumes at the next start (and is parked when it was interrupted twice);
// missed deliveries are asked of GitHub again; old payloads and rows are
// pruned.
//
// It knows deliveries, not events: what a delivery means is the handler's
// (package githubapp), which ends it with nil (done), Ignored (nothing to
// do, and why), ghapi.Permanent (parked at once) or any other error
// (retried).
package queue
