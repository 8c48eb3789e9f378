package nunjucks

import (
	"math"
	"reflect"
	"slices"
	"strings"
	"unicode/utf16"
)

// JavaScript's comparisons: ==, ===, <, and the order of an object's keys.

// looseEqual is JavaScript's ==.
func looseEqual(a, b any) bool {
	if kindOf(a) == kindOf(b) {
		return strictEqual(a, b)
	}
	if nullish(a) || nullish(b) {
		return nullish(a) && nullish(b)
	}
	if ab, ok := a.(bool); ok {
		return looseEqual(toNumber(ab), b)
	}
	if bb, ok := b.(bool); ok {
		return looseEqual(a, toNumber(bb))
	}
	pa, pb := toPrimitive(a), toPrimitive(b)
	if kindOf(pa) != kindOf(a) || kindOf(pb) != kindOf(b) {
		return looseEqual(pa, pb)
	}
	// A number and a string.
	return toNumber(a) == toNumber(b)
}

// strictEqual is JavaScript's ===: lists and objects are equal only to
// themselves.
func strictEqual(a, b any) bool {
	if kindOf(a) != kindOf(b) {
		return false
	}
	switch a.(type) {
	case []any, map[string]any:
		ra, rb := reflect.ValueOf(a), reflect.ValueOf(b)
		return ra.Pointer() == rb.Pointer() && ra.Len() == rb.Len()
	case float64, int:
		return toNumber(a) == toNumber(b)
	}
	return a == b
}

// kindOf is JavaScript's typeof, with null apart.
func kindOf(v any) string {
	switch v.(type) {
	case nil:
		return "undefined"
	case nullValue:
		return "null"
	case bool:
		return "boolean"
	case float64, int:
		return "number"
	case string:
		return "string"
	}
	return "object"
}

// relational is JavaScript's <, <=, > and >=.
func relational(op string, a, b any) bool {
	pa, pb := toPrimitive(a), toPrimitive(b)
	as, aok := pa.(string)
	bs, bok := pb.(string)
	c := 0
	if aok && bok {
		c = compareUTF16(as, bs)
	} else {
		x, y := toNumber(pa), toNumber(pb)
		if math.IsNaN(x) || math.IsNaN(y) {
			return false
		}
		c = cmpFloat(x, y)
	}
	switch op {
	case "<":
		return c < 0
	case "<=":
		return c <= 0
	case ">":
		return c > 0
	}
	return c >= 0
}

func cmpFloat(x, y float64) int {
	switch {
	case x < y:
		return -1
	case x > y:
		return 1
	}
	return 0
}

// compareUTF16 orders strings as JavaScript does, by UTF-16 code unit.
func compareUTF16(a, b string) int {
	return slices.Compare(utf16.Encode([]rune(a)), utf16.Encode([]rune(b)))
}

// objectKeys are an object's keys in JavaScript's order: integer keys in
// ascending order, then the others (sorted here: their order of insertion
// is not kept).
func objectKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(a, b string) int {
		ia, aok := arrayIndex(a)
		ib, bok := arrayIndex(b)
		switch {
		case aok && bok:
			return ia - ib
		case aok:
			return -1
		case bok:
			return 1
		}
		return strings.Compare(a, b)
	})
	return keys
}
