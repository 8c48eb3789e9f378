package scaffold

import (
	"cmp"
	"fmt"
	"net/url"
	"path"
	"strings"
)

// fetchStep plans a fetch:template step: the folder its url names, which
// must be in a repository skeletons may come from, and where it writes.
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
