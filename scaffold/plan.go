package scaffold

import (
	"cmp"
	"context"
	"fmt"
	"net/url"
	"path"
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
	pl := &Plan{Template: t, Params: params, Owner: opts.Owner}
	m := nunjucks.NewMeter(ctx, nunjucks.DefaultBudget)
	var problems []Problem
	fail := func(format string, args ...any) {
		problems = append(problems, Problem{Message: fmt.Sprintf(format, args...)})
	}
	if bad := t.Unsupported(); len(bad) > 0 {
		quoted := make([]string, len(bad))
		for i, a := range bad {
			quoted[i] = "`" + code(a) + "`"
		}
		fail("The template uses %s, which callboard does not run (it runs `%s`, `%s` and `%s`). Nothing was created.",
			strings.Join(quoted, ", "), ActionFetchTemplate, ActionPublishGitHub, ActionCatalogRegister)
		return pl, problems, nil
	}
	vars := map[string]any{"parameters": params, "steps": map[string]any{}, "user": userVars(opts.User)}
	steps := vars["steps"].(map[string]any)
	published := false
	for _, s := range t.Steps {
		if s.If != nil {
			run, err := m.Condition(s.If, vars)
			if nunjucks.Interrupted(err) {
				return nil, nil, err
			}
			if err != nil {
				fail("Step `%s`: its `if` does not evaluate: %v.", code(s.ID), err)
				continue
			}
			if !run {
				continue
			}
		}
		in, err := m.RenderValue(anyMap(s.Input), vars)
		if nunjucks.Interrupted(err) {
			return nil, nil, err
		}
		if err != nil {
			fail("Step `%s` (%s): %v.", code(s.ID), s.Action, err)
			continue
		}
		input, _ := in.(map[string]any)
		switch s.Action {
		case ActionFetchTemplate:
			if published {
				fail("Step `%s` fetches files after `%s` published the repository; they would not be in it.", code(s.ID), ActionPublishGitHub)
				continue
			}
			f, err := fetchStep(t, s, input, opts)
			if err != nil {
				fail("Step `%s` (%s): %v.", code(s.ID), s.Action, err)
				continue
			}
			pl.Fetches = append(pl.Fetches, f)
		case ActionPublishGitHub:
			if published {
				fail("The template publishes twice; callboard creates one repository per request.")
				continue
			}
			published = true
			p, msg := publishStep(s.ID, input, opts)
			if msg != "" {
				fail("Step `%s` (%s): %s", code(s.ID), s.Action, msg)
				continue
			}
			pl.Publish = p
			branch := cmp.Or(p.DefaultBranch, "main")
			remote := "https://" + opts.Host + "/" + p.FullName()
			steps[s.ID] = map[string]any{"output": map[string]any{
				"remoteUrl": remote, "repoContentsUrl": remote + "/blob/" + branch,
			}}
		case ActionCatalogRegister:
			if !published {
				fail("Step `%s` registers a catalog file before `%s` created the repository.", code(s.ID), ActionPublishGitHub)
				continue
			}
			if pl.Publish.Name == "" {
				continue // publish:github was refused: that is the problem to fix first
			}
			p, msg := registerPath(input, pl.Publish, opts.Host)
			if msg != "" {
				fail("Step `%s` (%s): %s", code(s.ID), s.Action, msg)
				continue
			}
			pl.CatalogPath = p
		}
	}
	if !published && len(problems) == 0 {
		fail("The template has no `%s` step: callboard creates each service as a new repository.", ActionPublishGitHub)
	}
	return pl, problems, nil
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

func fetchStep(t *Template, step Step, in map[string]any, opts PlanOptions) (Fetch, error) {
	f := Fetch{Step: step.ID}
	u := str(in["url"])
	if u == "" {
		return f, fmt.Errorf("no `url` input")
	}
	src, err := resolveSource(t.Location, u, opts.Host)
	if err != nil {
		return f, err
	}
	// A skeleton is read with the installation of the organisation being
	// scaffolded into, and only from where the operator said: the
	// template's own repository, or SCAFFOLD_SOURCES.
	own := templateRepo(t, opts.Host)
	if !strings.EqualFold(src.Repo, own) && !matchRepo(opts.Policy.Sources, src.Repo) {
		return f, fmt.Errorf("`url` %s is in `%s`; callboard fetches skeletons only from the template's own repository and from `SCAFFOLD_SOURCES`", code(u), code(src.Repo))
	}
	f.Source = src
	f.Values, _ = in["values"].(map[string]any)
	if in["cookiecutterCompat"] == true {
		return f, fmt.Errorf("`cookiecutterCompat` templates are not rendered by callboard")
	}
	f.opts.targetPath = str(in["targetPath"])
	if f.opts.targetPath != "" {
		tp, err := cleanPath(f.opts.targetPath)
		if err != nil && path.Clean(f.opts.targetPath) != "." {
			return f, err
		}
		f.opts.targetPath = tp
	}
	// The target as the template wrote it, before any answer filled it in.
	f.opts.literalTarget, _ = step.Input["targetPath"].(string)
	f.opts.copyWithout = append(stringsOf(in["copyWithoutTemplating"]), stringsOf(in["copyWithoutRender"])...)
	switch ext := in["templateFileExtension"].(type) {
	case bool:
		if ext {
			f.opts.templateExtension = ".njk"
		}
	case string:
		if ext != "" && !strings.HasPrefix(ext, ".") {
			ext = "." + ext
		}
		f.opts.templateExtension = ext
	}
	return f, nil
}

// resolveSource finds a fetch step's folder: relative to the template's file,
// or a GitHub URL (https://HOST/ORG/REPO/tree/BRANCH/PATH) on host.
func resolveSource(location, u, host string) (Source, error) {
	if strings.Contains(u, "://") {
		s, err := githubFolder(u)
		if err != nil {
			return Source{}, fmt.Errorf("`url` %s: %v", code(u), err)
		}
		if !sameHost(u, host) {
			return Source{}, fmt.Errorf("`url` %s is not on %s, the GitHub callboard works with", code(u), cmp.Or(host, "github.com"))
		}
		return s, nil
	}
	if location == "" || !strings.HasPrefix(location, "http") {
		return Source{}, fmt.Errorf("the template was not read from a GitHub repository (its location is %q), so its skeleton %s cannot be fetched", location, u)
	}
	base, err := githubFolder(location)
	if err != nil {
		return Source{}, fmt.Errorf("the template's location %s: %v", location, err)
	}
	// RefPath holds the branch, then the template file's path.
	p := path.Join(path.Dir(base.RefPath), u)
	branch, _, _ := strings.Cut(base.RefPath, "/")
	if p != branch && !strings.HasPrefix(p, branch+"/") {
		return Source{}, fmt.Errorf("`url` %s leaves the template's repository", u)
	}
	base.RefPath = p
	return base, nil
}

// sameHost reports whether URL u is on the GitHub host (default github.com).
func sameHost(u, host string) bool {
	pu, err := url.Parse(u)
	return err == nil && pu.Scheme == "https" && strings.EqualFold(pu.Host, cmp.Or(host, "github.com"))
}

func githubFolder(u string) (Source, error) {
	pu, err := url.Parse(u)
	if err != nil {
		return Source{}, err
	}
	parts := strings.SplitN(strings.Trim(pu.Path, "/"), "/", 4)
	if len(parts) < 4 || parts[2] != "tree" && parts[2] != "blob" {
		return Source{}, fmt.Errorf("not a GitHub folder URL (https://github.com/ORG/REPO/tree/BRANCH/PATH)")
	}
	return Source{Repo: parts[0] + "/" + parts[1], RefPath: strings.Trim(parts[3], "/")}, nil
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
