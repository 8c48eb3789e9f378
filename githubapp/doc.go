// Package githubapp is callboard's GitHub App: the webhook receiver, the
// installation clients, and one handler per event — installation,
// installation_repositories, push, repository, team, membership,
// organization (the catalog kept current), pull_request, check_run,
// check_suite (the ownership and docs check), issues (scaffold requests,
// handed to the Scaffolder cmd/callboard builds).
//
// A delivery is verified and stored in the durable queue (package
// githubapp/queue) before GitHub gets its answer; the queue's workers then
// call App.handle, which finds the event's handler in a map by event name
// and gives it the payload decoded as go-github's type and a logger that
// names the delivery. Each handler holds only the collaborators it uses.
// Handlers read what the payload and the database already know, and call
// GitHub only for the files a change touched.
package githubapp
