package kpi

import (
	"slices"
	"strconv"
	"strings"
	"testing"
)

func TestDependencies(t *testing.T) {
	tests := []struct {
		name, path, content string
		want                []string
		err                 bool
	}{
		{name: "go.mod direct requirements, major from the path or the version", path: "go.mod", content: `module example.com/x

go 1.22

require (
	github.com/gin-gonic/gin v1.10.0
	github.com/labstack/echo/v4 v4.12.0
	gopkg.in/yaml.v3 v3.0.1
	github.com/docker/docker v24.0.7+incompatible
	golang.org/x/sys v0.20.0 // indirect
)
require github.com/go-chi/chi/v5 v5.0.12
`, want: []string{"github.com/docker/docker@v24", "github.com/gin-gonic/gin@v1", "github.com/go-chi/chi@v5", "github.com/labstack/echo@v4", "gopkg.in/yaml.v3@v3"}},
		{name: "go.mod that does not parse", path: "go.mod", content: "module\nrequire (\n", err: true},
		{name: "package.json dependencies, not devDependencies", path: "package.json", content: `{
  "dependencies": {"express": "^4.18.2", "react": "~18.2.0", "lodash": "4.x", "@nestjs/core": ">=10.0.0 <11",
                   "left-pad": "latest", "mine": "git+https://github.com/acme/mine.git", "zero": "^0.3.1", "odd": 7},
  "devDependencies": {"jest": "^29.7.0"}
}`, want: []string{"@nestjs/core@10", "express@4", "left-pad", "lodash@4", "mine", "odd", "react@18", "zero@0"}},
		{name: "package.json without dependencies", path: "package.json", content: `{"name": "x"}`, want: nil},
		{name: "package.json that is not JSON", path: "package.json", content: `{"dependencies": `, err: true},
		{name: "pom.xml: properties resolved, test scope and unresolved versions", path: "pom.xml", content: `<project>
  <version>2.1.0</version>
  <properties><spring-boot.version>3.2.1</spring-boot.version></properties>
  <dependencyManagement><dependencies><dependency><groupId>io.managed</groupId><artifactId>bom</artifactId><version>9.0</version></dependency></dependencies></dependencyManagement>
  <dependencies>
    <dependency><groupId>org.springframework.boot</groupId><artifactId>spring-boot-starter-web</artifactId><version>${spring-boot.version}</version></dependency>
    <dependency><groupId>com.acme</groupId><artifactId>shared</artifactId><version>${project.version}</version></dependency>
    <dependency><groupId>com.google.guava</groupId><artifactId>guava</artifactId><version>[32.0,33.0)</version></dependency>
    <dependency><groupId>org.postgresql</groupId><artifactId>postgresql</artifactId></dependency>
    <dependency><groupId>x</groupId><artifactId>y</artifactId><version>${nowhere}</version></dependency>
    <dependency><groupId>org.junit.jupiter</groupId><artifactId>junit-jupiter</artifactId><version>5.10.1</version><scope>test</scope></dependency>
  </dependencies>
</project>`, want: []string{"com.acme:shared@2", "com.google.guava:guava@32", "org.postgresql:postgresql", "org.springframework.boot:spring-boot-starter-web@3", "x:y"}},
		{name: "pom.xml that is not XML", path: "pom.xml", content: "<project><dependencies>", err: true},
		{name: "another file", path: "Cargo.toml", content: "", err: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Dependencies(tt.path, []byte(tt.content))
			if (err != nil) != tt.err {
				t.Fatalf("error %v, want an error: %v", err, tt.err)
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("got %v\nwant %v", got, tt.want)
			}
		})
	}
}

