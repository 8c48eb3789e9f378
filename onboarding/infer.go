package onboarding

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/callboard/callboard/catalog"
)

// Branch is the branch every onboarding pull request comes from.
const Branch = "callboard/catalog-info"

// Facts is what callboard knows about one repository when it proposes a file.
type Facts struct {
	Repo          string // org/repo
	Description   string
	Topics        []string
	Language      string // the main language GitHub detected
	Homepage      string
	DefaultBranch string
	CreatedAt     time.Time
	PushedAt      time.Time

	// Files are the paths on the default branch that say what the
	// repository is (see Signals); the rest of the tree is not kept.
	Files []string
	// Codeowners is the repository's CODEOWNERS as stored, at CodeownersPath.
	Codeowners     *catalog.Codeowners
	CodeownersPath string
	// TeamPermissions are the teams with access: slug -> pull, triage,
	// push, maintain or admin.
	TeamPermissions map[string]string
	// Committers are the GitHub logins of the last 90 days' commits on the
	// default branch, one per commit (nil when not read).
	Committers []string
}

// Org is what callboard knows about the organisation: its groups, who is in
// them, and the systems each owns.
type Org struct {
	// Groups by lower-case name (a GitHub team's slug).
	Groups map[string]Group
	// MemberOf lists, by lower-case login, the groups a person is in.
	MemberOf map[string][]string
	// Systems lists, by owner ref (group:default/NAME), the systems it owns.
	Systems map[string][]string
}

// Group is a catalog group, as an owner.
type Group struct {
	Ref      string // group:default/NAME
	Name     string
	Title    string
	TeamSlug string // org/slug of the GitHub team it came from, "" for none
}

// Evidence is one inferred field and why.
type Evidence struct {
	Field string // spec.owner, spec.type, ...
	Value string
	Why   string
}

// Proposal is what callboard proposes to one repository.
type Proposal struct {
	Repo     string
	Owner    string // group:default/NAME ("" when none could be inferred)
	Team     string // the owner's name, as the title says it
	Evidence []Evidence
	File     []byte // catalog-info.yaml
	Title    string
	Body     string
}

// NeedsOwner reports a repository no owner could be inferred for: no pull
// request, it is listed as "needs an owner".
func (p *Proposal) NeedsOwner() bool { return p.Owner == "" }

func inferLifecycle(f Facts, typ Evidence, now time.Time) Evidence {
	e := Evidence{Field: "spec.lifecycle"}
	young := !f.CreatedAt.IsZero() && now.Sub(f.CreatedAt) < 90*24*time.Hour
	recent := !f.PushedAt.IsZero() && now.Sub(f.PushedAt) < 30*24*time.Hour
	deployed := deployWorkflow(f.Files) != ""
	switch {
	case young:
		e.Value, e.Why = "experimental", fmt.Sprintf("the repository was created on %s, less than 90 days ago", f.CreatedAt.UTC().Format(time.DateOnly))
	case deployed:
		e.Value, e.Why = "production", "a workflow deploys it"
	case recent:
		e.Value, e.Why = "production", fmt.Sprintf("it is older than 90 days and was pushed to on %s, within the last 30 days", f.PushedAt.UTC().Format(time.DateOnly))
	default:
		e.Value, e.Why = "experimental", "it is not deployed by a workflow and has had no push in the last 30 days"
	}
	return e
}

// inferOwner follows the evidence chain: the CODEOWNERS owner of the root,
// the team with admin (then maintain) permission, the team of most of the
// last 90 days' committers. Each step that found nothing usable says why.
func inferOwner(f Facts, org Org) (Group, Evidence, []string) {
	var notes []string
	if f.Codeowners != nil {
		if rule, ok := f.Codeowners.Match("catalog-info.yaml"); ok {
			for _, o := range rule.Owners {
				slug := catalog.TeamSlug(o)
				if slug == "" {
					continue
				}
				_, team, _ := strings.Cut(slug, "/")
				if g, ok := org.Groups[strings.ToLower(team)]; ok {
					return g, Evidence{Field: "spec.owner", Value: g.Ref,
						Why: fmt.Sprintf("`%s` line %d (%s) makes %s the owner of the repository's root", f.CodeownersPath, rule.Line, codeHandle(rule.Pattern+" "+strings.Join(rule.Owners, " ")), codeHandle(o))}, notes
				}
				notes = append(notes, fmt.Sprintf("CODEOWNERS names %s, which is not a team the catalog knows", codeHandle(o)))
			}
		}
	}
	for _, level := range []string{"admin", "maintain"} {
		var teams []string
		for slug, p := range f.TeamPermissions {
			if _, ok := org.Groups[strings.ToLower(slug)]; ok && p == level {
				teams = append(teams, strings.ToLower(slug))
			}
		}
		if len(teams) == 0 {
			continue
		}
		slices.Sort(teams)
		g := org.Groups[teams[0]]
		why := fmt.Sprintf("the team `%s` has %s permission on the repository", teams[0], level)
		if len(teams) > 1 {
			why += fmt.Sprintf(" (so do %s; the first by name was taken)", strings.Join(quote(teams[1:]), ", "))
		}
		return g, Evidence{Field: "spec.owner", Value: g.Ref, Why: why}, notes
	}
	if g, why, ok := committersTeam(f.Committers, org); ok {
		return g, Evidence{Field: "spec.owner", Value: g.Ref, Why: why}, notes
	}
	return Group{}, Evidence{}, notes
}

