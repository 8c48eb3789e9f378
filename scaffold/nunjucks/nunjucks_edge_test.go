package nunjucks

import (
	"strings"
)

// edgeVars are the values the edge cases read: every JSON type, the values
// JavaScript converts in surprising ways, and what Backstage's pickers give.
func edgeVars() map[string]any {
	return map[string]any{
		"values": map[string]any{
			"name": "payments-api", "empty": "", "zero": float64(0), "one": float64(1), "neg": -1.5,
			"big": 1e21, "million": 1234567.5, "tiny": 1e-7, "frac": 0.1, "third": 1.0 / 3,
			"t": true, "f": false, "null": nil, "str0": "0", "strFalse": "false", "num": "42",
			"list": []any{"go", "grpc"}, "nums": []any{float64(3), float64(1), float64(2)},
			"mixed":     []any{float64(1), "a", nil, true, []any{"x", "y"}, map[string]any{"k": "v"}},
			"emptyList": []any{},
			"obj":       map[string]any{"a": float64(1), "b": "two", "10": "ten", "2": "two"},
			"emptyObj":  map[string]any{},
			"spaces":    "  padded  words  ",
			"quote":     "say \"hi\" \\ <b>&amp; 'x'",
			"unicode":   "grüße ÉCOLE ǆ 😀",
			"multi":     "line1\nline2\ttab\r\n\u0001\u2028",
			"mixedCase": "hello wORLD-foo_bar",
			"repoUrl":   "github.com?owner=acme&repo=payments-api",
			"ref":       "group:default/payments",
		},
		"parameters": map[string]any{"repoUrl": "github.com?owner=acme&repo=payments-api", "owner": "payments"},
	}
}

// edgeOperands are expressions whose values edgeOps are applied to.
var edgeOperands = []string{
	"values.name", "values.empty", "values.zero", "values.one", "values.neg", "values.big", "values.million",
	"values.tiny", "values.frac", "values.third", "values.t", "values.f", "values.null", "values.missing",
	"values.missing.deeper", "values.str0", "values.strFalse", "values.num", "values.list", "values.nums",
	"values.mixed", "values.emptyList", "values.obj", "values.emptyObj", "values.spaces", "values.quote",
	"values.unicode", "values.multi", "values.mixedCase", "values.list[0]", "values.list[9]", "values.obj['10']",
	"values.obj.a", "values.list.length", "values.name.length", "values.obj.length", "values['null']",
}

// edgeOps are templates of one operand, X.
var edgeOps = []string{
	"${{ X }}",
	"${{ X | dump }}",
	"{% if X %}yes{% else %}no{% endif %}",
	"${{ X | default('d') }}",
	"${{ X | default('d', true) }}",
	"${{ X | length }}",
	"${{ X | string }}",
	"${{ X ~ '|' }}",
	"${{ X + 1 }}",
	"${{ X == 0 }}",
	"${{ X == '' }}",
	"${{ not X }}",
	"${{ X and 'and' }}",
	"${{ X or 'or' }}",
	"${{ 'y' if X else 'n' }}",
	"${{ X | lower }}",
	"${{ X | upper }}",
	"${{ X | trim }}",
	"${{ X | capitalize }}",
	"${{ X | title }}",
	"${{ X | first }}",
	"${{ X | last }}",
	"${{ X | join('-') }}",
	"${{ X | int }}",
	"${{ X | float }}",
	"${{ X | urlencode }}",
	"${{ X | replace('a', '_') }}",
	"${{ 'go' in X }}",
	"{% for i in X %}[${{ i }}]{% else %}none{% endfor %}",
	"{% for k, v in X %}${{ k }}=${{ v }};{% endfor %}",
}

