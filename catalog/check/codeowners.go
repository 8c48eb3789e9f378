package check

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/callboard/callboard/catalog"
)

// codeowners checks that CODEOWNERS gives the catalog file and the
// repository root to the catalog owner's GitHub team.
func codeowners(in Input, r *Report, entities []*catalog.Entity) {
	if in.Codeowners == nil {
		return // no CODEOWNERS: nothing to compare, and not every organisation uses it
	}
	co, err := catalog.ParseCodeowners(in.Codeowners.Content)
	if err != nil {
		r.Findings = append(r.Findings, Finding{Severity: Warning, Check: CheckCodeowners, File: in.Codeowners.Path, Message: err.Error()})
		return
	}
	for _, p := range co.Problems {
		r.Findings = append(r.Findings, Finding{Severity: Warning, Check: CheckCodeowners, File: in.Codeowners.Path, Line: p.Line,
			Message: "GitHub ignores this line: " + p.Message})
	}
	want, ownerRefs := ownerTeams(in, entities)
	if len(want) == 0 {
		return
	}
	// Handles are in backticks: a bare @org/team in the comment would notify the team.
	catalogSide := fmt.Sprintf("the catalog's owner is %s, GitHub team %s", strings.Join(quoteAll(ownerRefs), ", "), strings.Join(quoteAll(want), " "))
	for _, probe := range []string{in.CatalogPath, "README.md"} {
		rule, ok := co.Match(probe)
		if overlaps(rule.Owners, want) {
			continue
		}
		where := strconv.Quote(in.CatalogPath)
		if probe == "README.md" {
			where = "the repository root"
		}
		r.Findings = append(r.Findings, Finding{Severity: Warning, Check: CheckCodeowners, File: in.Codeowners.Path, Line: rule.Line,
			Message: codeownersMessage(where, rule, ok, catalogSide)})
		if probe == in.CatalogPath {
			// The same rule (or the lack of one) usually covers the root: one finding is enough.
			if r2, ok2 := co.Match("README.md"); ok2 == ok && r2.Line == rule.Line {
				break
			}
		}
	}
}

// codeownersMessage says how the CODEOWNERS rule for where (ok false:
// none) disagrees with the catalog.
func codeownersMessage(where string, rule catalog.CodeownersRule, ok bool, catalogSide string) string {
	switch {
	case !ok:
		return fmt.Sprintf("no CODEOWNERS rule covers %s; %s", where, catalogSide)
	case len(rule.Owners) == 0:
		return fmt.Sprintf("CODEOWNERS leaves %s without an owner; %s", where, catalogSide)
	}
	return fmt.Sprintf("CODEOWNERS gives %s to %s, but %s", where, strings.Join(quoteAll(rule.Owners), " "), catalogSide)
}

// ownerTeams are the GitHub teams (@org/slug) of the entities' owners that
// have one, and those owners as people say them: the catalog owner's team
// should own the catalog file and the root.
func ownerTeams(in Input, entities []*catalog.Entity) (want, ownerRefs []string) {
	for _, e := range entities {
		ref, ok := e.OwnerRef()
		if !ok {
			continue
		}
		slug := in.KnownOwners[ref.String()]
		if slug == "" {
			continue
		}
		t := "@" + slug
		if !contains(want, t) {
			want = append(want, t)
			ownerRefs = append(ownerRefs, ownerOf(e))
		}
	}
	return want, ownerRefs
}

func contains(ss []string, s string) bool {
	for _, x := range ss {
		if strings.EqualFold(x, s) {
			return true
		}
	}
	return false
}

func overlaps(got, want []string) bool {
	for _, g := range got {
		if contains(want, g) {
			return true
		}
	}
	return false
}
