package catalog

import (
	"errors"
	"fmt"
	"math/bits"
	"strings"
	"unicode/utf8"
)

// codeownersPattern is a compiled pattern: a list of path segments matched by a small NFA
// whose states, "the first i segments have matched", are the bits of a uint64.
type codeownersPattern struct {
	segs       []codeownersSegment
	doubleStar uint64 // bit i set when segs[i] is "**"
	mode       codeownersMode
}

type codeownersMode uint8

const (
	// codeownersSelfOrAncestor matches the path itself or any directory above it, as gitignore
	// does for a pattern without a trailing slash: "/docs" owns docs/a/b.md.
	codeownersSelfOrAncestor codeownersMode = iota
	// codeownersUnder matches only below a matching directory: "docs/" and "docs/**".
	codeownersUnder
	// codeownersExact matches only the path itself. GitHub documents that "docs/*" owns
	// docs/a.md but not docs/build/b.md, unlike gitignore.
	codeownersExact
)

type codeownersSegment struct {
	lit  string            // the segment when it has no wildcards
	glob []codeownersToken // otherwise, unless it is "**"
	any  bool              // "**": zero or more whole segments
}

type codeownersToken struct {
	lit  string // when neither star nor one
	star bool   // "*": any run of characters within the segment
	one  bool   // "?": a single character
}

func compileCodeownersPattern(pattern string) (*codeownersPattern, error) {
	switch {
	case pattern == "":
		return nil, errors.New("empty pattern")
	case pattern[0] == '!':
		return nil, fmt.Errorf("negated pattern %q is not supported", pattern)
	case strings.HasPrefix(pattern, `\#`):
		// GitHub documents that this gitignore escape does not work in CODEOWNERS.
		return nil, fmt.Errorf("escaping a leading \"#\" in pattern %q is not supported", pattern)
	}
	raw, err := splitCodeownersPattern(pattern)
	if err != nil {
		return nil, err
	}
	rooted := raw[0] == ""
	dirOnly := len(raw) > 1 && raw[len(raw)-1] == ""
	segs := cleanCodeownersSegments(raw)
	if len(segs) == 0 {
		return nil, fmt.Errorf("pattern %q matches no path", pattern)
	}
	// Only a single name matches at any depth; a slash at the start or in the middle roots it.
	if !rooted && len(segs) == 1 && segs[0] != "**" {
		segs = append([]string{"**"}, segs...)
	}
	segs, mode := codeownersModeOf(segs, dirOnly)
	if len(segs) > maxCodeownersSegments {
		return nil, fmt.Errorf("pattern %q has more than %d path segments", pattern, maxCodeownersSegments)
	}
	p := &codeownersPattern{segs: make([]codeownersSegment, len(segs)), mode: mode}
	for i, s := range segs {
		if s == "**" {
			p.segs[i].any = true
			p.doubleStar |= 1 << i
			continue
		}
		p.segs[i] = compileCodeownersSegment(s)
	}
	return p, nil
}

// splitCodeownersPattern splits a pattern at its unescaped slashes.
func splitCodeownersPattern(pattern string) ([]string, error) {
	var raw []string
	start := 0
	for i := 0; i < len(pattern); i++ {
		switch pattern[i] {
		case '\\':
			if i+1 == len(pattern) {
				return nil, fmt.Errorf("pattern %q ends in an unfinished escape", pattern)
			}
			i++
		case '/':
			raw = append(raw, pattern[start:i])
			start = i + 1
		}
	}
	return append(raw, pattern[start:]), nil
}

// cleanCodeownersSegments drops empty segments and repeats of "**", in
// place: "a//b" is "a/b", and "**/**" is "**".
func cleanCodeownersSegments(raw []string) []string {
	segs := raw[:0]
	for _, s := range raw {
		if s == "" || s == "**" && len(segs) > 0 && segs[len(segs)-1] == "**" {
			continue
		}
		segs = append(segs, s)
	}
	return segs
}

