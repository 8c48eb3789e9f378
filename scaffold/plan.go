package scaffold

import (
	"cmp"
	"context"
	"fmt"
	"strings"

	"github.com/callboard/callboard/catalog"
	"github.com/callboard/callboard/scaffold/issueform"
	"github.com/callboard/callboard/scaffold/nunjucks"
)

// Plan is what running a template will do, worked out from the template and
// the answers before anything is created.
type Plan struct {
	Template *Template
	Params   map[string]any
	Owner    catalog.Ref // the new service's owner
	Fetches  []Fetch
	Publish  Publish
	// CatalogPath is the catalog file catalog:register ingests ("" when the
	// template has no catalog:register step).
	CatalogPath string
}

// Fetch is one fetch:template step: a folder of a repository, rendered.
type Fetch struct {
	Step   string
	Source Source
	Values map[string]any
	opts   fetchOptions
}

// Source is a folder in a GitHub repository. RefPath is what follows
// /blob/ or /tree/ in its URL: the branch, then the folder, which cannot be
// told apart without asking GitHub for the repository's branches.
type Source struct {
	Repo    string // org/name
	RefPath string
}

// Publish is the publish:github step.
type Publish struct {
	Step          string
	Org, Name     string
	Description   string
	Visibility    string // private, internal or public
	DefaultBranch string // "" = the organisation's default
	CommitMessage string
	SourcePath    string // folder of the workspace to publish
	Topics        []string
}

// FullName is org/name.
func (p Publish) FullName() string { return p.Org + "/" + p.Name }

// PlanOptions is what a plan needs besides the template and parameters.
type PlanOptions struct {
	Org    string // the organisation repositories are created in
	Host   string // the GitHub host (default github.com)
	Owner  catalog.Ref
	User   string // the GitHub login of whoever asked
	Policy Policy // where skeletons may come from, how visible a repository may be
}

// MakePlan checks a template's steps and evaluates their inputs, within
// DefaultBudget. A template with an action callboard does not run, or steps
// in an order it cannot follow, is refused with every reason. An error is
// ctx's: the work was cut short, and the plan is not made.
func MakePlan(ctx context.Context, t *Template, params map[string]any, opts PlanOptions) (*Plan, []Problem, error) {
	if opts.Host == "" {
		opts.Host = "github.com"
	}
	p := &planner{opts: opts, pl: &Plan{Template: t, Params: params, Owner: opts.Owner}, steps: map[string]any{}}
	if bad := t.Unsupported(); len(bad) > 0 {
		quoted := make([]string, len(bad))
		for i, a := range bad {
			quoted[i] = "`" + code(a) + "`"
		}
		p.fail("The template uses %s, which callboard does not run (it runs `%s`, `%s` and `%s`). Nothing was created.",
			strings.Join(quoted, ", "), ActionFetchTemplate, ActionPublishGitHub, ActionCatalogRegister)
		return p.pl, p.problems, nil
	}
	m := nunjucks.NewMeter(ctx, nunjucks.DefaultBudget)
	vars := map[string]any{"parameters": params, "steps": p.steps, "user": userVars(opts.User)}
	for _, s := range t.Steps {
		input, run, err := p.stepInput(m, s, vars)
		if err != nil {
			return nil, nil, err
		}
		if plan := stepPlanners[s.Action]; run && plan != nil {
			plan(p, s, input)
		}
	}
	if !p.published && len(p.problems) == 0 {
		p.fail("The template has no `%s` step: callboard creates each service as a new repository.", ActionPublishGitHub)
	}
	return p.pl, p.problems, nil
}

// planner works out a plan a step at a time.
type planner struct {
	opts      PlanOptions
	pl        *Plan
	steps     map[string]any // the outputs of the steps so far, as templates see them
	published bool           // a publish:github step came
	problems  []Problem
}

func (p *planner) fail(format string, args ...any) {
	p.problems = append(p.problems, Problem{Message: fmt.Sprintf(format, args...)})
}

