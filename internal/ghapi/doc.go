// Package ghapi is what callboard's two GitHub adapters (githubapp's
// handlers and workers, scaffold's GitHub client) share about GitHub's API:
// one classification of its failures (Classify: try again, wait until
// GitHub says, give up, not found) and the sticky comment (a comment found
// by its marker among the App's own comments and edited in place), and
// the sending of a GraphQL request (GraphQLRequest).
//
// It decides nothing about what a caller does next: the delivery queue, the
// missed-delivery check and the scaffolder each read the same
// classification with their own policy.
package ghapi
