package catalog

// Sources: every entity comes from one source, replaced as a whole —
// file:PATH (an imported file), repo:ID (a repository's catalog files),
// github-org:ORG (an organisation's teams and people), and the sample
// organisation's demo:... sources.

// DemoSourcePrefix starts the sources of the sample organisation (serve --demo).
const DemoSourcePrefix = "demo:"

// SourceCount is a source and how many entities it holds.
type SourceCount struct {
	Source     string
	Entities   int
	Repository string // org/repo, when the source is a repository's files
}
