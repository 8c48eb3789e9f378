package main

import (
	"cmp"
	"context"
	"log/slog"
	"net/http"

	"github.com/callboard/callboard/bot"
	"github.com/callboard/callboard/catalog/store"
	"github.com/callboard/callboard/githubapp"
	"github.com/callboard/callboard/sqlite"
	"github.com/callboard/callboard/web"
	"github.com/gorilla/mux"
)

// registerSlack serves Slack: slash commands, the Events API and
// interactions over HTTP (each verified by the bot, 503 while
// SLACK_SIGNING_SECRET is unset), and, when SLACK_APP_TOKEN is set, the
// same over Socket Mode. ready reports the Socket Mode connection (nil
// without Socket Mode); stop drains the answers in flight.
func registerSlack(ctx context.Context, r *mux.Router, cfg config, db *sqlite.DB, st *store.Store, logger *slog.Logger) (ready func() error, stop func(context.Context)) {
	log := logger.With("component", "slack")
	// The App Home lists failing pull-request checks where pull requests
	// are checked: with the GitHub App.
	var checks bot.Checks
	if cfg.GitHubAppID != "" && cfg.GitHubPrivateKey != "" && cfg.GitHubWebhookSecret != "" {
		checks = githubapp.NewCheckResults(db)
	}
	sb := bot.New(bot.Config{SigningSecret: cfg.SlackSigningSecret, Catalog: st, Usage: st, Logger: log,
		BaseURL: webBase(cfg), BotToken: cfg.SlackBotToken, APIURL: cfg.SlackAPIURL,
		Proposals: slackProposals(cfg, db), Checks: checks, Pulse: pulseSurvey(cfg, db, logger)})
	r.Handle("/slack/commands", sb).Methods(http.MethodPost)
	r.Handle("/slack/events", sb.Events()).Methods(http.MethodPost)
	r.Handle("/slack/interactions", sb.Interactions()).Methods(http.MethodPost)
	closeBot := func(ctx context.Context) {
		if err := sb.Close(ctx); err != nil {
			logger.Warn("slack answers not drained", "err", err)
		}
	}
	if cfg.SlackAppToken == "" {
		return nil, closeBot
	}
	socket := bot.NewSocket(sb, bot.SocketConfig{AppToken: cfg.SlackAppToken, BotToken: cfg.SlackBotToken, APIURL: cfg.SlackAPIURL, Logger: log})
	sctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		socket.Run(sctx)
	}()
	return socket.Ready, func(ctx context.Context) {
		cancel() // no new envelopes; then the answers in flight
		<-done
		closeBot(ctx)
	}
}

// webBase is the web view's address for the links in Slack's answers
// ("Open in catalog", a team's page, the digest page), "" while the web
// view signs nobody in (GitHub sign-in without GITHUB_CLIENT_ID): such a
// link would lead to a page no one can open.
func webBase(cfg config) string {
	if web.Mode(cmp.Or(cfg.WebAuth, string(web.ModeGitHub))) == web.ModeGitHub && cfg.GitHubClientID == "" {
		return ""
	}
	return cfg.BaseURL
}
