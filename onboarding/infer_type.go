package onboarding

import (
	"fmt"
	"path"
	"slices"
	"strings"
)

// WhatFiles are the paths (and path patterns) worth keeping from a
// repository's tree: they are the evidence for its type and docs.
func WhatFiles(p string) bool {
	base := path.Base(p)
	dir := path.Dir(p)
	switch {
	case dir == ".":
		return true // the root's files and folders
	case dir == ".github/workflows":
		return true
	case base == "Chart.yaml":
		return true
	}
	return false
}

var (
	serviceFiles = []string{"Dockerfile", "Containerfile", "docker-compose.yml", "docker-compose.yaml", "compose.yaml",
		"Procfile", "app.yaml", "fly.toml", "serverless.yml", "Chart.yaml"}
	manifestFiles = []string{"go.mod", "package.json", "pom.xml", "build.gradle", "build.gradle.kts", "Cargo.toml",
		"pyproject.toml", "setup.py", "composer.json", "mix.exs", "Package.swift"}
	websiteFiles = []string{"index.html", "hugo.toml", "_config.yml", "gatsby-config.js", "docusaurus.config.js",
		"docusaurus.config.ts", "astro.config.mjs"}
	mkdocsFiles = []string{"mkdocs.yml", "mkdocs.yaml"}
)

// has returns the first of names among files (compared by base name for
// Chart.yaml, by path otherwise).
func has(files []string, names []string) string {
	for _, f := range files {
		if slices.Contains(names, f) || (path.Base(f) == "Chart.yaml" && slices.Contains(names, "Chart.yaml")) {
			return f
		}
	}
	return ""
}

func suffix(files []string, suffixes ...string) string {
	for _, f := range files {
		if path.Dir(f) != "." {
			continue
		}
		for _, s := range suffixes {
			if strings.HasSuffix(f, s) {
				return f
			}
		}
	}
	return ""
}

// deployWorkflow is a workflow whose name says it deploys or releases.
func deployWorkflow(files []string) string {
	for _, f := range files {
		if path.Dir(f) != ".github/workflows" {
			continue
		}
		name := strings.ToLower(path.Base(f))
		if strings.Contains(name, "deploy") || strings.Contains(name, "release") || strings.Contains(name, "cd.") {
			return f
		}
	}
	return ""
}

// onlyDocs reports a repository whose root holds only documentation.
func onlyDocs(files []string) bool {
	if len(files) == 0 {
		return false
	}
	for _, f := range files {
		if path.Dir(f) != "." || strings.HasPrefix(f, ".") {
			continue
		}
		ext := strings.ToLower(path.Ext(f))
		switch {
		case ext == ".md" || ext == ".rst" || ext == ".txt" || ext == ".adoc":
		case f == "docs" || f == "LICENSE" || slices.Contains(mkdocsFiles, f):
		default:
			return false
		}
	}
	return true
}

// typeRules decide spec.type, first match wins.
var typeRules = []struct {
	typ  string
	test func(f Facts) (string, bool)
}{
	{"service", func(f Facts) (string, bool) {
		if p := has(f.Files, serviceFiles); p != "" {
			return fmt.Sprintf("`%s` is there: it is built and run as a service", p), true
		}
		if p := deployWorkflow(f.Files); p != "" {
			return fmt.Sprintf("the workflow `%s` deploys it", p), true
		}
		return "", false
	}},
	{"website", func(f Facts) (string, bool) {
		if p := has(f.Files, websiteFiles); p != "" {
			return fmt.Sprintf("`%s` is there: a static site", p), true
		}
		return "", false
	}},
	{"library", func(f Facts) (string, bool) {
		if p := has(f.Files, manifestFiles); p != "" {
			return fmt.Sprintf("`%s` is a package manifest, and nothing builds or deploys a service", p), true
		}
		if p := suffix(f.Files, ".gemspec", ".csproj", ".cabal"); p != "" {
			return fmt.Sprintf("`%s` is a package manifest, and nothing builds or deploys a service", p), true
		}
		return "", false
	}},
	{"documentation", func(f Facts) (string, bool) {
		if onlyDocs(f.Files) {
			return "it holds only documentation (Markdown and docs)", true
		}
		return "", false
	}},
}

func inferType(f Facts) Evidence {
	for _, r := range typeRules {
		if why, ok := r.test(f); ok {
			return Evidence{Field: "spec.type", Value: r.typ, Why: why}
		}
	}
	return Evidence{Field: "spec.type", Value: "service",
		Why: "nothing in the repository says what it is (no Dockerfile, deploy workflow, package manifest or site); service is the usual type"}
}
