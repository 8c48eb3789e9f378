package check

import (
	"bytes"
	"strings"

	"github.com/callboard/callboard/catalog"
	"go.yaml.in/yaml/v3"
)

// suggested is the catalog file a repository without one is offered, in
// the order a person reads it.
type suggested struct {
	APIVersion string `yaml:"apiVersion"`
	Kind       string `yaml:"kind"`
	Metadata   struct {
		Name        string            `yaml:"name"`
		Description string            `yaml:"description"`
		Annotations map[string]string `yaml:"annotations"`
	} `yaml:"metadata"`
	Spec struct {
		Type      string `yaml:"type"`
		Lifecycle string `yaml:"lifecycle"`
		Owner     string `yaml:"owner"`
	} `yaml:"spec"`
}

// suggestFile writes a catalog file a person can paste: the repository's
// name and description, and the owner CODEOWNERS gives the root. The YAML
// encoder quotes whatever a reader would take for something else (a
// number, a boolean, a list, a comment).
func suggestFile(in Input) string {
	name := in.Repository
	if i := strings.LastIndexByte(name, '/'); i >= 0 {
		name = name[i+1:]
	}
	var f suggested
	f.APIVersion, f.Kind = "backstage.io/v1alpha1", "Component"
	f.Metadata.Name = strings.ToLower(name)
	f.Metadata.Description = strings.TrimSpace(in.Description)
	if f.Metadata.Description == "" {
		f.Metadata.Description = "TODO: one line on what " + f.Metadata.Name + " does"
	}
	f.Metadata.Annotations = map[string]string{catalog.AnnotationProjectSlug: in.Repository}
	f.Spec.Type, f.Spec.Lifecycle, f.Spec.Owner = "service", "production", suggestedOwner(in)
	var b bytes.Buffer
	enc := yaml.NewEncoder(&b)
	enc.SetIndent(2)
	if enc.Encode(f) != nil || enc.Close() != nil {
		return "" // strings always encode; were one not to, no file is offered
	}
	return b.String()
}

// suggestedOwner is the first team or user CODEOWNERS gives the catalog
// file, as an owner ref, or a placeholder to replace.
func suggestedOwner(in Input) string {
	if in.Codeowners == nil {
		return "TODO-your-team"
	}
	co, err := catalog.ParseCodeowners(in.Codeowners.Content)
	if err != nil {
		return "TODO-your-team"
	}
	rule, ok := co.Match(in.CatalogPath)
	if !ok {
		return "TODO-your-team"
	}
	for _, o := range rule.Owners {
		if slug := catalog.TeamSlug(o); slug != "" {
			_, team, _ := strings.Cut(slug, "/")
			return "group:" + strings.ToLower(team)
		}
		if login := catalog.UserLogin(o); login != "" {
			return "user:" + strings.ToLower(login)
		}
	}
	return "TODO-your-team"
}