// edgeTemplates are templates on their own: syntax, whitespace control,
// raw, loops, literals, operators, and Backstage's filters.
var edgeTemplates = []string{
	// whitespace control
	"a\n  {%- if true -%}\n  b\n{%- endif %}\nc",
	"a  ${{- values.name -}}  b",
	"{% for t in values.list -%}\n  ${{ t }}\n{%- endfor %}",
	"line\n{% if values.t %}\nkept\n{% endif %}\nend",
	"  {%- set x = 1 %} ${{ x }}",
	"{# a comment #}x{#- trimmed -#}  y",
	// raw and tags that are text
	"{% raw %}${{ github.sha }} {% if %}{% endraw %}",
	"{% raw -%}  x  {%- endraw %}",
	"{% raw -%}  x  {% endraw %}|{%- raw %}  y  {% endraw -%}  |",
	"{% raw %}a{% raw %}b{% endraw %}c{% endraw %}d",
	"{% raw %}${{ values.name }} without an end",
	"{% verbatim %}${{ x }}{% endverbatim %}",
	"run: echo ${{ 'ok' }} and {{ not_ours }}",
	"${ {not} } $${{ values.name }} ${{{ values.name }}}",
	// loops
	"{% for t in values.list %}${{ loop.index }}/${{ loop.length }}:${{ t }}${{ ',' if not loop.last }}{% endfor %}",
	"{% for t in values.list %}${{ loop.index0 }}${{ loop.first }}${{ loop.revindex }}${{ loop.revindex0 }}{% endfor %}",
	"{% for a, b in [[1, 2], [3, 4], [5]] %}${{ a }}-${{ b }};{% endfor %}",
	"{% for k, v in values.obj %}${{ k }}:${{ v }},{% endfor %}",
	"{% for x in values.nums %}{% for y in values.list %}${{ x }}${{ y }} {% endfor %}{% endfor %}",
	"{% for x in values.missing %}x{% else %}empty{% endfor %}",
	"{% for x in 'abc' %}${{ x }}.{% endfor %}",
	"{% set total = 0 %}{% for n in values.nums %}{% set total = total + n %}{% endfor %}${{ total }}",
	// set
	"{% set greeting = 'hi ' ~ values.name %}${{ greeting | upper }}",
	"{% set l = [1, 'two', values.t] %}${{ l | dump }}",
	"{% set o = {a: 1, 'b-c': [true, none]} %}${{ o | dump }} ${{ o['b-c'] }}",
	// literals and operators
	"${{ 1 + 2 * 3 - 4 / 2 }} ${{ 7 % 3 }} ${{ -values.one }} ${{ +values.str0 }}",
	"${{ 10 / 4 }} ${{ 1 / 0 }} ${{ -1 / 0 }} ${{ 0 / 0 }}",
	"${{ 0.1 + 0.2 }} ${{ 123456789 * 1000000000000 }} ${{ 2 ** 3 }} ${{ 7 // 2 }}",
	"${{ 'a' + 1 }} ${{ 1 + '1' }} ${{ 'a' ~ 1 ~ true ~ none }} ${{ values.t + 1 }}",
	"${{ 'abc' < 'abd' }} ${{ 2 > '10' }} ${{ '2' > '10' }} ${{ values.null == values.missing }} ${{ values.null === values.missing }}",
	"${{ 1 == '1' }} ${{ 1 === '1' }} ${{ 1 != 2 }} ${{ true == 1 }} ${{ 'go' in values.list }} ${{ 'x' not in values.list }}",
	"${{ 'b' in values.obj }} ${{ 'ay' in 'payments' }} ${{ 1 in values.nums }}",
	"${{ true }} ${{ false }} ${{ True }} ${{ none }} ${{ null }} ${{ undefined }}",
	"${{ \"double\" ~ 'single' ~ 'it\\'s' ~ \"a\\\"b\" ~ 'tab\\there' ~ 'nl\\n' }}",
	"${{ [1, [2, [3]], 'x'] }} ${{ {a: 1} }} ${{ [] }} ${{ [none, undefined] }}",
	"${{ values.obj.b }} ${{ values['obj']['b'] }} ${{ values.list.0 }} ${{ values.list[1] }}",
	"${{ (values.t and values.f) or 'fallback' }} ${{ values.zero or values.empty or 'last' }}",
	"${{ 'a' if values.f }}|${{ 'a' if values.f else 'b' if values.t else 'c' }}",
	"${{ values.name | replace('-', '_') | upper }} ${{ values.name | replace('a', 'A', 1) }}",
	"${{ values.name | replace('', '.') }}",
	"${{ values.list | join }} ${{ values.mixed | join(', ') }} ${{ values.nums | join(1) }}",
	"${{ values.missing | default(values.name) | upper }}",
	"${{ values.obj | dump(2) }}",
	"${{ values.mixed | dump('\\t') }}",
	"${{ values.list | dump(20) }}",
	"${{ values.quote | dump }} ${{ values.multi | dump }} ${{ values.unicode | dump }}",
	"${{ [values.big, values.tiny, values.million, values.neg, values.third] | dump }}",
	"${{ values.obj | length }} ${{ 'grüße' | length }} ${{ '😀' | length }}",
	"${{ values.name | capitalize }} ${{ 'ÉCOLE' | lower }} ${{ 'ǆ' | upper }} ${{ 'ß' | upper }}",
	"${{ 'a b  c' | title }} ${{ 'it''s' | title }}",
	"${{ '3.7' | int }} ${{ '3.7' | float }} ${{ 'x' | int }} ${{ '0x1A' | int }} ${{ '1e3' | int }} ${{ -3.7 | int }}",
	"${{ 'a b&c/d?e=é' | urlencode }} ${{ values.obj | urlencode }}",
	"${{ values.name | safe }} ${{ values.name | d('x') }}",
	// Backstage's filters
	"${{ parameters.repoUrl | parseRepoUrl | dump }}",
	"${{ (parameters.repoUrl | parseRepoUrl).owner }}/${{ (parameters.repoUrl | parseRepoUrl)['repo'] }}",
	"${{ parameters.repoUrl | projectSlug }}",
	"${{ 'GitHub.com?repo=x&owner=%2Facme%2F' | parseRepoUrl | dump }}",
	"${{ 'github.com?owner=a+b&repo=c' | projectSlug }}",
	"${{ 'github.com?repo=x' | parseRepoUrl | dump }}",
	"${{ 'github.com?owner=acme' | projectSlug }}",
	"${{ 'gitlab.com?owner=acme&repo=x' | parseRepoUrl | dump }}",
	"${{ 'github.com' | parseRepoUrl | dump }}",
	"${{ (values.ref | parseEntityRef).name }}",
	"${{ ('payments' | parseEntityRef({defaultKind: 'group', defaultNamespace: 'other'})).namespace }}",
	"${{ 'payments' | parseEntityRef | dump }}",
	"${{ 'user:alice' | parseEntityRef | pick('kind') }}",
	"${{ values.obj | pick('b') }}",
	"${{ values | pick('obj.b') }}",
	"${{ values | pick('list[1]') }}",
	"${{ values.obj | pick('nothing') }}",
	// errors both should give
	"${{ values.name | nofilter }}",
	"${{ values. }}",
	"{% if values.t %}no end",
	"${{ unclosed",
	"{% endif %}",
	"{% for x in %}{% endfor %}",
}

