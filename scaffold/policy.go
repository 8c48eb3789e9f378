package scaffold

import (
	"fmt"
	"slices"
	"strings"

	"github.com/callboard/callboard/catalog"
)

// Policy is what the operator trusts scaffolding with. A Template is
// catalog data that any repository's catalog file may declare, and an issue
// can be opened by anyone who can see SCAFFOLD_REPO; the policy decides
// which of them may create repositories, from what.
type Policy struct {
	// TemplateRepos are org/repo patterns (catalog.Glob's globs, any case)
	// whose Templates may run (SCAFFOLD_TEMPLATE_REPOS). None: no template
	// runs.
	TemplateRepos []string
	// Sources are org/repo patterns a skeleton may be fetched from besides
	// the template's own repository (SCAFFOLD_SOURCES).
	Sources []string
	// AllowedTeams are the teams ("slug", or "org/slug") whose members may
	// request a service (SCAFFOLD_ALLOWED_TEAMS); none means any member of
	// the organisation.
	AllowedTeams []string
	// MaxVisibility is the most visible a new repository may be: private
	// (the default), internal or public (SCAFFOLD_MAX_VISIBILITY).
	MaxVisibility string
}

// WithDefaults fills in what the operator left unset: with no
// SCAFFOLD_TEMPLATE_REPOS, only the templates of the requests' own
// repository (SCAFFOLD_REPO, requestsRepo) run.
func (p Policy) WithDefaults(requestsRepo string) Policy {
	if len(p.TemplateRepos) == 0 && requestsRepo != "" {
		p.TemplateRepos = []string{requestsRepo}
	}
	return p
}

// Visibilities, least visible first.
var visibilities = []string{"private", "internal", "public"}

// ValidVisibility reports whether v is a repository visibility.
func ValidVisibility(v string) bool { return slices.Contains(visibilities, v) }

// ValidRepoPattern reports whether p is an org/repo pattern: two segments,
// each a name or a glob.
func ValidRepoPattern(p string) bool {
	o, r, ok := strings.Cut(p, "/")
	if !ok || o == "" || r == "" || strings.Contains(r, "/") {
		return false
	}
	return catalog.ValidGlob(p)
}

// matchRepo reports whether org/repo matches one of the patterns.
func matchRepo(patterns []string, fullName string) bool {
	fullName = strings.ToLower(fullName)
	for _, p := range patterns {
		if catalog.MatchGlob(strings.ToLower(p), fullName) {
			return true
		}
	}
	return false
}

func (p Policy) maxVisibility() string {
	if ValidVisibility(p.MaxVisibility) {
		return p.MaxVisibility
	}
	return "private"
}

// visibilityAllowed reports whether a repository may be created as v.
func (p Policy) visibilityAllowed(v string) bool {
	return slices.Index(visibilities, v) <= slices.Index(visibilities, p.maxVisibility())
}

// teams are the allowed teams in org, as slugs.
func (p Policy) teams(org string) []string {
	var out []string
	for _, t := range p.AllowedTeams {
		o, slug, ok := strings.Cut(t, "/")
		if !ok {
			slug = o
		} else if !strings.EqualFold(o, org) {
			continue
		}
		if slug != "" && !slices.Contains(out, strings.ToLower(slug)) {
			out = append(out, strings.ToLower(slug))
		}
	}
	return out
}

// whoMayAsk says who may request a service, for a refusal.
func (p Policy) whoMayAsk(org string) string {
	if len(p.AllowedTeams) == 0 {
		return fmt.Sprintf("members of the `%s` organisation", code(org))
	}
	teams := p.teams(org)
	if len(teams) == 0 {
		return "nobody: no team of SCAFFOLD_ALLOWED_TEAMS is in this organisation"
	}
	quoted := make([]string, len(teams))
	for i, t := range teams {
		quoted[i] = fmt.Sprintf("`%s/%s`", code(org), code(t))
	}
	if len(quoted) == 1 {
		return "members of the team " + quoted[0]
	}
	return "members of the teams " + strings.Join(quoted, ", ")
}

// templateRepo is the repository a Template was declared in ("" when it
// was not read from a repository on host).
func templateRepo(t *Template, host string) string {
	src, err := githubFolder(t.Location)
	if err != nil || !sameHost(t.Location, host) {
		return ""
	}
	return src.Repo
}

// templateAllowed reports whether t may run, and why not.
func (p Policy) templateAllowed(t *Template, host string) (bool, string) {
	repo := templateRepo(t, host)
	if repo == "" {
		return false, fmt.Sprintf("The template `%s` was not read from a repository, and callboard runs only templates from the repositories it is told to trust (`SCAFFOLD_TEMPLATE_REPOS`). Nothing was created.", t.Ref)
	}
	if !matchRepo(p.TemplateRepos, repo) {
		return false, fmt.Sprintf("The template `%s` comes from `%s`, and callboard runs only templates from the repositories it is told to trust (`SCAFFOLD_TEMPLATE_REPOS`). Nothing was created.", t.Ref, code(repo))
	}
	return true, ""
}

// workflowsDir holds GitHub Actions workflows: files there run with the
// repository's secrets, and writing them takes the workflows permission.
const workflowsDir = ".github/workflows/"

func inWorkflows(p string) bool { return strings.HasPrefix(p, workflowsDir) }
