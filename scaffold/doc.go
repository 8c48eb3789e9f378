// Package scaffold runs Backstage Software Templates from GitHub issue forms.
//
// It owns the runner and the template renderer. An issue opened from a
// template's form (package issueform makes the form and reads the answers)
// is validated, planned (MakePlan) and, once accepted, its steps create the
// service: fetch:template renders the skeleton from the template's
// repository, publish:github creates the repository with every file in one
// commit, catalog:register ingests its catalog file. Service keeps each
// request's progress in the database, so a failure resumes where it
// stopped and a request never creates two repositories.
//
// Templates are rendered as Backstage's scaffolder renders them: Nunjucks
// with ${{ }} (expr.go, parser.go, render.go and the filters), JavaScript's
// conversions (js.go), within a Budget; TestRenderMatchesNunjucks holds
// the output to the real nunjucks byte for byte. Rendering and planning
// are pure; GitHub is reached through the small GitHub interface (github.go
// adapts go-github), and the requests table through Store.
package scaffold
