package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"strings"
)

const usage = `callboard: a software catalog, ownership checks and adoption digests, from GitHub and Slack.

Usage:
  callboard serve [--demo]        run the server (webhooks, Slack, API, workers, digest schedule)
  callboard import DIR            load every catalog file under DIR into the catalog
  callboard owner QUERY           who owns a service, entity ref, repository, GitHub URL or team
  callboard unregister [TARGET]   remove what one source declared (demo, a file or folder, org/repo,
                                  a Location ref); without TARGET, list the sources
  callboard sync                  full resync of every installation's repositories and teams
  callboard deliveries [-n N] [--retry ID]
                                  recent webhook deliveries and their state (failed ones first); run one again
  callboard scaffold-form [TEMPLATE]
                                  the GitHub issue form that runs a Template entity (.github/ISSUE_TEMPLATE/*.yml)
  callboard digest [--week 2026-W47] [--send] [--format text|html|slack]
                                  the weekly digest (default: last complete week), printed or sent
  callboard backup FILE           an online, consistent snapshot of the database
  callboard healthcheck           exit 0 when the local server answers /readyz
  callboard migrate               apply pending database migrations and exit
  callboard help                  this text

Configuration comes from the environment (CALLBOARD_DB, CALLBOARD_ADDR, ...); see the README.
`

// errUsage marks a command line that does not parse; run exits 2.
var errUsage = errors.New("usage")

// run is the whole program behind main, so tests can call it.
func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) int {
	logger := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: logLevel(getenv("CALLBOARD_LOG_LEVEL"))}))
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return 2
	}
	cfg, err := loadConfig(getenv)
	if err != nil {
		fmt.Fprintln(stderr, "callboard:", err)
		return 2
	}
	cmd, rest := args[0], args[1:]
	switch cmd {
	case "serve":
		err = cmdServe(ctx, cfg, rest, logger, stdout)
	case "import":
		err = cmdImport(ctx, cfg, rest, stdout)
	case "owner":
		err = cmdOwner(ctx, cfg, rest, stdout)
	case "unregister":
		err = cmdUnregister(ctx, cfg, rest, stdout)
	case "migrate":
		err = cmdMigrate(ctx, cfg, rest, stdout)
	case "sync":
		err = cmdSync(ctx, cfg, rest, logger, stdout)
	case "deliveries":
		err = cmdDeliveries(ctx, cfg, rest, stdout)
	case "digest":
		err = cmdDigest(ctx, cfg, rest, logger, stdout)
	case "backup":
		err = cmdBackup(ctx, cfg, rest, stdout)
	case "scaffold-form":
		err = cmdScaffoldForm(ctx, cfg, rest, stdout, stderr)
	case "healthcheck":
		err = cmdHealthcheck(ctx, cfg, rest, stdout)
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return 0
	default:
		fmt.Fprintf(stderr, "callboard: unknown command %q\n\n%s", cmd, usage)
		return 2
	}
	var ec exitCode
	switch {
	case err == nil:
		return 0
	case errors.Is(err, errUsage):
		fmt.Fprintln(stderr, "callboard:", err)
		return 2
	case errors.As(err, &ec):
		return int(ec)
	default:
		fmt.Fprintln(stderr, "callboard:", err)
		return 1
	}
}

// exitCode ends a command with a status, its message already printed.
type exitCode int

func (e exitCode) Error() string { return fmt.Sprintf("exit status %d", int(e)) }

func logLevel(s string) slog.Level {
	switch strings.ToLower(s) {
	case "debug":
		return slog.LevelDebug
	case "warn":
		return slog.LevelWarn
	case "error":
		return slog.LevelError
	}
	return slog.LevelInfo
}

func newFlags(name string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	return fs
}

func parseFlags(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		return fmt.Errorf("%w: %s: %v", errUsage, fs.Name(), err)
	}
	return nil
}
