package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"text/tabwriter"

	"github.com/callboard/callboard/catalog"
	"github.com/callboard/callboard/catalog/store"
)

// unregisterListed bounds the refs an unregister prints; the rest are counted.
const unregisterListed = 50

func unregisterCmd(*flag.FlagSet) action { return cmdUnregister }

func cmdUnregister(ctx context.Context, c *cli) error {
	cfg, stdout := c.cfg, c.stdout
	if len(c.args) > 1 {
		return fmt.Errorf("%w: unregister takes one target (callboard unregister TARGET; without one it lists the sources)", errUsage)
	}
	_, st, done, err := openExisting(ctx, cfg)
	if err != nil {
		return err
	}
	defer done()
	if len(c.args) == 0 {
		return listSources(ctx, st, stdout)
	}
	res, err := catalog.Unregister(ctx, st, c.args[0])
	if errors.Is(err, catalog.ErrNothingToUnregister) {
		return fmt.Errorf("%v; callboard unregister without a target lists the sources", err)
	}
	if err != nil {
		return err
	}
	what := res.What
	if len(res.Sources) > 1 {
		what = fmt.Sprintf("%s, from %d sources", what, len(res.Sources))
	}
	fmt.Fprintf(stdout, "removed %d %s of %s\n", len(res.Removed), plural(len(res.Removed), "entity", "entities"), what)
	for i, ref := range res.Removed {
		if i == unregisterListed {
			fmt.Fprintf(stdout, "  and %d more\n", len(res.Removed)-i)
			break
		}
		fmt.Fprintf(stdout, "  %s\n", ref)
	}
	if res.Repository != "" {
		fmt.Fprintf(stdout, "%s's catalog file is read again at its next push or callboard sync; remove the file (or the App's access) to keep it out\n", res.Repository)
	}
	return nil
}

// listSources prints every source with its entity count; the sample
// organisation's sources are one line, as unregister demo removes them together.
func listSources(ctx context.Context, st *store.Store, stdout io.Writer) error {
	counts, err := st.Sources(ctx)
	if err != nil {
		return err
	}
	if len(counts) == 0 {
		fmt.Fprintln(stdout, "the catalog is empty")
		return nil
	}
	type line struct {
		target   string
		entities int
	}
	var lines []line
	demo := -1
	for _, c := range counts {
		t := catalog.SourceTarget(counts, c.Source)
		if t == "demo" {
			if demo < 0 {
				demo = len(lines)
				lines = append(lines, line{target: "demo"})
			}
			lines[demo].entities += c.Entities
			continue
		}
		lines = append(lines, line{target: t, entities: c.Entities})
	}
	total := 0
	tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "ENTITIES\t  SOURCE (callboard unregister SOURCE removes it)")
	for _, l := range lines {
		total += l.entities
		fmt.Fprintf(tw, "%d\t  %s\n", l.entities, l.target)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "%d %s in %d %s\n", total, plural(total, "entity", "entities"), len(lines), plural(len(lines), "source", "sources"))
	return nil
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
