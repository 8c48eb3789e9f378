package scaffold

import (
	"bytes"
	"fmt"
	"slices"
	"strings"

	"github.com/callboard/callboard/catalog"
	"github.com/callboard/callboard/scaffold/issueform"
	"go.yaml.in/yaml/v3"
)

// ownedKinds are the kinds whose spec.owner names their owner.
var ownedKinds = []string{"component", "api", "resource", "system", "domain"}

// SetOwner makes every owned entity of a catalog file name owner, so a
// service is born owned by the team the request chose even when the template
// writes a placeholder (Backstage's example writes user:guest). The file is
// rewritten only when something changes; comments are kept.
func SetOwner(data []byte, owner catalog.Ref) ([]byte, bool, error) {
	var docs []*yaml.Node
	changed := false
	for doc, err := range catalog.Documents(data) {
		if err != nil {
			return data, false, fmt.Errorf("not valid YAML: %w", err)
		}
		docs = append(docs, doc)
		if len(doc.Content) == 0 || doc.Content[0].Kind != yaml.MappingNode {
			continue
		}
		if setOwner(doc.Content[0], owner) {
			changed = true
		}
	}
	if !changed {
		return data, false, nil
	}
	var b bytes.Buffer
	enc := yaml.NewEncoder(&b)
	enc.SetIndent(2)
	for _, d := range docs {
		if err := enc.Encode(d); err != nil {
			return data, false, err
		}
	}
	enc.Close()
	return b.Bytes(), true, nil
}

// setOwner makes one document's entity name owner, when it is of a kind
// that has one; it reports whether that changed anything.
func setOwner(root *yaml.Node, owner catalog.Ref) bool {
	kind := mapValue(root, "kind")
	if kind == nil || !slices.Contains(ownedKinds, strings.ToLower(kind.Value)) {
		return false
	}
	spec := mapValue(root, "spec")
	if spec == nil || spec.Kind != yaml.MappingNode {
		return false
	}
	cur := mapValue(spec, "owner")
	if cur == nil || cur.Kind != yaml.ScalarNode {
		spec.Content = append(spec.Content,
			&yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: "owner"},
			&yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: owner.String()})
		return true
	}
	if r, err := catalog.ParseRef(cur.Value, catalog.RefDefaults{Kind: "group"}); err == nil && r.Equal(owner) {
		return false
	}
	cur.Value, cur.Tag, cur.Style = owner.String(), "!!str", 0
	return true
}

func mapValue(m *yaml.Node, key string) *yaml.Node {
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			return m.Content[i+1]
		}
	}
	return nil
}

// catalogFileProblems checks the catalog file the new repository will hold:
// it must exist and validate, and its entities must not be in the catalog
// already. A problem caused by an answer (a name that is not a valid
// entity name) is put on that answer's field.
// With ownerUnknown, problems with spec.owner are left out: the owner's
// own problem says it.
func catalogFileProblems(files []File, p string, rf *issueform.RequestForm, params map[string]any, ownerUnknown bool) ([]Problem, []*catalog.Parsed) {
	var data []byte
	found := false
	for _, f := range files {
		if f.Path == p {
			data, found = f.Content, true
		}
	}
	if !found {
		return []Problem{{Message: fmt.Sprintf("The template's skeleton writes no `%s`, which its `%s` step registers.", p, ActionCatalogRegister)}}, nil
	}
	parsed, probs := catalog.ParseFile(p, data, func(string) ([]byte, error) { return nil, catalog.ErrNotFetched })
	var out []Problem
	for _, pr := range probs {
		if ownerUnknown && pr.Field == "spec.owner" {
			continue
		}
		if f, v := fieldOfValue(rf, params, pr.Message); f != "" {
			msg := pr.Message
			if pr.Field == "metadata.name" {
				msg = fmt.Sprintf("`%s` is not a valid catalog name: use 1–63 characters `a-z`, `A-Z`, `0-9`, separated by `-`, `_` or `.` (for example `%s`).", code(v), issueform.SuggestName(v))
			}
			out = append(out, Problem{Field: f, Message: msg})
			continue
		}
		out = append(out, Problem{Message: fmt.Sprintf("The catalog file the template writes would not be valid: %s.", strings.TrimSuffix(pr.Error(), "."))})
	}
	if len(parsed) == 0 && len(out) == 0 {
		out = append(out, Problem{Message: fmt.Sprintf("The template's `%s` declares no entity.", p)})
	}
	return out, parsed
}

// fieldOfValue finds the answer a catalog problem quotes: the field whose
// value appears in the message.
func fieldOfValue(rf *issueform.RequestForm, params map[string]any, msg string) (string, string) {
	for _, f := range rf.Fields {
		if f.Param == nil || f.Role != issueform.RoleParam {
			continue
		}
		v, ok := params[f.Param.Name].(string)
		if ok && v != "" && strings.Contains(msg, fmt.Sprintf("%q", v)) {
			return f.Label, v
		}
	}
	return "", ""
}