// codeownersModeOf says what a pattern's last segment makes it match, and
// drops a trailing "**" that only says so.
func codeownersModeOf(segs []string, dirOnly bool) ([]string, codeownersMode) {
	switch last := segs[len(segs)-1]; {
	case dirOnly:
		return segs, codeownersUnder
	case last == "**" && len(segs) > 1:
		// A trailing "/**" matches everything inside, but not the directory itself.
		return segs[:len(segs)-1], codeownersUnder
	case last == "*":
		return segs, codeownersExact
	}
	return segs, codeownersSelfOrAncestor
}

// compileCodeownersSegment turns one segment into tokens. "[" is literal: GitHub does not
// support character ranges, and hmarr/codeowners' vectors expect "[param]" to match itself.
func compileCodeownersSegment(s string) codeownersSegment {
	var toks []codeownersToken
	var lit strings.Builder
	flush := func() {
		if lit.Len() > 0 {
			toks = append(toks, codeownersToken{lit: lit.String()})
			lit.Reset()
		}
	}
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '\\':
			i++ // compileCodeownersPattern has checked an escaped byte follows
			lit.WriteByte(s[i])
		case '*':
			flush()
			// "a**b" is "a*b" in gitignore; only a whole "**" segment is special.
			if len(toks) == 0 || !toks[len(toks)-1].star {
				toks = append(toks, codeownersToken{star: true})
			}
		case '?':
			flush()
			toks = append(toks, codeownersToken{one: true})
		default:
			lit.WriteByte(c)
		}
	}
	flush()
	if len(toks) == 1 && !toks[0].star && !toks[0].one {
		return codeownersSegment{lit: toks[0].lit}
	}
	return codeownersSegment{glob: toks}
}

// match reports whether the pattern matches path, which has no leading, trailing or doubled
// slashes; isDir says the caller named a directory.
func (p *codeownersPattern) match(path string, isDir bool) bool {
	accept := uint64(1) << len(p.segs)
	state := p.closure(1)
	for path != "" {
		var seg string
		seg, path, _ = strings.Cut(path, "/")
		state = p.step(state, seg)
		if state == 0 {
			return false
		}
		if state&accept == 0 {
			continue
		}
		switch p.mode {
		case codeownersSelfOrAncestor:
			return true
		case codeownersUnder:
			if path != "" || isDir {
				return true
			}
		case codeownersExact:
			if path == "" {
				return true
			}
		}
	}
	return false
}

// step consumes one path segment from every state in state.
func (p *codeownersPattern) step(state uint64, seg string) uint64 {
	var next uint64
	for st := state &^ (uint64(1) << len(p.segs)); st != 0; st &= st - 1 {
		i := bits.TrailingZeros64(st)
		s := &p.segs[i]
		switch {
		case s.any:
			next |= 1 << i
		case s.glob == nil:
			if s.lit == seg {
				next |= 1 << (i + 1)
			}
		case matchCodeownersGlob(s.glob, seg):
			next |= 1 << (i + 1)
		}
	}
	return p.closure(next)
}

// closure adds the states reached by letting each "**" match zero segments. One shift is
// enough because compileCodeownersPattern never leaves two "**" side by side.
func (p *codeownersPattern) closure(state uint64) uint64 {
	return state | (p.doubleStar&state)<<1
}

// matchCodeownersGlob matches one segment against "*", "?" and literal tokens. Backtracking to
// the most recent star is enough, which keeps it linear in practice and O(len(toks)*len(s))
// at worst.
func matchCodeownersGlob(toks []codeownersToken, s string) bool {
	ti, si := 0, 0
	starTi, starSi := -1, 0
	for {
		if ti < len(toks) {
			switch t := toks[ti]; {
			case t.star:
				starTi, starSi = ti+1, si
				ti++
				continue
			case t.one:
				if si < len(s) {
					_, n := utf8.DecodeRuneInString(s[si:])
					si += n
					ti++
					continue
				}
			default:
				if strings.HasPrefix(s[si:], t.lit) {
					si += len(t.lit)
					ti++
					continue
				}
			}
		} else if si == len(s) {
			return true
		}
		if starTi < 0 || starSi >= len(s) {
			return false
		}
		_, n := utf8.DecodeRuneInString(s[starSi:])
		starSi += n
		ti, si = starTi, starSi
	}
}
