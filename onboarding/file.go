package onboarding

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"strings"
	"text/template"

	"go.yaml.in/yaml/v3"
)

// fileDoc is the proposed catalog file, in the order a person reads it.
type fileDoc struct {
	APIVersion string `yaml:"apiVersion"`
	Kind       string `yaml:"kind"`
	Metadata   struct {
		Name        string            `yaml:"name"`
		Description string            `yaml:"description,omitempty"`
		Tags        []string          `yaml:"tags,omitempty"`
		Annotations map[string]string `yaml:"annotations"`
		Links       []fileLink        `yaml:"links,omitempty"`
	} `yaml:"metadata"`
	Spec struct {
		Type      string `yaml:"type"`
		Lifecycle string `yaml:"lifecycle"`
		Owner     string `yaml:"owner"`
		System    string `yaml:"system,omitempty"`
	} `yaml:"spec"`
}

type fileLink struct {
	URL   string `yaml:"url"`
	Title string `yaml:"title"`
}

// encodeFile writes the file with the YAML encoder, which quotes whatever a
// reader would take for something else (a number, a boolean, a comment).
func encodeFile(doc fileDoc) ([]byte, error) {
	var b bytes.Buffer
	b.WriteString("# The catalog's entry for this repository: who owns it and what it is.\n")
	b.WriteString("# Format: https://backstage.io/docs/features/software-catalog/descriptor-format\n")
	enc := yaml.NewEncoder(&b)
	enc.SetIndent(2)
	if err := enc.Encode(doc); err != nil {
		return nil, err
	}
	if err := enc.Close(); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

//go:embed templates/body.md.tmpl
var templates embed.FS

var bodyTemplate = template.Must(template.New("body.md.tmpl").Funcs(template.FuncMap{
	"split": func(s string) []string { a, b, _ := strings.Cut(s, "/"); return []string{a, b} },
	"code":  func(s string) string { return "`" + strings.ReplaceAll(s, "`", "") + "`" },
	// cell keeps a table cell one cell: no pipe or line break from a file ends it.
	"cell": func(s string) string { return strings.NewReplacer("|", `\|`, "\n", " ", "\r", " ").Replace(s) },
}).ParseFS(templates, "templates/body.md.tmpl"))

// Marker is the hidden line that marks a pull request body as callboard's.
const Marker = "<!-- callboard:onboarding -->"

func renderBody(p *Proposal, f Facts, doc fileDoc, notes []string) (string, error) {
	var b strings.Builder
	err := bodyTemplate.Execute(&b, map[string]any{
		"P": p, "Doc": doc, "Notes": notes, "Marker": Marker, "Branch": Branch,
		"TechDocs":    doc.Metadata.Annotations["backstage.io/techdocs-ref"] != "",
		"Description": f.Description != "", "Homepage": len(doc.Metadata.Links) > 0,
		"Topics": len(f.Topics) > 0, "Language": f.Language,
	})
	return b.String(), err
}

// Fingerprint identifies what a proposal writes: the same fingerprint, the
// same pull request.
func (p *Proposal) Fingerprint() string {
	h := sha256.New()
	for _, s := range []string{string(p.File), p.Title, p.Body} {
		h.Write([]byte(s))
		h.Write([]byte{0})
	}
	return hex.EncodeToString(h.Sum(nil))[:32]
}
