package kpi

import (
	"encoding/json"
	"encoding/xml"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"golang.org/x/mod/modfile"
	"golang.org/x/mod/module"
	"golang.org/x/mod/semver"
)

// Manifests are the root files framework fragmentation reads, the way each
// names a dependency and its major version:
//
//   - go.mod: each direct requirement (a require line not marked
//     "// indirect"), as its module path without the major-version suffix,
//     "@" and the major version: github.com/labstack/echo/v4 v4.12.0 is
//     "github.com/labstack/echo@v4", github.com/gin-gonic/gin v1.10.0 is
//     "github.com/gin-gonic/gin@v1".
//   - package.json: each entry of "dependencies" (devDependencies are
//     tooling, not what the service is built on), as its name, "@" and the
//     major version its range starts from: "^4.18.2" is express@4; a range
//     that names no version (a tag, a URL, "*") gives the name alone.
//   - pom.xml: each <dependency> of <dependencies> whose scope is not test
//     (dependencyManagement only pins versions), as groupId:artifactId, "@"
//     and the major version, ${property} versions resolved from the POM's
//     own <properties>; an unresolved or missing version (a parent's
//     dependencyManagement) gives the name alone.
var Manifests = []string{"go.mod", "package.json", "pom.xml"}

// MaxManifestDependencies bounds what one manifest contributes.
const MaxManifestDependencies = 500

// MaxManifestBytes bounds the manifest read: a repository's root file is
// untrusted, and parsing (XML above all) costs with its size. Real go.mod,
// package.json and pom.xml files are a few kilobytes.
const MaxManifestBytes = 1 << 20

// Dependencies are the framework values a root manifest (path one of
// Manifests) declares, sorted and distinct. A manifest that does not parse
// is an error: it declares nothing that can be trusted.
func Dependencies(path string, content []byte) ([]string, error) {
	if len(content) > MaxManifestBytes {
		return nil, fmt.Errorf("%s is %d bytes, over the %d read", path, len(content), MaxManifestBytes)
	}
	var deps []string
	var err error
	switch path {
	case "go.mod":
		deps, err = goModDeps(content)
	case "package.json":
		deps, err = packageJSONDeps(content)
	case "pom.xml":
		deps, err = pomDeps(content)
	default:
		return nil, fmt.Errorf("%s is not a manifest framework fragmentation reads", path)
	}
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", path, err)
	}
	slices.Sort(deps)
	deps = slices.Compact(deps)
	return deps[:min(len(deps), MaxManifestDependencies)], nil
}

func goModDeps(content []byte) ([]string, error) {
	f, err := modfile.ParseLax("go.mod", content, nil)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, r := range f.Require {
		if r.Indirect {
			continue
		}
		p := r.Mod.Path
		major := semver.Major(r.Mod.Version)
		if prefix, pathMajor, ok := module.SplitPathVersion(p); ok && strings.HasPrefix(pathMajor, "/v") {
			p, major = prefix, strings.TrimPrefix(pathMajor, "/")
		}
		if major == "" {
			out = append(out, p)
			continue
		}
		out = append(out, p+"@"+major)
	}
	return out, nil
}

// rangeMajor is the major version a version or range starts from:
// "^4.18.2", "~4.1", ">=4.0.0 <5", "4.x", "v2", "[3.0,4.0)".
var rangeMajor = regexp.MustCompile(`^[\s^~=>v\[(]*(\d+)(?:[.\s,)x*]|$)`)

func withMajor(name, version string) string {
	if m := rangeMajor.FindStringSubmatch(version); m != nil {
		if n, err := strconv.Atoi(m[1]); err == nil {
			return name + "@" + strconv.Itoa(n)
		}
	}
	return name
}

func packageJSONDeps(content []byte) ([]string, error) {
	var pkg struct {
		Dependencies map[string]any `json:"dependencies"`
	}
	if err := json.Unmarshal(content, &pkg); err != nil {
		return nil, err
	}
	var out []string
	for name, v := range pkg.Dependencies {
		if name == "" {
			continue
		}
		version, _ := v.(string)
		out = append(out, withMajor(name, version))
	}
	return out, nil
}

// pom is the part of a Maven POM framework fragmentation reads.
type pom struct {
	Properties struct {
		Entries []struct {
			XMLName xml.Name
			Value   string `xml:",chardata"`
		} `xml:",any"`
	} `xml:"properties"`
	Version      string `xml:"version"`
	Dependencies struct {
		Dependency []struct {
			GroupID    string `xml:"groupId"`
			ArtifactID string `xml:"artifactId"`
			Version    string `xml:"version"`
			Scope      string `xml:"scope"`
		} `xml:"dependency"`
	} `xml:"dependencies"`
}

var pomProperty = regexp.MustCompile(`^\$\{([^}]+)\}$`)

func pomDeps(content []byte) ([]string, error) {
	var p pom
	d := xml.NewDecoder(strings.NewReader(string(content)))
	d.Strict = true
	if err := d.Decode(&p); err != nil {
		return nil, err
	}
	props := map[string]string{"project.version": p.Version}
	for _, e := range p.Properties.Entries {
		props[e.XMLName.Local] = strings.TrimSpace(e.Value)
	}
	var out []string
	for _, dep := range p.Dependencies.Dependency {
		g, a := strings.TrimSpace(dep.GroupID), strings.TrimSpace(dep.ArtifactID)
		if g == "" || a == "" || strings.EqualFold(strings.TrimSpace(dep.Scope), "test") {
			continue
		}
		v := strings.TrimSpace(dep.Version)
		if m := pomProperty.FindStringSubmatch(v); m != nil {
			v = props[m[1]]
		}
		out = append(out, withMajor(g+":"+a, v))
	}
	return out, nil
}
