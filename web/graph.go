package web

import (
	"fmt"
	"strings"

	"github.com/callboard/callboard/catalog"
	"github.com/callboard/callboard/digest"
	"github.com/callboard/callboard/internal/humanize"
)

// neighbour is an entity at the other end of one of the page's relations.
type neighbour struct {
	Rel, Ref, Kind, Name, URL string
}

// graph is an SVG drawing of an entity and its neighbours, laid out here so
// the template only writes coordinates.
type graph struct {
	W, H  int
	Nodes []graphNode
	Edges []string // SVG path data
	Label string   // what the drawing shows, for screen readers
}

type graphNode struct {
	X, Y, W, H   int
	TX, TY1, TY2 int    // text anchor and the two baselines
	Top, Name    string // "ownedBy · Group", the name (cut to fit)
	Full         string // the whole name, as a tooltip
	URL          string
	Center, More bool
}

// outgoing relations point from the entity to what it uses, provides or
// holds; the others point at what it belongs to or what uses it.
var outgoing = map[string]bool{
	catalog.RelDependsOn: true, catalog.RelProvidesAPI: true, catalog.RelConsumesAPI: true,
	catalog.RelHasPart: true, catalog.RelOwnerOf: true, catalog.RelParentOf: true, catalog.RelHasMember: true,
}

// Sizes of the drawings, in SVG units.
const (
	nodeW, nodeH, nodeGap = 224, 50, 12
	wideW                 = 760
	maxSide               = 7 // nodes per side before "+N more"
	narrowW               = 340
	maxNarrow             = 12
	nameChars             = 26
)

func (n neighbour) node(x, y int) graphNode {
	top := n.Rel
	if n.Kind != "" {
		top += " · " + n.Kind
	}
	return graphNode{X: x, Y: y, W: nodeW, H: nodeH, TX: x + 12, TY1: y + 19, TY2: y + 38,
		Top: top, Name: cut(n.Name, nameChars), Full: n.Name, URL: n.URL}
}

func cut(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}

func more(n, x, y int) graphNode {
	return graphNode{X: x, Y: y, W: nodeW, H: nodeH, TX: x + 12, TY1: y + 19, TY2: y + 38,
		Top: "and", Name: humanize.Plural(n, "more relation", "more relations"), Full: "listed below", URL: "#relations", More: true}
}

// layoutWide puts what the entity belongs to on the left, the entity in the
// middle and what it uses or holds on the right, each joined by a curve.
func layoutWide(center neighbour, ns []neighbour) graph {
	var left, right []neighbour
	for _, n := range ns {
		if outgoing[n.Rel] {
			right = append(right, n)
		} else {
			left = append(left, n)
		}
	}
	rows := max(min(len(left), maxSide), min(len(right), maxSide), 1)
	g := graph{W: wideW, H: rows*(nodeH+nodeGap) - nodeGap + 24}
	cx, cy := (wideW-nodeW)/2, (g.H-nodeH)/2
	c := center.node(cx, cy)
	c.Top, c.Center = center.Kind, true
	side := func(list []neighbour, x int, fromRight bool) {
		shown := list
		extra := 0
		if len(list) > maxSide {
			shown, extra = list[:maxSide-1], len(list)-(maxSide-1)
		}
		count := len(shown)
		if extra > 0 {
			count++
		}
		top := (g.H - (count*(nodeH+nodeGap) - nodeGap)) / 2
		for i := range count {
			y := top + i*(nodeH+nodeGap)
			var nd graphNode
			if i < len(shown) {
				nd = shown[i].node(x, y)
			} else {
				nd = more(extra, x, y)
			}
			g.Nodes = append(g.Nodes, nd)
			// A curve from the neighbour's inner side to the entity's.
			x1, y1 := x+nodeW, y+nodeH/2
			x2, y2 := cx, cy+nodeH/2
			if fromRight {
				x1, x2 = x, cx+nodeW
			}
			mx := (x1 + x2) / 2
			g.Edges = append(g.Edges, fmt.Sprintf("M%d %d C%d %d %d %d %d %d", x1, y1, mx, y1, mx, y2, x2, y2))
		}
	}
	side(left, 8, false)
	side(right, wideW-nodeW-8, true)
	g.Nodes = append(g.Nodes, c)
	g.Label = graphLabel(center, ns)
	return g
}

// layoutNarrow is the phone's drawing: the entity on top and its neighbours
// below it on a stem, like a tree.
func layoutNarrow(center neighbour, ns []neighbour) graph {
	shown, extra := ns, 0
	if len(ns) > maxNarrow {
		shown, extra = ns[:maxNarrow-1], len(ns)-(maxNarrow-1)
	}
	count := len(shown)
	if extra > 0 {
		count++
	}
	const indent = 28
	w := nodeW + indent + 8
	g := graph{W: max(w, narrowW), H: (count+1)*(nodeH+nodeGap) + 4}
	c := center.node(4, 4)
	c.Top, c.Center = center.Kind, true
	stem := 4 + 16
	for i := range count {
		y := 4 + (i+1)*(nodeH+nodeGap)
		var nd graphNode
		if i < len(shown) {
			nd = shown[i].node(indent+4, y)
		} else {
			nd = more(extra, indent+4, y)
		}
		g.Nodes = append(g.Nodes, nd)
		g.Edges = append(g.Edges, fmt.Sprintf("M%d %d V%d H%d", stem, 4+nodeH, y+nodeH/2, indent+4))
	}
	g.Nodes = append(g.Nodes, c)
	g.Label = graphLabel(center, ns)
	return g
}

func graphLabel(center neighbour, ns []neighbour) string {
	if len(ns) == 0 {
		return center.Name + " has no relations"
	}
	parts := make([]string, 0, len(ns))
	for _, n := range ns {
		parts = append(parts, n.Rel+" "+n.Name)
	}
	return center.Name + ": " + strings.Join(parts, ", ")
}

// sparkline is a row of weekly bars drawn in SVG.
type sparkline struct {
	W, H int
	Bars []bar
}

type bar struct {
	X, Y, W, H int
	Label      string
	Now, Zero  bool
}

const (
	sparkBarW, sparkGap, sparkH = 10, 3, 28
)

func newSparkline(counts []int, weeks []digest.Week) sparkline {
	hi := 0
	for _, n := range counts {
		hi = max(hi, n)
	}
	s := sparkline{W: len(counts)*(sparkBarW+sparkGap) - sparkGap, H: sparkH}
	for i, n := range counts {
		b := bar{X: i * (sparkBarW + sparkGap), W: sparkBarW, Now: i == len(counts)-1}
		if i < len(weeks) {
			b.Label = fmt.Sprintf("%s: %s", weeks[i], humanize.Plural(n, "event", "events"))
		}
		h := 2
		if hi > 0 && n > 0 {
			h = max(3, n*sparkH/hi)
		} else {
			b.Zero = true
		}
		b.H, b.Y = h, sparkH-h
		s.Bars = append(s.Bars, b)
	}
	return s
}
