package nunjucks

import (
	"reflect"
	"strings"
	"testing"
)

func TestRenderString(t *testing.T) {
	vars := map[string]any{
		"values": map[string]any{
			"name": "payments-api", "description": `Charges "cards"`, "port": float64(8080), "public": false,
			"destination": map[string]any{"host": "github.com", "owner": "acme", "repo": "payments-api"},
			"tags":        []any{"go", "grpc"},
		},
		"parameters": map[string]any{"name": "payments-api", "repoUrl": "github.com?owner=acme&repo=payments-api"},
	}
	cases := []struct {
		name, src, want string
	}{
		{"values", "name: ${{ values.name }}", "name: payments-api"},
		{"parameters", "${{parameters.name}}", "payments-api"},
		{"dump quotes", "description: ${{values.description | dump}}", `description: "Charges \"cards\""`},
		{"dump of a number", "${{ values.port | dump }}", "8080"},
		{"dump of undefined", "owner: ${{values.owner | dump}}", "owner: "},
		{"concatenation", `${{values.destination.owner + "/" + values.destination.repo}}`, "acme/payments-api"},
		{"brackets", "${{ values['destination']['repo'] }}", "payments-api"},
		{"parseRepoUrl", "${{ (parameters.repoUrl | parseRepoUrl).owner }}", "acme"},
		{"projectSlug", "${{ parameters.repoUrl | projectSlug }}", "acme/payments-api"},
		{"inline if", "${{ values.description if values.public else 'private' }}", "private"},
		{"filters with arguments", "${{ values.name | replace('-', '_') | upper }}", "PAYMENTS_API"},
		{"default", "${{ values.missing | default('none') }}", "none"},
		{"array", "${{ values.tags }} ${{ values.tags | join(' ') }} ${{ values.tags | length }}", "go,grpc go grpc 2"},
		{"if block", "{% if values.public %}public{% elif values.port > 80 %}port {{ no }}{% else %}x{% endif %}", "port {{ no }}"},
		{"for block", "{%- for t in values.tags %}\n- ${{ t }}{% if not loop.last %},{% endif %}{% endfor %}", "\n- go,\n- grpc"},
		{"trim", "a\n  {%- if true -%}\n  b\n{%- endif %}", "ab"},
		{"set", "{% set n = values.name ~ '!' %}${{ n }}", "payments-api!"},
		{"raw", "{% raw %}${{ github.sha }}{% endraw %}", "${{ github.sha }}"},
		{"comment", "a{# ${{ ignored }} #}b", "ab"},
		{"closing braces in a string", `${{ "}}" }}`, "}}"},
		{"GitHub Actions syntax stays when not ours", "run: echo ${{ 'ok' }}", "run: echo ok"},
		{"plain text", "no templating here", "no templating here"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := RenderString(tc.src, vars)
			if err != nil {
				t.Fatalf("error %v", err)
			}
			if got != tc.want {
				t.Errorf("got %q, want %q", got, tc.want)
			}
		})
	}
}

func TestRenderErrors(t *testing.T) {
	for _, src := range []string{"${{ values.x | nofilter }}", "${{ values.", "{% if x %}no end", "{% macro m() %}{% endmacro %}", "${{ unclosed"} {
		if _, err := RenderString(src, map[string]any{}); err == nil {
			t.Errorf("%q rendered without an error", src)
		}
	}
}

func TestRenderValueKeepsTypes(t *testing.T) {
	vars := map[string]any{"parameters": map[string]any{"repoUrl": "github.com?owner=acme&repo=svc", "port": float64(8080)}}
	got, err := RenderValue(map[string]any{
		"destination": "${{ parameters.repoUrl | parseRepoUrl }}",
		"port":        "${{ parameters.port }}",
		"text":        "port ${{ parameters.port }}",
		"list":        []any{"${{ parameters.port }}", true},
	}, vars)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]any{
		"destination": map[string]any{"host": "github.com", "owner": "acme", "repo": "svc"},
		"port":        float64(8080),
		"text":        "port 8080",
		"list":        []any{float64(8080), true},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %#v\nwant %#v", got, want)
	}
}

func TestEvaluateConditions(t *testing.T) {
	vars := map[string]any{"parameters": map[string]any{"a": "x", "n": float64(3), "list": []any{"go"}}}
	cases := map[string]bool{
		"parameters.a":       true,
		"parameters.missing": false,
		"parameters.a == 'x' and parameters.n >= 3": true,
		"not parameters.a or false":                 false,
		"'go' in parameters.list":                   true,
		"'rust' not in parameters.list":             true,
		"parameters.n == '3'":                       true,
	}
	for src, want := range cases {
		v, err := Evaluate(src, vars)
		if err != nil || truthy(v) != want {
			t.Errorf("%s: got %v (%v), want %v", src, v, err, want)
		}
	}
	if _, err := Evaluate("parameters.a +", vars); err == nil || !strings.Contains(err.Error(), "parameters.a +") {
		t.Errorf("incomplete expression: %v", err)
	}
}
