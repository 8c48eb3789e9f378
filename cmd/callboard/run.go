package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
)

// errUsage marks a command line that does not parse; run exits 2.
var errUsage = errors.New("usage")

// run is the whole program behind main, so tests can call it.
func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, overview())
		return 2
	}
	name, rest := args[0], args[1:]
	switch name {
	case "-h", "-help", "--help":
		name = "help"
	case "-version", "--version":
		name = "version"
	}
	cmd := lookup(name)
	if cmd == nil {
		fmt.Fprintf(stderr, "callboard: unknown command %q\n\n%s", name, overview())
		return 2
	}
	fs := newFlags(cmd.name)
	act := cmd.setup(fs)
	positional, err := parseInterspersed(fs, rest)
	if errors.Is(err, flag.ErrHelp) {
		fmt.Fprint(stdout, cmd.help(fs))
		return 0
	}
	if err != nil {
		fmt.Fprintf(stderr, "callboard: %s: %v\n\n%s", cmd.name, err, cmd.help(fs))
		return 2
	}
	c := &cli{args: positional, getenv: getenv, stdout: stdout, stderr: stderr}
	if !cmd.noConfig {
		cfg, err := loadConfig(getenv)
		if err != nil {
			fmt.Fprintln(stderr, "callboard:", err)
			return 2
		}
		c.cfg = cfg
		c.logger = slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: cfg.LogLevel}))
	}
	err = act(ctx, c)
	var ec exitCode
	switch {
	case err == nil:
		return 0
	case errors.Is(err, errUsage):
		fmt.Fprintf(stderr, "callboard: %v\n(callboard help %s shows the flags and an example)\n", err, cmd.name)
		return 2
	case errors.As(err, &ec):
		return int(ec)
	default:
		fmt.Fprintln(stderr, "callboard:", err)
		return 1
	}
}

// cli is what a command runs with once its flags are parsed.
type cli struct {
	cfg    config // the zero config for commands marked noConfig
	args   []string
	getenv func(string) string
	logger *slog.Logger
	stdout io.Writer
	stderr io.Writer
}

// exitCode ends a command with a status, its message already printed.
type exitCode int

func (e exitCode) Error() string { return fmt.Sprintf("exit status %d", int(e)) }

func newFlags(name string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	return fs
}

// parseInterspersed parses flags wherever they stand among the arguments
// (callboard scaffold-form my-template --org acme), as people type them; a
// lone "--" ends the flags. It returns the other arguments in order.
func parseInterspersed(fs *flag.FlagSet, args []string) ([]string, error) {
	var positional []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		rest := fs.Args()
		if parsed := args[:len(args)-len(rest)]; len(parsed) > 0 && parsed[len(parsed)-1] == "--" {
			return append(positional, rest...), nil
		}
		if len(rest) == 0 {
			return positional, nil
		}
		positional = append(positional, rest[0])
		args = rest[1:]
	}
}
