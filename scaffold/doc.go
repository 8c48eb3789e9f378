// Package scaffold runs Backstage Software Templates from GitHub issue forms.
//
// A Template entity (scaffolder.backstage.io/v1beta3) becomes an issue form
// (FormFor); an issue opened from that form is read back as GitHub renders it
// (ParseIssue), validated against the template's parameters, and, once
// accepted, the template's steps create the service: fetch:template renders
// the skeleton from the template's repository, publish:github creates the
// repository with every file in one commit, catalog:register ingests its
// catalog file. Service keeps each request's progress in the database, so a
// failure resumes where it stopped and a request never creates two
// repositories.
//
// Templates, forms, issue bodies, expressions and validation are pure; GitHub
// is reached through the small GitHub interface, given with each request
// (Client adapts go-github; githubapp adds what only the App can do:
// installation permissions, registering the new repository), and the
// requests table through Store.
package scaffold
