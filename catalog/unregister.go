package catalog

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
)

// SourceStore is what unregistering reads and removes; the store satisfies it.
type SourceStore interface {
	Sources(ctx context.Context) ([]SourceCount, error)
	SourcesWithPrefix(ctx context.Context, prefix string) ([]string, error)
	EntityLocation(ctx context.Context, ref Ref) (location, source string, err error)
	EntityWithoutRelations(ctx context.Context, ref Ref) (*Entity, error)
	RemoveSources(ctx context.Context, sources []string) ([]string, error)
	// RemoveSourcesAndRepositories also deletes the repository rows the
	// sources feed: the demo's repositories are sample data too.
	RemoveSourcesAndRepositories(ctx context.Context, sources []string) ([]string, error)
	RepositorySources(ctx context.Context, prefix string) ([]string, error)
}

// Unregistered says what Unregister removed.
type Unregistered struct {
	What    string   // the target, as people read it
	Sources []string // the sources removed
	Removed []string // the refs of the entities removed, sorted
	// Repository is set when the target was a repository: its catalog file
	// is read again at its next push or sync.
	Repository string
}

// ErrNothingToUnregister is returned when a target names no source.
var ErrNothingToUnregister = errors.New("nothing in the catalog comes from it")

// Unregister removes what one source declared: target is "demo" (the sample
// organisation, with its repositories), a file: path or the path of an
// imported file or folder, a repository (org/repo), a Location ref (the
// file that declares it and, for an imported file, the files its targets
// name), or a source as Sources lists it.
func Unregister(ctx context.Context, s SourceStore, target string) (Unregistered, error) {
	target = strings.TrimSpace(target)
	out := Unregistered{What: target}
	if target == "" {
		return out, errors.New("unregister needs a target")
	}
	counts, err := s.Sources(ctx)
	if err != nil {
		return out, err
	}
	var sources []string
	switch {
	case target == "demo":
		out.What = "demo (the sample organisation)"
		if sources, err = s.SourcesWithPrefix(ctx, DemoSourcePrefix); err != nil {
			return out, err
		}
		repos, err := s.RepositorySources(ctx, DemoSourcePrefix)
		if err != nil {
			return out, err
		}
		sources = append(sources, repos...)
		slices.Sort(sources)
		sources = slices.Compact(sources)
		if len(sources) == 0 {
			return out, fmt.Errorf("demo (the sample organisation): %w", ErrNothingToUnregister)
		}
		out.Sources = sources
		out.Removed, err = s.RemoveSourcesAndRepositories(ctx, sources)
		return out, err
	case slices.ContainsFunc(counts, func(c SourceCount) bool { return c.Source == target }):
		sources = []string{target}
	case strings.HasPrefix(target, "file:"):
		if sources, err = fileSources(ctx, s, strings.TrimPrefix(target, "file:")); err != nil {
			return out, err
		}
	default:
		if i := slices.IndexFunc(counts, func(c SourceCount) bool { return strings.EqualFold(c.Repository, target) }); i >= 0 {
			sources, out.Repository = []string{counts[i].Source}, counts[i].Repository
			break
		}
		if strings.Contains(target, ":") {
			if sources, err = refSources(ctx, s, counts, target); err != nil {
				return out, err
			}
			break
		}
		if sources, err = fileSources(ctx, s, target); err != nil {
			return out, err
		}
	}
	if len(sources) == 0 {
		return out, fmt.Errorf("%s: %w", target, ErrNothingToUnregister)
	}
	out.Sources = sources
	out.Removed, err = s.RemoveSources(ctx, sources)
	return out, err
}

// fileSources are the sources of an imported file, or of every file under
// an imported folder (which need not exist any more).
func fileSources(ctx context.Context, s SourceStore, p string) ([]string, error) {
	abs, err := filepath.Abs(p)
	if err != nil {
		return nil, err
	}
	exact, err := s.SourcesWithPrefix(ctx, FileSource(abs))
	if err != nil {
		return nil, err
	}
	var out []string
	for _, src := range exact {
		if src == FileSource(abs) || strings.HasPrefix(src, FileSource(abs+string(filepath.Separator))) {
			out = append(out, src)
		}
	}
	return out, nil
}

// refSources are the sources a Location ref stands for: the source that
// declares it and, when that is an imported file, the imported files its
// targets name. Another kind of entity is refused with its source named.
func refSources(ctx context.Context, s SourceStore, counts []SourceCount, target string) ([]string, error) {
	ref, err := ParseRef(target, RefDefaults{})
	if err != nil {
		return nil, fmt.Errorf("%s: %w", target, ErrNothingToUnregister)
	}
	location, src, err := s.EntityLocation(ctx, ref)
	if errors.Is(err, ErrNotFound) {
		return nil, fmt.Errorf("%s is not in the catalog: %w", ref, ErrNothingToUnregister)
	}
	if err != nil {
		return nil, err
	}
	if !strings.EqualFold(ref.Kind, "location") {
		return nil, fmt.Errorf("unregister removes what a whole source declared, and %s is a %s, not a Location: it comes from %s (callboard unregister %s removes all of that)",
			ref, strings.ToLower(ref.Kind), strings.TrimPrefix(location, "url:"), SourceTarget(counts, src))
	}
	out := []string{src}
	if !strings.HasPrefix(src, "file:") {
		return out, nil // a repository's Location targets are in its own source
	}
	e, err := s.EntityWithoutRelations(ctx, ref)
	if err != nil {
		return nil, err
	}
	dir := filepath.Dir(strings.TrimPrefix(src, "file:"))
	under, err := s.SourcesWithPrefix(ctx, FileSource(dir+string(filepath.Separator)))
	if err != nil {
		return nil, err
	}
	targets := e.SpecStrings("targets")
	if t := e.SpecString("target"); t != "" {
		targets = append(targets, t)
	}
	for _, t := range targets {
		if strings.Contains(t, "://") {
			continue
		}
		want := filepath.ToSlash(filepath.Clean(filepath.Join(dir, filepath.FromSlash(t))))
		for _, u := range under {
			p := filepath.ToSlash(strings.TrimPrefix(u, "file:"))
			if NamesFile(want, p) {
				out = append(out, u)
			}
		}
	}
	slices.Sort(out)
	return slices.Compact(out), nil
}

// SourceTarget is what to pass to callboard unregister to remove source:
// demo for the sample, the repository for a repository's files, the source
// itself otherwise.
func SourceTarget(counts []SourceCount, source string) string {
	if strings.HasPrefix(source, DemoSourcePrefix) {
		return "demo"
	}
	for _, c := range counts {
		if c.Source == source && c.Repository != "" && !strings.HasPrefix(source, "file:") {
			return c.Repository
		}
	}
	return source
}