// stepPlanners plan the steps of each action callboard runs.
var stepPlanners = map[string]func(p *planner, s Step, input map[string]any){
	ActionFetchTemplate:   (*planner).fetch,
	ActionPublishGitHub:   (*planner).publish,
	ActionCatalogRegister: (*planner).register,
}

// stepInput evaluates a step's if: and its input. run is false for a step
// that does not run, or whose input does not evaluate (a problem then); an
// error is the meter's: the work was cut short.
func (p *planner) stepInput(m *nunjucks.Meter, s Step, vars map[string]any) (input map[string]any, run bool, err error) {
	if s.If != nil {
		run, err := m.Condition(s.If, vars)
		if nunjucks.Interrupted(err) {
			return nil, false, err
		}
		if err != nil {
			p.fail("Step `%s`: its `if` does not evaluate: %v.", code(s.ID), err)
			return nil, false, nil
		}
		if !run {
			return nil, false, nil
		}
	}
	in, err := m.RenderValue(anyMap(s.Input), vars)
	if nunjucks.Interrupted(err) {
		return nil, false, err
	}
	if err != nil {
		p.fail("Step `%s` (%s): %v.", code(s.ID), s.Action, err)
		return nil, false, nil
	}
	input, _ = in.(map[string]any)
	return input, true, nil
}

func (p *planner) fetch(s Step, input map[string]any) {
	if p.published {
		p.fail("Step `%s` fetches files after `%s` published the repository; they would not be in it.", code(s.ID), ActionPublishGitHub)
		return
	}
	f, err := fetchStep(p.pl.Template, s, input, p.opts)
	if err != nil {
		p.fail("Step `%s` (%s): %v.", code(s.ID), s.Action, err)
		return
	}
	p.pl.Fetches = append(p.pl.Fetches, f)
}

func (p *planner) publish(s Step, input map[string]any) {
	if p.published {
		p.fail("The template publishes twice; callboard creates one repository per request.")
		return
	}
	p.published = true
	pub, msg := publishStep(s.ID, input, p.opts)
	if msg != "" {
		p.fail("Step `%s` (%s): %s", code(s.ID), s.Action, msg)
		return
	}
	p.pl.Publish = pub
	branch := cmp.Or(pub.DefaultBranch, "main")
	remote := "https://" + p.opts.Host + "/" + pub.FullName()
	p.steps[s.ID] = map[string]any{"output": map[string]any{
		"remoteUrl": remote, "repoContentsUrl": remote + "/blob/" + branch,
	}}
}

func (p *planner) register(s Step, input map[string]any) {
	if !p.published {
		p.fail("Step `%s` registers a catalog file before `%s` created the repository.", code(s.ID), ActionPublishGitHub)
		return
	}
	if p.pl.Publish.Name == "" {
		return // publish:github was refused: that is the problem to fix first
	}
	path, msg := registerPath(input, p.pl.Publish, p.opts.Host)
	if msg != "" {
		p.fail("Step `%s` (%s): %s", code(s.ID), s.Action, msg)
		return
	}
	p.pl.CatalogPath = path
}

func userVars(login string) map[string]any {
	if login == "" {
		return map[string]any{}
	}
	ref := "user:default/" + strings.ToLower(login)
	return map[string]any{"ref": ref, "entity": map[string]any{"kind": "User", "metadata": map[string]any{"name": login}}}
}

func anyMap(m map[string]any) any {
	if m == nil {
		return map[string]any{}
	}
	return m
}

