package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"runtime/debug"
	"strings"

	"github.com/callboard/callboard/catalog"
	"github.com/callboard/callboard/sqlite"
)

func migrateCmd(*flag.FlagSet) action { return cmdMigrate }

func cmdMigrate(ctx context.Context, c *cli) error {
	cfg, stdout := c.cfg, c.stdout
	db, err := sqlite.Open(ctx, cfg.DB, sqlite.Options{NoMigrate: true})
	if err != nil {
		return err
	}
	defer db.Close()
	applied, err := db.Migrate(ctx)
	if err != nil {
		return err
	}
	if len(applied) == 0 {
		fmt.Fprintf(stdout, "%s is up to date\n", cfg.DB)
		return nil
	}
	fmt.Fprintf(stdout, "applied %s to %s\n", strings.Join(applied, ", "), cfg.DB)
	return nil
}

func importCmd(fs *flag.FlagSet) action {
	verbose := fs.Bool("v", false, "name the YAML files skipped (no entity in them, or template content)")
	return func(ctx context.Context, c *cli) error { return cmdImport(ctx, c, *verbose) }
}

func cmdImport(ctx context.Context, c *cli, verbose bool) error {
	cfg, stdout := c.cfg, c.stdout
	if len(c.args) == 0 {
		return fmt.Errorf("%w: import needs a directory (callboard import DIR)", errUsage)
	}
	// An import is a batch job: collect garbage sooner rather than grow, so a
	// large catalog imports in a small, predictable footprint.
	if os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(40 << 20)
	}
	_, st, done, err := openCatalog(ctx, cfg.DB, sqlite.Options{})
	if err != nil {
		return err
	}
	defer done()
	var problems []catalog.Problem
	for _, dir := range c.args {
		rep, err := catalog.ImportDir(ctx, st, dir)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "%s: %d %s, %d %s (%d added, %d updated, %d unchanged, %d removed)",
			dir, rep.Files, plural(rep.Files, "file", "files"), rep.Entities, plural(rep.Entities, "entity", "entities"),
			rep.Added, rep.Updated, rep.Unchanged, rep.Removed)
		if len(rep.Skipped) > 0 {
			fmt.Fprintf(stdout, "; %d YAML files without entities skipped", len(rep.Skipped))
			if !verbose {
				fmt.Fprint(stdout, " (-v names them)")
			}
		}
		fmt.Fprintln(stdout)
		if verbose {
			for _, s := range rep.Skipped {
				fmt.Fprintf(stdout, "  skipped %s: %s\n", s.File, s.Why)
			}
		}
		if len(rep.NotRegular) > 0 {
			fmt.Fprintf(stdout, "%d %s inside %s not read (only regular files are):\n", len(rep.NotRegular), plural(len(rep.NotRegular), "entry", "entries"), dir)
			for _, s := range rep.NotRegular {
				fmt.Fprintf(stdout, "  %s: %s\n", s.File, s.Why)
			}
		}
		problems = append(problems, rep.Problems...)
	}
	if len(problems) == 0 {
		return nil
	}
	fmt.Fprintf(stdout, "\n%d problem(s); what they name was not loaded:\n", len(problems))
	for _, p := range problems {
		fmt.Fprintf(stdout, "  %s\n", p.Error())
	}
	return exitCode(1)
}

func ownerCmd(*flag.FlagSet) action { return cmdOwner }

func cmdOwner(ctx context.Context, c *cli) error {
	cfg, stdout := c.cfg, c.stdout
	q := strings.Join(c.args, " ")
	if strings.TrimSpace(q) == "" {
		return fmt.Errorf("%w: owner needs a query (callboard owner payments-api)", errUsage)
	}
	_, st, done, err := openExisting(ctx, cfg)
	if err != nil {
		return err
	}
	defer done()
	a, err := catalog.FindOwner(ctx, st, q)
	if err != nil {
		return err
	}
	fmt.Fprint(stdout, a.Text())
	if !a.Found() {
		return exitCode(1)
	}
	return nil
}