func TestDependenciesBounded(t *testing.T) {
	var b strings.Builder
	b.WriteString(`{"dependencies": {`)
	for i := range 2000 {
		if i > 0 {
			b.WriteString(",")
		}
		b.WriteString(`"p-` + strconv.Itoa(i) + `": "^1.0.0"`)
	}
	b.WriteString("}}")
	got, err := Dependencies("package.json", []byte(b.String()))
	if err != nil || len(got) != MaxManifestDependencies {
		t.Errorf("%d dependencies (%v), want %d", len(got), err, MaxManifestDependencies)
	}
	// A hostile pom.xml of 2 MB is refused before it is parsed.
	huge := "<project><dependencies>" + strings.Repeat("<dependency><groupId>g</groupId><artifactId>a</artifactId></dependency>", 30000) + "</dependencies></project>"
	if got, err := Dependencies("pom.xml", []byte(huge)); err == nil || got != nil {
		t.Errorf("a %d-byte pom.xml gave %d dependencies and no error", len(huge), len(got))
	}
}

// TestFragmentationFigures: language bytes split each repository between
// its languages; frameworks count each declaration; both leave out what
// was not there yet at the week's end.
func TestFragmentationFigures(t *testing.T) {
	t0 := at(1, 0)
	f := &Facts{Repos: []Repo{
		// 2 repositories: Go 0.5+1, Rust 0.5 → shares .75/.25:
		// H = .75·log2(4/3) + .25·log2(4) = .3113 + .5 = .8113 → 0.81.
		{Name: "a/x", FirstSeen: t0, Languages: map[string]int64{"Go": 500, "Rust": 500},
			Frameworks: []Framework{{Name: "gin@v1", Since: t0}, {Name: "echo@v4", Since: t0.Add(10 * day)}}},
		{Name: "a/y", FirstSeen: t0, Language: "Go", Frameworks: []Framework{{Name: "gin@v1", Since: t0}}},
		{Name: "a/z", FirstSeen: t0.Add(30 * day), Language: "COBOL"}, // after the week
		{Name: "a/w", FirstSeen: t0}, // nothing known
	}}
	to := t0.Add(7 * day)
	lang := languageFragmentation(f, to)
	if lang.Value == nil || *lang.Value != 0.81 || lang.Count != 2 || lang.Parts[0].Name != "Go" || *lang.Parts[0].Value != 75 {
		t.Errorf("languages %+v, want 0.81 bits over 2, Go 75 %%", lang)
	}
	// gin twice, echo not yet: one value, 0 bits; gin in 2 of 2 repositories.
	fw := frameworkFragmentation(f, to)
	if fw.Value == nil || *fw.Value != 0 || fw.Count != 2 || *fw.Parts[0].Value != 100 {
		t.Errorf("frameworks %+v, want 0 bits over 2, gin 100 %%", fw)
	}
	// With echo: gin 2, echo 1: H = (2/3)·log2(1.5) + (1/3)·log2(3) = .3900 + .5283 = .9183 → 0.92.
	fw = frameworkFragmentation(f, t0.Add(14*day))
	if fw.Value == nil || *fw.Value != 0.92 {
		t.Errorf("frameworks a week later %+v, want 0.92 bits", fw)
	}
	if fw := frameworkFragmentation(&Facts{}, to); fw.Value != nil || fw.Reason == "" {
		t.Errorf("no manifests: %+v, want no value and a reason", fw)
	}
}

// FuzzDependencies: a manifest is a repository's, so anyone's: whatever it
// holds, reading it returns names or an error, never a panic, and never
// more than MaxManifestDependencies.
func FuzzDependencies(f *testing.F) {
	f.Add("go.mod", "module x\nrequire github.com/a/b/v2 v2.0.0\n")
	f.Add("package.json", `{"dependencies": {"a": "^1", "b": {"x": 1}}}`)
	f.Add("pom.xml", "<project><dependencies><dependency><groupId>g</groupId><artifactId>a</artifactId><version>${v}</version></dependency></dependencies></project>")
	f.Fuzz(func(t *testing.T, path, content string) {
		deps, err := Dependencies(path, []byte(content))
		if err == nil && len(deps) > MaxManifestDependencies {
			t.Errorf("%d dependencies", len(deps))
		}
	})
}