func publishStep(id string, in map[string]any, opts PlanOptions) (Publish, string) {
	p := Publish{Step: id, Description: str(in["description"]), DefaultBranch: str(in["defaultBranch"]),
		CommitMessage: str(in["gitCommitMessage"]), SourcePath: str(in["sourcePath"]), Topics: stringsOf(in["topics"])}
	r, err := nunjucks.ParseRepoURL(str(in["repoUrl"]))
	if err != nil {
		return p, fmt.Sprintf("`repoUrl`: %v.", err)
	}
	p.Org, p.Name = str(r["owner"]), str(r["repo"])
	switch {
	case opts.Org != "" && !strings.EqualFold(p.Org, opts.Org):
		return p, fmt.Sprintf("the repository would be created in `%s`, but callboard creates repositories in `%s`.", code(p.Org), opts.Org)
	case !issueform.ValidRepoName(p.Name):
		return p, fmt.Sprintf("`%s` is not a repository name GitHub takes.", code(p.Name))
	}
	p.Org = cmp.Or(opts.Org, p.Org)
	switch v := str(in["repoVisibility"]); {
	case v == "":
		p.Visibility = "private" // Backstage's default
	case !ValidVisibility(v):
		return p, fmt.Sprintf("`repoVisibility` %q is not private, internal or public.", v)
	case !opts.Policy.visibilityAllowed(v):
		return p, fmt.Sprintf("the repository would be %s, and callboard creates repositories that are at most %s (`SCAFFOLD_MAX_VISIBILITY`).", v, opts.Policy.maxVisibility())
	default:
		p.Visibility = v
	}
	if p.CommitMessage == "" {
		p.CommitMessage = "initial commit" // Backstage's default
	}
	return p, ""
}

// registerPath is the path, in the new repository, of the catalog file a
// catalog:register step names.
func registerPath(in map[string]any, pub Publish, host string) (string, string) {
	repo := "https://" + host + "/" + pub.FullName()
	if u := str(in["catalogInfoUrl"]); u != "" {
		src, err := githubFolder(u)
		if err != nil || !strings.EqualFold(src.Repo, pub.FullName()) {
			return "", fmt.Sprintf("`catalogInfoUrl` %s is not in the new repository %s; callboard registers only what it created.", u, pub.FullName())
		}
		_, p, _ := strings.Cut(src.RefPath, "/")
		return p, ""
	}
	contents := str(in["repoContentsUrl"])
	if contents == "" || !strings.HasPrefix(strings.ToLower(contents), strings.ToLower(repo)) {
		return "", fmt.Sprintf("`repoContentsUrl` %q is not the new repository %s; callboard registers only what it created.", contents, pub.FullName())
	}
	p := strings.TrimPrefix(str(in["catalogInfoPath"]), "/")
	if p == "" {
		p = "catalog-info.yaml"
	}
	c, err := cleanPath(p)
	if err != nil {
		return "", fmt.Sprintf("`catalogInfoPath`: %v.", err)
	}
	return c, ""
}

// Files renders every fetch step's folder (read by read) into the files of
// the new repository, as publish:github will write them, all of them within
// one budget.
func (pl *Plan) Files(ctx context.Context, budget nunjucks.Budget, read func(Source) ([]File, error)) ([]File, error) {
	var sets [][]File
	m := nunjucks.NewMeter(ctx, budget)
	for _, f := range pl.Fetches {
		src, err := read(f.Source)
		if err != nil {
			return nil, err
		}
		vars := map[string]any{"values": anyMap(f.Values), "parameters": pl.Params}
		out, err := renderSkeleton(m, src, vars, f.opts)
		if nunjucks.Interrupted(err) {
			return nil, err
		}
		if err != nil {
			// The template is wrong: retrying cannot help.
			return nil, permanentf("step %s: %v", f.Step, err)
		}
		sets = append(sets, out)
	}
	files := mergeFiles(sets...)
	if pl.Publish.SourcePath != "" {
		files = subtree(files, pl.Publish.SourcePath)
	}
	for _, f := range files {
		if placedByAnswers(f) {
			return nil, permanentf("the answers would put `%s` under `%s`, where the template puts no file of its own", code(f.Path), workflowsDir)
		}
	}
	return files, nil
}