// keyOrderReason is why an object's keys may print in another order.
const keyOrderReason = "callboard keeps an object's keys in JavaScript's order for keys that arrive sorted (integer keys first, then the others sorted: values pass between steps as JSON objects, and Go's maps keep no order); Nunjucks prints an object a literal or a filter made in the order it was made"

// edgeDifferences are what callboard renders differently on purpose.
var edgeDifferences = []renderCase{
	{Mode: "text", Src: "${{ {b: 1, a: 2, '1': 'one'} | dump }}", keyOrder: keyOrderReason},
	{Mode: "text", Src: "${{ 'github.com?owner=acme&repo=x&organization=org' | parseRepoUrl | dump }}", keyOrder: keyOrderReason},
	{Mode: "text", Src: "${{ values.ref | parseEntityRef | dump }}", keyOrder: keyOrderReason},
	{Mode: "text", Src: "${{ 'Group:Default/Payments' | parseEntityRef | dump }}", keyOrder: keyOrderReason},
	{Mode: "text", Src: "${{ 'payments' | parseEntityRef({defaultKind: 'group'}) | dump }}", keyOrder: keyOrderReason},
	{Mode: "text", Src: "${{ 'example.org?owner=acme&repo=x' | parseRepoUrl | dump }}",
		lenient: "callboard has no integrations config: it reads a repoUrl on any host as its GitHub's, where Backstage refuses a host it has no integration for"},
	{Mode: "text", Src: "${{ values.name.toUpperCase() }}",
		refused: "Nunjucks calls the JavaScript methods of values; callboard's templates call no function"},
	{Mode: "text", Src: "${{ values.list | sort | join }}",
		refused: "callboard renders the filters Backstage templates use (see filters.go); any other is refused, never rendered differently"},
	{Mode: "text", Src: "{% macro m() %}x{% endmacro %}${{ m() }}",
		refused: "callboard renders the tags if, for, set and raw; any other is refused"},
	{Mode: "text", Src: "${{ values.name if values.name is defined }}",
		refused: "callboard has no tests (is defined, is odd, ...); the template is refused"},
}

// edgeCases are the edge templates, each operator applied to each operand,
// and step inputs and if: conditions of every operand.
func edgeCases() []renderCase {
	vars := edgeVars()
	var out []renderCase
	for _, src := range edgeTemplates {
		out = append(out, renderCase{Name: "edge", Mode: "text", Src: src, Vars: vars})
	}
	for _, c := range edgeDifferences {
		c.Name, c.Vars = "deliberate difference", vars
		out = append(out, c)
	}
	for _, x := range edgeOperands {
		for _, op := range edgeOps {
			out = append(out, renderCase{Name: "op " + x, Mode: "text", Src: strings.ReplaceAll(op, "X", x), Vars: vars})
		}
		out = append(out,
			renderCase{Name: "input " + x, Mode: "value", Src: map[string]any{"v": "${{ " + x + " }}", "text": "is ${{ " + x + " }}", "list": []any{"${{ " + x + " }}"}}, Vars: vars},
			renderCase{Name: "if " + x, Mode: "if", Src: "${{ " + x + " }}", Vars: vars})
	}
	for _, src := range []any{true, false, "false", "", "yes", " ${{ values.f }}", "${{ values.f }} ", "${{ values.emptyList }}", "${{ values.t }}${{ values.f }}", "{% if values.t %}x{% endif %}"} {
		out = append(out,
			renderCase{Name: "if literal", Mode: "if", Src: src, Vars: vars},
			renderCase{Name: "input literal", Mode: "value", Src: map[string]any{"v": src}, Vars: vars})
	}
	return out
}
