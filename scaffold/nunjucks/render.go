package nunjucks

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
)

// Templates are rendered as Backstage's fetch:template renders them: Nunjucks
// with ${{ }} for output, {% %} for tags (if/elif/else, for, set, raw) and
// {# #} for comments, "-" trimming whitespace on either side.

type tmplNode interface {
	render(s *scope, b *strings.Builder) error
}

type (
	textNode string
	outNode  struct{ x exprNode }
	ifNode   struct {
		conds  []exprNode
		bodies [][]tmplNode // one per cond, then the else body if any
	}
	forNode struct {
		vars      []string
		iter      exprNode
		body, els []tmplNode
	}
	setNode struct {
		name string
		x    exprNode
	}
)

// maxRendered bounds what one file renders to: loops over answers must not
// make a request write without end.
const maxRendered = 16 << 20

var errTooLarge = overBudget("renders to more than %d MB", maxRendered>>20)

// emit writes rendered text, within the file's and the job's limits.
func emit(s *scope, b *strings.Builder, text string) error {
	if b.Len()+len(text) > maxRendered {
		return errTooLarge
	}
	if err := s.m.write(len(text)); err != nil {
		return err
	}
	b.WriteString(text)
	return nil
}

func (n textNode) render(s *scope, b *strings.Builder) error {
	if err := s.m.step(1); err != nil {
		return err
	}
	return emit(s, b, string(n))
}

func (n outNode) render(s *scope, b *strings.Builder) error {
	v, err := n.x.eval(s)
	if err != nil || nullish(v) { // undefined and null print nothing
		return err
	}
	out, err := s.m.toString(v)
	if err != nil {
		return err
	}
	return emit(s, b, out)
}

func (n ifNode) render(s *scope, b *strings.Builder) error {
	if err := s.m.step(1); err != nil {
		return err
	}
	for i, c := range n.conds {
		v, err := c.eval(s)
		if err != nil {
			return err
		}
		if truthy(v) {
			return renderAll(n.bodies[i], s, b)
		}
	}
	if len(n.bodies) > len(n.conds) {
		return renderAll(n.bodies[len(n.conds)], s, b)
	}
	return nil
}

func (n forNode) render(s *scope, b *strings.Builder) error {
	v, err := n.iter.eval(s)
	if err != nil {
		return err
	}
	items, err := loopItems(s.m, v, len(n.vars) == 2)
	if err != nil {
		return err
	}
	if len(items) == 0 {
		return renderAll(n.els, s, b)
	}
	for i, it := range items {
		// Each pass costs a step, whether or not it writes anything: a
		// loop of loops that writes nothing ends too.
		if err := s.m.step(1); err != nil {
			return err
		}
		inner := &scope{vars: map[string]any{"loop": map[string]any{
			"index": float64(i + 1), "index0": float64(i), "first": i == 0, "last": i == len(items)-1,
			"length": float64(len(items)), "revindex": float64(len(items) - i), "revindex0": float64(len(items) - i - 1),
		}}, parent: s, m: s.m}
		if len(n.vars) == 2 {
			inner.vars[n.vars[0]], inner.vars[n.vars[1]] = it.k, it.v
		} else {
			inner.vars[n.vars[0]] = it.v
		}
		if err := renderAll(n.body, inner, b); err != nil {
			return err
		}
	}
	return nil
}

type loopItem struct{ k, v any }

// loopItems are what {% for %} goes through, as the JavaScript Nunjucks
// compiles it to: a list's items, a string's characters; with two names,
// each item taken apart as [a, b], or an object's keys and values. A value
// that is false, or has no length, gives none (and the else part renders).
func loopItems(m *Meter, v any, pairs bool) ([]loopItem, error) {
	if !truthy(v) {
		return nil, nil
	}
	var items []loopItem
	switch x := v.(type) {
	case []any:
		if err := m.step(len(x)); err != nil {
			return nil, err
		}
		for i, it := range x {
			it = stored(it)
			if !pairs {
				items = append(items, loopItem{v: it})
				continue
			}
			if nullish(it) {
				return nil, fmt.Errorf("{%% for a, b %%}: item %d is %s, not a pair", i, kindOf(it))
			}
			items = append(items, loopItem{k: member(it, 0.0), v: member(it, 1.0)})
		}
	case string:
		if err := m.step(length16(x)); err != nil {
			return nil, err
		}
		for i, c := range chars16(x) {
			if pairs {
				items = append(items, loopItem{k: strconv.Itoa(i), v: c})
			} else {
				items = append(items, loopItem{v: c})
			}
		}
	case map[string]any:
		if !pairs {
			return nil, nil // an object has no length
		}
		if err := m.step(len(x)); err != nil {
			return nil, err
		}
		for _, k := range objectKeys(x) {
			items = append(items, loopItem{k: k, v: stored(x[k])})
		}
	}
	return items, nil
}

