package check

import (
	"strings"

	"go.yaml.in/yaml/v3"
)

// DocsDir is the docs_dir a mkdocs.yml sets, "" when it sets none, sets it
// from elsewhere (!ENV), or is not a YAML mapping (then mkdocs itself
// refuses the file). mkdocs.yml files carry tags no decoder knows
// (!!python/name:..., !ENV), so the file is read as a node tree and only
// the top-level docs_dir is looked at (through an alias, if it is one).
func DocsDir(mkdocs []byte) string {
	var doc yaml.Node
	if err := yaml.Unmarshal(mkdocs, &doc); err != nil || len(doc.Content) == 0 {
		return ""
	}
	root := doc.Content[0]
	if root.Kind != yaml.MappingNode {
		return ""
	}
	for i := 0; i+1 < len(root.Content); i += 2 {
		if k := root.Content[i]; k.Kind != yaml.ScalarNode || k.Value != "docs_dir" {
			continue
		}
		v := root.Content[i+1]
		if v.Kind == yaml.AliasNode && v.Alias != nil {
			v = v.Alias
		}
		if v.Kind != yaml.ScalarNode {
			return ""
		}
		switch v.ShortTag() {
		case "!!str", "!!int", "!!float":
			return strings.TrimSpace(v.Value)
		}
		return ""
	}
	return ""
}
