// Package onboarding proposes a catalog file, by pull request, to every
// active repository that has none (ONBOARDING, issue 17).
//
// The rules are pure and tested without GitHub: Infer turns what callboard
// knows about a repository (Facts: its CODEOWNERS, its teams' permissions,
// its recent committers, its files, description, topics and homepage) and
// about the organisation (Org: groups, their members, their systems) into a
// Proposal — the file, the pull request's title and body, and the evidence
// for every inferred field — or says that no owner could be found.
//
// Service runs it: it picks the candidates, asks GitHub only for what the
// webhook payloads and the database do not already answer, keeps one pull
// request per repository from the branch callboard/catalog-info current
// while it is open, never reopens one that was closed without a merge, and
// paces itself (ONBOARDING_PER_HOUR, spread across teams, a reserve of
// GitHub's rate budget). Store keeps what was proposed (migration 0013).
package onboarding
