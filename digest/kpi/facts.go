package kpi

import "time"

// Merge is a merged pull request.
type Merge struct {
	Repo     string // org/repo
	Number   int
	Author   string // GitHub login
	SHA      string // the merge commit; "" when it was not recorded
	MergedAt time.Time
}

// Join is when a person was first seen as a member of the organisation.
type Join struct {
	Login string
	At    time.Time
}

// Deploy is a successful deployment to a production environment.
type Deploy struct {
	Repo        string
	SHA         string // the deployed commit
	Environment string
	At          time.Time // when the deployment succeeded
}

// Repo is a repository as the KPIs see it.
type Repo struct {
	Name      string // org/repo
	FirstSeen time.Time
	Language  string // GitHub's primary language; "" when unknown
	// Languages are GitHub's language bytes (its ten largest languages);
	// nil when only the primary language is known.
	Languages map[string]int64
	// Frameworks are the dependencies its root manifests declare (see
	// Manifests), each with when callboard first saw it declared.
	Frameworks []Framework
	Template   string   // backstage.io/source-template of its entities; "" when none
	Systems    []string // the catalog Systems its entities belong to
	Domains    []string // the Domains of those Systems
	Owner      string   // the owning group's name (catalog), lower case; "" when unknown
	Created    time.Time
}

// Framework is one dependency a repository's manifest declares, as
// Dependencies names it, and when callboard first saw it there.
type Framework struct {
	Name  string
	Since time.Time
}

// Scaffold is a request to create a service from a template.
type Scaffold struct {
	Author    string
	Target    string    // org/repo to create
	Requested time.Time // when the request issue was received
}

// Use is one usage event.
type Use struct {
	Plugin string
	Actor  string
	At     time.Time
}

// PulseRound is one round of the DX pulse survey: how many people were
// asked and their scores, which name no one.
type PulseRound struct {
	Round  string
	Start  time.Time
	Asked  int
	Scores []int
}

// Facts is everything the KPIs are computed from.
type Facts struct {
	Merges  []Merge
	Joins   []Join
	Deploys []Deploy
	Repos   []Repo
	// RepoCreated is GitHub's creation time of repositories created while
	// callboard was watching (repository events, action created).
	RepoCreated map[string]time.Time
	Scaffolds   []Scaffold
	Usage       []Use
	// Teams maps a login (lower case) to the teams they are a member of.
	Teams map[string][]string
	// PlatformTeam is the team that builds the platform; "" when not set.
	PlatformTeam string
	// PluginOwners maps a plugin id to the team that owns it.
	PluginOwners map[string]string
	Pulse        []PulseRound
	// Since is when callboard began recording merges; a first merge within
	// Warmup of it may only be the first one callboard saw.
	Since time.Time
	// FirstMerge is each person's first merged pull request ever (login in
	// lower case), for when Merges holds only the recent ones.
	FirstMerge map[string]time.Time
}