func (n setNode) render(s *scope, _ *strings.Builder) error {
	v, err := n.x.eval(s)
	if err != nil {
		return err
	}
	s.set(n.name, v)
	return nil
}

func renderAll(ns []tmplNode, s *scope, b *strings.Builder) error {
	for _, n := range ns {
		if err := n.render(s, b); err != nil {
			return err
		}
	}
	return nil
}

// RenderString renders a template's text against vars, as fetch:template
// renders a skeleton's file or path, within m's budget.
func (m *Meter) RenderString(src string, vars map[string]any) (string, error) {
	return renderString(m, src, vars)
}

// RenderValue renders a step input (see the function RenderValue), within
// m's budget.
func (m *Meter) RenderValue(v any, vars map[string]any) (any, error) {
	return renderValue(m, v, vars)
}

// Condition evaluates a step's if: (a boolean, or a ${{ }} expression), as
// Backstage's runner reads it: rendered as a step input, then an empty
// list is false and anything else as JavaScript has it.
func (m *Meter) Condition(v any, vars map[string]any) (bool, error) {
	r, err := renderValue(m, v, vars)
	if err != nil {
		return false, err
	}
	if l, ok := r.([]any); ok {
		return len(l) > 0, nil
	}
	return truthy(r), nil
}

// RenderString renders a template's text against vars, within
// DefaultBudget.
func RenderString(src string, vars map[string]any) (string, error) {
	return renderString(NewMeter(context.Background(), DefaultBudget), src, vars)
}

func renderString(m *Meter, src string, vars map[string]any) (string, error) {
	if !strings.Contains(src, "${{") && !strings.Contains(src, "{%") && !strings.Contains(src, "{#") {
		if err := m.write(len(src)); err != nil {
			return "", err
		}
		return src, nil
	}
	if err := m.step(1 + len(src)/checkEvery); err != nil {
		return "", err
	}
	nodes, err := compileTemplate(src)
	if err != nil {
		return "", err
	}
	var b strings.Builder
	if err := renderAll(nodes, &scope{vars: copyVars(vars), m: m}, &b); err != nil {
		return "", err
	}
	return b.String(), nil
}

func copyVars(vars map[string]any) map[string]any {
	out := make(map[string]any, len(vars))
	for k, v := range vars {
		out[k] = v
	}
	return out
}

// RenderValue evaluates a step input as Backstage's workflow runner does:
// a string that is one ${{ }} (or one {% %} block) and nothing else keeps
// the value it makes (an object, a number) when that reads as JSON; other
// strings are rendered as text; a string that renders to nothing is
// undefined (nil, and left out of an object); lists and objects are
// rendered item by item. It spends DefaultBudget.
func RenderValue(v any, vars map[string]any) (any, error) {
	return renderValue(NewMeter(context.Background(), DefaultBudget), v, vars)
}

func renderValue(m *Meter, v any, vars map[string]any) (any, error) {
	if err := m.step(1); err != nil {
		return nil, err
	}
	switch v := v.(type) {
	case string:
		return renderInput(m, v, vars)
	case []any:
		out := make([]any, len(v))
		for i, x := range v {
			r, err := renderValue(m, x, vars)
			if err != nil {
				return nil, err
			}
			out[i] = r
		}
		return out, nil
	case map[string]any:
		out := make(map[string]any, len(v))
		for k, x := range v {
			r, err := renderValue(m, x, vars)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", k, err)
			}
			if r != nil {
				out[k] = r
			}
		}
		return out, nil
	}
	return v, nil
}

var reSoleOutput = regexp.MustCompile(`\$\{\{(.+)\}\}`)

// renderInput renders one string of a step's input.
func renderInput(m *Meter, s string, vars map[string]any) (any, error) {
	if single(s) {
		// As the runner does: dump what the expression makes, and read
		// that back as JSON; if it does not read, render the text.
		wrapped := reSoleOutput.ReplaceAllString(s, "$${{ ( $1 ) | dump }}")
		out, err := renderString(m, wrapped, vars)
		if Interrupted(err) || isBudget(err) {
			return nil, err
		}
		if err == nil {
			if out == "" {
				return nil, nil
			}
			var v any
			if json.Unmarshal([]byte(out), &v) == nil {
				return stored(v), nil // a JSON null is null, kept in an object
			}
		}
	}
	out, err := renderString(m, s, vars)
	if err != nil || out == "" {
		return nil, err
	}
	return out, nil
}

func isBudget(err error) bool {
	var be *BudgetError
	return errors.As(err, &be)
}

// single reports whether s is one ${{ }}, or one {% %} block, and nothing
// else: what the runner renders as a value rather than as text.
func single(s string) bool {
	nodes, err := compileTemplate(s)
	if err != nil || len(nodes) != 1 {
		return false
	}
	_, text := nodes[0].(textNode)
	return !text
}