// committersTeam is the team most of the last 90 days' committers are in
// (more than half of the distinct people).
func committersTeam(commits []string, org Org) (Group, string, bool) {
	people := map[string]bool{}
	for _, c := range commits {
		if c != "" {
			people[strings.ToLower(c)] = true
		}
	}
	if len(people) == 0 {
		return Group{}, "", false
	}
	count := map[string]int{}
	for p := range people {
		for _, g := range org.MemberOf[p] {
			count[g]++
		}
	}
	best := ""
	for g, n := range count {
		if n > count[best] || n == count[best] && best != "" && g < best {
			best = g
		}
	}
	if best == "" || count[best]*2 <= len(people) {
		return Group{}, "", false
	}
	g, ok := org.Groups[best]
	if !ok {
		return Group{}, "", false
	}
	return g, fmt.Sprintf("%d of the %d people who committed in the last 90 days are in `%s`", count[best], len(people), best), true
}

func inferSystem(owner string, org Org) (Evidence, bool) {
	systems := org.Systems[owner]
	if len(systems) != 1 {
		return Evidence{}, false
	}
	return Evidence{Field: "spec.system", Value: systems[0],
		Why: fmt.Sprintf("`%s` owns exactly one system, `%s`", strings.TrimPrefix(owner, "group:default/"), systems[0])}, true
}

// Infer proposes a catalog file for one repository, or returns a proposal
// without an owner (NeedsOwner) when the evidence names none.
func Infer(f Facts, org Org, now time.Time) (*Proposal, error) {
	p := &Proposal{Repo: f.Repo}
	g, owner, notes := inferOwner(f, org)
	if g.Ref == "" {
		p.Evidence = append(p.Evidence, Evidence{Field: "spec.owner", Why: ownerlessWhy(f, notes)})
		return p, nil
	}
	p.Owner, p.Team = g.Ref, g.Name
	typ := inferType(f)
	life := inferLifecycle(f, typ, now)
	p.Evidence = append(p.Evidence, owner, typ, life)
	sys, hasSystem := inferSystem(g.Ref, org)
	if hasSystem {
		p.Evidence = append(p.Evidence, sys)
	}
	_, repoName, _ := strings.Cut(f.Repo, "/")
	doc := fileDoc{APIVersion: "backstage.io/v1alpha1", Kind: "Component"}
	doc.Metadata.Name = Name(repoName)
	doc.Metadata.Description = strings.TrimSpace(f.Description)
	doc.Metadata.Tags = Tags(f.Topics, f.Language)
	doc.Metadata.Annotations = map[string]string{catalog.AnnotationProjectSlug: f.Repo}
	if has(f.Files, mkdocsFiles) != "" {
		doc.Metadata.Annotations[catalog.AnnotationTechDocsRef] = "dir:."
	}
	if h := homepage(f.Homepage); h != "" {
		doc.Metadata.Links = []fileLink{{URL: h, Title: "Homepage"}}
	}
	doc.Spec.Type, doc.Spec.Lifecycle, doc.Spec.Owner = typ.Value, life.Value, "group:"+g.Name
	if hasSystem {
		doc.Spec.System = sys.Value
	}
	file, err := encodeFile(doc)
	if err != nil {
		return nil, fmt.Errorf("writing the catalog file of %s: %w", f.Repo, err)
	}
	p.File = file
	p.Title = fmt.Sprintf("Add catalog-info.yaml (owned by %s)", g.Name)
	if p.Body, err = renderBody(p, f, doc, notes); err != nil {
		return nil, err
	}
	return p, nil
}

func ownerlessWhy(f Facts, notes []string) string {
	var why []string
	if f.Codeowners == nil {
		why = append(why, "no CODEOWNERS file")
	}
	why = append(why, notes...)
	why = append(why, "no team has admin or maintain permission")
	if len(f.Committers) == 0 {
		why = append(why, "no commits by a person in the last 90 days")
	} else {
		why = append(why, "no team holds most of the last 90 days' committers")
	}
	return strings.Join(why, "; ")
}
