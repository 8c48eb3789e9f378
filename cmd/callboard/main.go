// Command callboard is a GitHub App and Slack bot that gives an engineering
// organisation the core of an internal developer portal: a catalog kept
// current from GitHub webhooks, ownership checks on pull requests, answers in
// Slack and weekly adoption digests. Run "callboard help" for the commands.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	os.Exit(run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr))
}
