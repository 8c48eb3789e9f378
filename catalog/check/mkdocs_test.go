package check

import "testing"

func TestDocsDir(t *testing.T) {
	tests := []struct{ name, file, want string }{
		{"none", "site_name: Payments\nnav:\n  - Home: index.md\n", ""},
		{"plain", "site_name: Payments\ndocs_dir: documentation\n", "documentation"},
		{"quoted, with a comment", "docs_dir: \"src/docs\" # where the pages are\n", "src/docs"},
		{"single-quoted", "docs_dir: 'my docs'\n", "my docs"},
		{"a number", "docs_dir: 2024\n", "2024"},
		{"null", "docs_dir: ~\n", ""},
		{"nested, not mkdocs' own", "extra:\n  docs_dir: elsewhere\n", ""},
		{"from the environment", "docs_dir: !ENV [DOCS_DIR, docs]\n", ""},
		{"an !ENV scalar", "docs_dir: !ENV DOCS_DIR\n", ""},
		{"Material's Python tags elsewhere", "markdown_extensions:\n  - pymdownx.emoji:\n      emoji_index: !!python/name:material.extensions.emoji.twemoji\n      emoji_generator: !!python/name:material.extensions.emoji.to_svg\ndocs_dir: pages\n", "pages"},
		{"an alias", "base: &d handbook\ndocs_dir: *d\n", "handbook"},
		{"an alias of a mapping", "base: &d {a: b}\ndocs_dir: *d\n", ""},
		{"flow mapping", "{site_name: x, docs_dir: flow}\n", "flow"},
		{"not YAML", "docs_dir: [unclosed\n", ""},
		{"a list", "- docs_dir: x\n", ""},
		{"empty", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := DocsDir([]byte(tt.file)); got != tt.want {
				t.Errorf("DocsDir(%q) = %q, want %q", tt.file, got, tt.want)
			}
		})
	}
}
