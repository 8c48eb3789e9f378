package main

import (
	"context"
	"log/slog"
	"net/http"

	"github.com/callboard/callboard/bot"
	"github.com/callboard/callboard/catalog/store"
	"github.com/gorilla/mux"
)

// registerSlack serves Slack: slash commands, the Events API and
// interactions over HTTP (each verified by the bot, 503 while
// SLACK_SIGNING_SECRET is unset), and, when SLACK_APP_TOKEN is set, the
// same over Socket Mode. ready reports the Socket Mode connection (nil
// without Socket Mode); stop drains the answers in flight.
func registerSlack(ctx context.Context, r *mux.Router, cfg config, st *store.Store, logger *slog.Logger) (ready func() error, stop func(context.Context)) {
	log := logger.With("component", "slack")
	sb := bot.New(bot.Config{SigningSecret: cfg.SlackSigningSecret, Catalog: st, Usage: st, Logger: log,
		BaseURL: cfg.BaseURL, BotToken: cfg.SlackBotToken, APIURL: cfg.SlackAPIURL})
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
