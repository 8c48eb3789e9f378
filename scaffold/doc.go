// Package scaffold runs Backstage Software Templates from GitHub issue forms.
//
// It owns the runner. An issue opened from a template's form (package
// issueform makes the form and reads the answers) is checked, planned
// (MakePlan) and, once accepted, its steps create the service:
// fetch:template renders the skeleton from the template's repository,
// publish:github creates the repository with every file in one commit,
// catalog:register ingests its catalog file. Service keeps each request's
// progress in the database, so a failure resumes where it stopped and a
// request never creates two repositories.
//
// The comments written on a request (refused, running, stopped, ready) are
// templates/comments.md.tmpl, run by comment.go.
//
// Step inputs and skeleton files are rendered by package nunjucks, as
// Backstage's scaffolder renders them, within a budget. Planning is pure;
// GitHub is reached through the small GitHub interface, given with each
// request (Client adapts go-github; githubapp adds what only the App can do:
// installation permissions, registering the new repository), and the
// requests table through Store.
package scaffold
