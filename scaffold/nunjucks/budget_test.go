package nunjucks

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"
)

// gigabyteTemplate is a few hundred bytes that ask for 8.6 GB: each replace
// makes the string eight times longer.
var gigabyteTemplate = `${{ "xxxxxxxx"` + strings.Repeat(`|replace("x","xxxxxxxx")`, 10) + ` }}`

// TestIssue12_03_TemplateBudget: chained string filters, JSON of a value that
// holds itself, concatenation in a loop and deep nesting are refused with a
// BudgetError (or a syntax error), without allocating what they ask for.
func TestIssue12_03_TemplateBudget(t *testing.T) {
	if len(gigabyteTemplate) > 300 {
		t.Fatalf("the template is %d bytes; the point is that it is small", len(gigabyteTemplate))
	}
	doubling := `{% set a = ["xxxxxxxxxxxxxxxx"] %}` + strings.Repeat(`{% set a = [a, a] %}`, 40) + `${{ a | dump }}`
	concat := `{% set s = "x" %}` + strings.Repeat(`{% set s = s ~ s %}`, 40) + `${{ s | length }}`
	cases := map[string]string{
		"chained replace":                   gigabyteTemplate,
		"dump of a value that holds itself": doubling,
		"join of a value that holds itself": strings.Replace(doubling, "| dump", "| join('--')", 1),
		"list printed as text":              strings.Replace(doubling, "a | dump", "a", 1),
		"concatenation, set after set":      concat,
		"dump indent":                       `${{ [1] | dump(1000000000) | length }}`,
		"deep parentheses":                  "${{ " + strings.Repeat("(", 100_000) + "1" + strings.Repeat(")", 100_000) + " }}",
		"deep blocks":                       strings.Repeat("{% if true %}", 100_000) + strings.Repeat("{% endif %}", 100_000),
		"deep prefix operators":             "${{ " + strings.Repeat("-", 100_000) + "1 }}",
	}
	for name, src := range cases {
		t.Run(name, func(t *testing.T) {
			out, err := RenderString(src, nil)
			if err == nil {
				if name == "dump indent" {
					// JSON.stringify cuts the indent to 10: "[\n          1\n]".
					if out != "15" {
						t.Fatalf("got %q, want 15", out)
					}
					return
				}
				t.Fatalf("rendered %d bytes without an error", len(out))
			}
			if len(out) > 0 {
				t.Errorf("output %d bytes beside the error %v", len(out), err)
			}
			var be *BudgetError
			if strings.HasPrefix(name, "deep") {
				if !strings.Contains(err.Error(), "nested more than") {
					t.Errorf("error %q, want one about nesting", err)
				}
				return
			}
			if !errors.As(err, &be) {
				t.Errorf("error %T %v, want a *BudgetError", err, err)
			}
		})
	}
}

// TestIssue12_03_BudgetAsUsersReadIt: the refusal says which limit, in
// words a template author can act on.
func TestIssue12_03_BudgetAsUsersReadIt(t *testing.T) {
	_, err := RenderString(gigabyteTemplate, nil)
	if err == nil || err.Error() != "the template makes a value of more than 1 MB (the limit of one value)" {
		t.Errorf("got %v", err)
	}
}

// TestIssue12_06_LoopsThatWriteNothingEnd: nested loops that write nothing
// stop at the step budget, and at once when the request is cancelled
// (SIGTERM, a timeout), with the context's error, not a budget's.
func TestIssue12_06_LoopsThatWriteNothingEnd(t *testing.T) {
	items := make([]any, 1000)
	for i := range items {
		items[i] = float64(i)
	}
	vars := map[string]any{"values": map[string]any{"items": items}}
	src := `{% for a in values.items %}{% for b in values.items %}{% for c in values.items %}{% endfor %}{% endfor %}{% endfor %}done`

	_, err := RenderString(src, vars)
	var be *BudgetError
	if !errors.As(err, &be) || !strings.Contains(err.Error(), "steps") {
		t.Fatalf("a billion empty iterations: got %v, want the step budget", err)
	}

	// Cancelled: with a budget large enough that only the context can stop it.
	ctx, cancel := context.WithCancel(context.Background())
	m := NewMeter(ctx, Budget{Steps: 1 << 40, Time: time.Hour})
	stopped := make(chan error, 1)
	go func() {
		_, err := renderString(m, src, vars)
		stopped <- err
	}()
	cancel()
	if err := <-stopped; !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled render: got %v, want context.Canceled", err)
	}
	if !Interrupted(context.Canceled) || Interrupted(be) {
		t.Errorf("Interrupted() must tell a cancelled render from one over budget")
	}
	// The same loops in a step's input stop too: scaffold's
	// TestIssue12_06_LoopsThatWriteNothingEndInPlans.
}

// TestBudgetLeavesTemplatesAlone: real templates render as before within the
// default budget (the render tests cover the output; this covers a large,
// honest skeleton file).
func TestBudgetLeavesTemplatesAlone(t *testing.T) {
	src := strings.Repeat("name: ${{ values.name }}\n{% for t in values.tags %}- ${{ t | upper }}\n{% endfor %}", 2000)
	vars := map[string]any{"values": map[string]any{"name": "payments-api", "tags": []any{"go", "grpc", "payments"}}}
	out, err := RenderString(src, vars)
	if err != nil {
		t.Fatal(err)
	}
	if want := 2000 * len("name: payments-api\n- GO\n- GRPC\n- PAYMENTS\n"); len(out) != want {
		t.Errorf("rendered %d bytes, want %d", len(out), want)
	}
}
