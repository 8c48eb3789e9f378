package demo

import (
	"fmt"
	"io/fs"
	"strings"

	"github.com/callboard/callboard/catalog"
)

// GitHubRepo is a demo repository as GitHub holds it, so a test GitHub can
// serve the same organisation that Seed writes into the catalog.
type GitHubRepo struct {
	ID                                   int64
	FullName, DefaultBranch, Description string
	// Files by path: the catalog file, .github/CODEOWNERS, and anything
	// else the repository holds (the service template's skeleton).
	Files map[string][]byte
}

// GitHubTeam is a demo team: a group with a github.com/team-slug.
type GitHubTeam struct {
	Slug, Name, Description, Parent string
	Members                         []string
}

// GitHubUser is a demo person.
type GitHubUser struct {
	Login, Name, Email string
}

// GitHubRepos returns the demo repositories with their files.
func GitHubRepos() ([]GitHubRepo, error) {
	out := make([]GitHubRepo, 0, len(repos))
	for _, r := range repos {
		gr := GitHubRepo{ID: r.GitHubID, FullName: r.FullName, DefaultBranch: r.DefaultBranch, Description: r.Description, Files: map[string][]byte{}}
		root := "data/repos/" + r.Name()
		err := fs.WalkDir(data, root, func(p string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return err
			}
			b, err := data.ReadFile(p)
			if err != nil {
				return err
			}
			rel := strings.TrimPrefix(p, root+"/")
			if rel == "CODEOWNERS" {
				rel = ".github/CODEOWNERS" // where Seed says it is
			}
			gr.Files[rel] = b
			return nil
		})
		if err != nil {
			return nil, err
		}
		out = append(out, gr)
	}
	return out, nil
}

// GitHubOrg returns the demo organisation's teams (parents before children)
// and people, read from the same file Seed reads.
func GitHubOrg() ([]GitHubTeam, []GitHubUser, error) {
	body, err := data.ReadFile("data/org.yaml")
	if err != nil {
		return nil, nil, err
	}
	parsed, problems := catalog.ParseFile("org.yaml", body, nil)
	if len(problems) > 0 {
		return nil, nil, fmt.Errorf("demo org: %v", problems[0])
	}
	var teams []GitHubTeam
	var users []GitHubUser
	for _, p := range parsed {
		e := p.Entity
		switch e.Kind {
		case "Group":
			slug := e.Metadata.Annotations[catalog.AnnotationTeamSlug]
			if _, s, ok := strings.Cut(slug, "/"); ok {
				slug = s
			}
			teams = append(teams, GitHubTeam{Slug: slug, Name: e.DisplayName(), Description: e.Metadata.Description,
				Parent: e.SpecString("parent"), Members: e.SpecStrings("members")})
		case "User":
			users = append(users, GitHubUser{Login: e.Metadata.Annotations[catalog.AnnotationUserLogin], Name: e.DisplayName(), Email: e.Email()})
		}
	}
	return teams, users, nil
}
