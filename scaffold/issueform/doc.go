// Package issueform is the scaffolder's codec between a Backstage
// template's parameters and a GitHub issue form. It owns the parameters as
// the form is made from them (ParsePages), the form itself (FormFor: a
// field per parameter, the owner and the new repository's name, the
// template named in a one-option dropdown), the reading of an issue body
// as GitHub renders a submitted form (Sections, ParseIssue), and the
// reading of those answers back into the template's parameters, checked
// against each parameter's JSON Schema (Read), with the problems people
// see in the scaffold comment, named by the field they filled in.
//
// It is pure: no GitHub, no database, no template rendering.
package issueform
