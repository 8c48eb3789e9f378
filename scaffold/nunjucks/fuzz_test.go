package nunjucks

import (
	"context"
	"testing"
	"time"
)

// FuzzRender: any template text renders, or fails, within a small budget:
// no panic, no output over the budget, no more steps than it allows (the
// fuzzer's own timeout catches a render that does not stop).
func FuzzRender(f *testing.F) {
	for _, s := range []string{
		"name: ${{ values.name }}",
		"{% for t in values.tags %}- ${{ t | upper }}{% if not loop.last %},{% endif %}{% endfor %}",
		"{% set a = [values.tags, values.tags] %}${{ a | dump(2) }}",
		`${{ values.name | replace("a", "aaaa") | replace("a", "aaaa") | join("-") }}`,
		"{%- if values.n > 2 -%}big{% elif values.n %}small{% else %}none{% endif %}",
		"{% raw %}${{ github.sha }}{% endraw %}{# comment #}",
		`${{ (values.repoUrl | parseRepoUrl).owner ~ "/" ~ values.name | lower }}`,
		`${{ values.obj['k'] if 'k' in values.obj else values.tags | first | default('x') }}`,
		gigabyteTemplate,
	} {
		f.Add(s)
	}
	budget := Budget{Output: 64 << 10, String: 16 << 10, Steps: 20_000, Time: 2 * time.Second}
	vars := map[string]any{"values": map[string]any{
		"name": "payments-api", "n": float64(3), "tags": []any{"go", "grpc", "payments"},
		"repoUrl": "github.com?owner=acme&repo=payments-api", "obj": map[string]any{"k": "v", "list": []any{float64(1), true, nil}},
	}}
	f.Fuzz(func(t *testing.T, src string) {
		m := NewMeter(context.Background(), budget)
		out, err := renderString(m, src, vars)
		if err != nil {
			return
		}
		if len(out) > budget.Output || m.output > budget.Output {
			t.Fatalf("rendered %d bytes (Meter %d), over the budget of %d", len(out), m.output, budget.Output)
		}
		if m.steps > budget.Steps {
			t.Fatalf("took %d steps, over the budget of %d", m.steps, budget.Steps)
		}
	})
}
