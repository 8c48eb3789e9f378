// Package githubapp is callboard's GitHub App: the webhook receiver, the
// durable delivery queue and its workers, installation clients, and the
// handlers that keep the catalog current from push, repository, team,
// membership, organization and installation events.
//
// A delivery is verified, stored, and acknowledged; workers then process it
// in order per repository. Handlers read what the payload and the database
// already know, and call GitHub only for the files a change touched.
package githubapp
