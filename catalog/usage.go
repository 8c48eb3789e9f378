package catalog

import (
	"context"
	"strings"
	"time"
)

// Usage plugin ids of callboard's own features.
const (
	PluginSlackOwner   = "slack.owner"
	PluginSlackCatalog = "slack.catalog"
	PluginPRCheck      = "github.pr-check"
	PluginScaffolder   = "scaffolder"
	PluginCatalogAPI   = "catalog-api"
	PluginWeb          = "web"
	// Slack conversations: mentions in channels, direct messages, the App Home.
	PluginSlackMention = "slack.mention"
	PluginSlackDM      = "slack.dm"
	PluginSlackHome    = "slack.home"
	PluginOnboarding   = "onboarding"
)

// ReservedPlugin reports whether only callboard may record usage under id:
// its own features and the families kept for them (slack.*, github.*,
// callboard.*). A tool posting usage may not speak for them, or it could
// make a pull request's check look failed on an entity page or a feature
// look used. "scaffolder" is left open: Backstage's scaffolder reports under
// that id too, and an organisation running both counts one scaffolding figure.
func ReservedPlugin(id string) bool {
	switch id {
	case PluginSlackOwner, PluginSlackCatalog, PluginPRCheck, PluginCatalogAPI,
		PluginWeb, PluginSlackMention, PluginSlackDM, PluginSlackHome, PluginOnboarding:
		return true
	}
	for _, family := range []string{"slack.", "github.", "callboard."} {
		if strings.HasPrefix(id, family) {
			return true
		}
	}
	return false
}

// Outcomes a usage event may record.
const (
	OutcomeAnswered   = "answered"
	OutcomeUnanswered = "unanswered"
	OutcomeSuccess    = "success"
	OutcomeFailure    = "failure"
)

// UsageEvent is one use of a feature, by a person or a tool: the raw
// material of the weekly adoption digest.
type UsageEvent struct {
	Plugin  string    `json:"plugin"`
	Action  string    `json:"action"`
	Actor   string    `json:"actor"`
	At      time.Time `json:"timestamp"`
	Entity  string    `json:"entityRef,omitempty"`
	Outcome string    `json:"outcome,omitempty"`
	// Detail is free text worth keeping, e.g. the question /owner could not answer.
	Detail string `json:"detail,omitempty"`
}

// UsageRecorder stores usage events; the SQLite store satisfies it.
type UsageRecorder interface {
	RecordUsage(ctx context.Context, events ...UsageEvent) error
}
