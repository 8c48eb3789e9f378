package catalog

import "strings"

// Relation types, as Backstage names them.
const (
	RelOwnedBy       = "ownedBy"
	RelOwnerOf       = "ownerOf"
	RelPartOf        = "partOf"
	RelHasPart       = "hasPart"
	RelDependsOn     = "dependsOn"
	RelDependencyOf  = "dependencyOf"
	RelProvidesAPI   = "providesApi"
	RelAPIProvidedBy = "apiProvidedBy"
	RelConsumesAPI   = "consumesApi"
	RelAPIConsumedBy = "apiConsumedBy"
	RelMemberOf      = "memberOf"
	RelHasMember     = "hasMember"
	RelChildOf       = "childOf"
	RelParentOf      = "parentOf"
)

// Edge is one relation between two entities.
type Edge struct {
	Source Ref
	Type   string
	Target Ref
}

type relRule struct {
	field       string
	defaultKind string // "" = the ref must name its kind
	rel, inv    string
}

// relRules follows Backstage's BuiltinKindsEntityProcessor.
var relRules = map[string][]relRule{
	"Component": {
		{"owner", "Group", RelOwnedBy, RelOwnerOf},
		{"subcomponentOf", "Component", RelPartOf, RelHasPart},
		{"providesApis", "API", RelProvidesAPI, RelAPIProvidedBy},
		{"consumesApis", "API", RelConsumesAPI, RelAPIConsumedBy},
		{"dependsOn", "", RelDependsOn, RelDependencyOf},
		{"dependencyOf", "", RelDependencyOf, RelDependsOn},
		{"system", "System", RelPartOf, RelHasPart},
	},
	"API": {
		{"owner", "Group", RelOwnedBy, RelOwnerOf},
		{"system", "System", RelPartOf, RelHasPart},
	},
	"Resource": {
		{"owner", "Group", RelOwnedBy, RelOwnerOf},
		{"dependsOn", "", RelDependsOn, RelDependencyOf},
		{"dependencyOf", "", RelDependencyOf, RelDependsOn},
		{"system", "System", RelPartOf, RelHasPart},
	},
	"System": {
		{"owner", "Group", RelOwnedBy, RelOwnerOf},
		{"domain", "Domain", RelPartOf, RelHasPart},
	},
	"Domain": {
		{"owner", "Group", RelOwnedBy, RelOwnerOf},
		{"subdomainOf", "Domain", RelPartOf, RelHasPart},
	},
	"Group": {
		{"parent", "Group", RelChildOf, RelParentOf},
		{"children", "Group", RelParentOf, RelChildOf},
		{"members", "User", RelHasMember, RelMemberOf},
	},
	"User": {
		{"memberOf", "Group", RelMemberOf, RelHasMember},
	},
	"Template": {
		{"owner", "Group", RelOwnedBy, RelOwnerOf},
	},
}

// DeriveEdges returns the relations an entity's spec declares, in both
// directions: for a component owned by team-a, component ownedBy team-a and
// team-a ownerOf component. Refs that do not parse are skipped (validation
// has reported them).
func DeriveEdges(e *Entity) []Edge {
	self := e.Ref()
	self.Kind = CanonicalKind(self.Kind)
	var out []Edge
	for _, rule := range relRules[CanonicalKind(e.Kind)] {
		var values []string
		switch v := e.Spec[rule.field].(type) {
		case string:
			values = []string{v}
		default:
			values = stringList(v)
		}
		for _, s := range values {
			target, err := ParseRef(s, RefDefaults{Kind: rule.defaultKind, Namespace: self.Namespace})
			if err != nil {
				continue
			}
			target.Kind = CanonicalKind(target.Kind)
			out = append(out,
				Edge{Source: self, Type: rule.rel, Target: target},
				Edge{Source: target, Type: rule.inv, Target: self},
			)
		}
	}
	return out
}

// OwnerRef resolves spec.owner with Backstage's defaults (kind Group, the
// entity's namespace).
func (e *Entity) OwnerRef() (Ref, bool) {
	s := e.SpecString("owner")
	if s == "" {
		return Ref{}, false
	}
	r, err := ParseRef(s, RefDefaults{Kind: "Group", Namespace: e.Ref().Namespace})
	if err != nil {
		return Ref{}, false
	}
	return r, true
}

var inverse = map[string]string{
	RelOwnedBy: RelOwnerOf, RelOwnerOf: RelOwnedBy,
	RelPartOf: RelHasPart, RelHasPart: RelPartOf,
	RelDependsOn: RelDependencyOf, RelDependencyOf: RelDependsOn,
	RelProvidesAPI: RelAPIProvidedBy, RelAPIProvidedBy: RelProvidesAPI,
	RelConsumesAPI: RelAPIConsumedBy, RelAPIConsumedBy: RelConsumesAPI,
	RelMemberOf: RelHasMember, RelHasMember: RelMemberOf,
	RelChildOf: RelParentOf, RelParentOf: RelChildOf,
}

// InverseRelation returns the type of the opposite edge (ownedBy → ownerOf),
// or "" for a type callboard does not know.
func InverseRelation(t string) string { return inverse[t] }

// InverseRelationFold is InverseRelation for a lower-case type, as filters
// spell them ("ownedby" → "ownerof").
func InverseRelationFold(t string) string {
	for k, v := range inverse {
		if strings.EqualFold(k, t) {
			return strings.ToLower(v)
		}
	}
	return ""
}
