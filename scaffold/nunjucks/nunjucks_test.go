package nunjucks

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os/exec"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/callboard/callboard/internal/npmtest"
)

// A renderCase is one render of the corpus, done by callboard and by the
// real nunjucks (e2e/nunjucks/render.cjs) with the same values.
type renderCase struct {
	Name string         `json:"-"`
	Mode string         `json:"mode"` // text, value or if (see render.cjs)
	Src  any            `json:"src"`
	Vars map[string]any `json:"vars"`
	// refused says why callboard refuses what nunjucks renders, lenient
	// why it renders what nunjucks refuses: deliberate differences,
	// checked to stay what they say.
	refused, lenient string
	// keyOrder says why the text may list an object's keys in another
	// order: both must render JSON of the same data.
	keyOrder string
}

// renderResult is what one side made of a case.
type renderResult struct {
	Out       *string `json:"out"`
	Value     any     `json:"value"`
	Undefined bool    `json:"undefined"`
	Ran       *bool   `json:"ran"`
	Error     string  `json:"error"`
}

func (r renderResult) String() string {
	switch {
	case r.Error != "":
		return "error: " + r.Error
	case r.Out != nil:
		return fmt.Sprintf("%q", *r.Out)
	case r.Ran != nil:
		return fmt.Sprintf("ran=%v", *r.Ran)
	case r.Undefined:
		return "undefined"
	}
	b, _ := json.Marshal(r.Value)
	return string(b)
}

// TestRenderMatchesNunjucks renders the corpus (every expression, if: and
// skeleton file of the shared Backstage templates, and the edge cases of
// corpus_test.go) with callboard and with nunjucks configured as Backstage's
// scaffolder configures it, and wants the same bytes from both, or an error
// from both. It installs the pinned nunjucks (npm ci in e2e/nunjucks) once
// per run, and skips where node or npm is absent.
func TestRenderMatchesNunjucks(t *testing.T) {
	cases := append(sharedTemplateCases(t), edgeCases()...)
	if n := countExpressions(cases); n < 300 {
		t.Fatalf("the corpus has %d distinct expressions, want at least 300", n)
	}
	node, dir := npmtest.Setup(t, "nunjucks", "nunjucks", "nunjucks")
	want := renderWithNunjucks(t, node, dir, cases)
	mismatches := 0
	for i, c := range cases {
		got := renderWithCallboard(c)
		if msg := compareRender(c, got, want[i]); msg != "" {
			mismatches++
			t.Errorf("%s: %s\n    src:       %s\n    callboard: %s\n    nunjucks:  %s", c.Name, msg, srcText(c.Src), got, want[i])
		}
	}
	t.Logf("%d renders (%d distinct expressions) compared, %d differ", len(cases), countExpressions(cases), mismatches)
}

func srcText(v any) string {
	if s, ok := v.(string); ok {
		return fmt.Sprintf("%q", s)
	}
	b, _ := json.Marshal(v)
	return string(b)
}

// compareRender says how got (callboard's) differs from want (nunjucks'),
// or "" when they agree.
func compareRender(c renderCase, got, want renderResult) string {
	if c.refused != "" {
		if got.Error == "" || want.Error != "" {
			return "listed as refused by callboard only (" + c.refused + "), but it is not"
		}
		return ""
	}
	if c.keyOrder != "" {
		var g, w any
		if got.Out == nil || want.Out == nil || json.Unmarshal([]byte(*got.Out), &g) != nil || json.Unmarshal([]byte(*want.Out), &w) != nil || !reflect.DeepEqual(g, w) {
			return "listed as the same data in another key order (" + c.keyOrder + "), but it is not"
		}
		return ""
	}
	if c.lenient != "" {
		if got.Error != "" || want.Error == "" {
			return "listed as rendered by callboard only (" + c.lenient + "), but it is not"
		}
		return ""
	}
	switch {
	case got.Error != "" && want.Error != "":
		return ""
	case got.Error != "" || want.Error != "":
		return "one renders, the other fails"
	case got.Out != nil || want.Out != nil:
		if got.Out == nil || want.Out == nil || *got.Out != *want.Out {
			return "different text"
		}
	case got.Ran != nil || want.Ran != nil:
		if got.Ran == nil || want.Ran == nil || *got.Ran != *want.Ran {
			return "different decision"
		}
	case got.Undefined != want.Undefined || !reflect.DeepEqual(got.Value, want.Value):
		return "different value"
	}
	return ""
}

func renderWithNunjucks(t *testing.T, node, dir string, cases []renderCase) []renderResult {
	t.Helper()
	in, err := json.Marshal(cases)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, node, filepath.Join(dir, "render.cjs"))
	cmd.Stdin = bytes.NewReader(in)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("node render.cjs: %v\n%s", err, stderr.String())
	}
	var res struct {
		Nunjucks string         `json:"nunjucks"`
		Results  []renderResult `json:"results"`
	}
	if err := json.Unmarshal(out, &res); err != nil || len(res.Results) != len(cases) {
		t.Fatalf("render.cjs gave %d results for %d cases (%v)", len(res.Results), len(cases), err)
	}
	t.Logf("compared with nunjucks %s", res.Nunjucks)
	return res.Results
}

func renderWithCallboard(c renderCase) renderResult {
	var r renderResult
	switch c.Mode {
	case "text":
		out, err := RenderString(c.Src.(string), c.Vars)
		if err != nil {
			r.Error = err.Error()
			return r
		}
		r.Out = &out
	case "value":
		v, err := RenderValue(c.Src, c.Vars)
		if err != nil {
			r.Error = err.Error()
			return r
		}
		if v == nil {
			r.Undefined = true
			return r
		}
		// As data: what JSON would carry to the step.
		b, err := json.Marshal(v)
		if err != nil {
			r.Error = err.Error()
			return r
		}
		json.Unmarshal(b, &r.Value)
	case "if":
		ran, err := NewMeter(context.Background(), DefaultBudget).Condition(c.Src, c.Vars)
		if err != nil {
			r.Error = err.Error()
			return r
		}
		r.Ran = &ran
	}
	return r
}

var reExpression = regexp.MustCompile(`\$\{\{.*?\}\}|\{%.*?%\}`)

// countExpressions counts the distinct ${{ }} and {% %} the corpus renders.
func countExpressions(cases []renderCase) int {
	seen := map[string]bool{}
	for _, c := range cases {
		eachString(c.Src, func(s string) {
			for _, e := range reExpression.FindAllString(s, -1) {
				seen[strings.Join(strings.Fields(e), " ")] = true
			}
		})
	}
	return len(seen)
}
