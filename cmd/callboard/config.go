package main

import (
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/callboard/callboard/digest"
)

// config is callboard's configuration, read from the environment. Any secret
// NAME may instead be given as a path in NAME_FILE.
type config struct {
	Addr     string
	DB       string
	BaseURL  string
	APIToken string

	GitHubAppID         string
	GitHubPrivateKey    string
	GitHubWebhookSecret string
	GitHubAPIURL        string
	CatalogFile         string

	SlackSigningSecret string
	SlackBotToken      string
	SlackAPIURL        string

	SMTPURL            string
	DigestFrom         string
	DigestTo           string
	DigestSlackChannel string
	DigestSchedule     string
	DigestTimezone     string

	ScaffoldRepo string

	// DeliveryRetention is how long webhook payloads are kept
	// (CALLBOARD_DELIVERY_RETENTION); their rows are kept 90 days.
	DeliveryRetention time.Duration

	// StrictChecks makes warnings fail the pull-request check (CHECKS_STRICT=true).
	StrictChecks bool
}

// secrets are the variables that may come from NAME_FILE and must never be logged.
var secrets = []string{"CALLBOARD_API_TOKEN", "GITHUB_PRIVATE_KEY", "GITHUB_WEBHOOK_SECRET", "SLACK_SIGNING_SECRET", "SLACK_BOT_TOKEN", "SMTP_URL"}

const maxSecretFile = 64 << 10

func loadConfig(getenv func(string) string) (config, error) {
	var errs []string
	get := func(name, def string) string {
		v := getenv(name)
		if v == "" {
			return def
		}
		return v
	}
	secret := func(name string) string {
		v := getenv(name)
		if path := getenv(name + "_FILE"); path != "" {
			if v != "" {
				errs = append(errs, fmt.Sprintf("both %s and %s_FILE are set; keep one", name, name))
				return ""
			}
			b, err := readSecretFile(path)
			if err != nil {
				errs = append(errs, fmt.Sprintf("%s_FILE: %v", name, err))
				return ""
			}
			return strings.TrimRight(string(b), "\r\n")
		}
		return v
	}
	c := config{
		Addr:                get("CALLBOARD_ADDR", ":8080"),
		DB:                  get("CALLBOARD_DB", "callboard.db"),
		BaseURL:             strings.TrimRight(get("CALLBOARD_BASE_URL", "http://localhost:8080"), "/"),
		APIToken:            secret("CALLBOARD_API_TOKEN"),
		GitHubAppID:         get("GITHUB_APP_ID", ""),
		GitHubPrivateKey:    secret("GITHUB_PRIVATE_KEY"),
		GitHubWebhookSecret: secret("GITHUB_WEBHOOK_SECRET"),
		GitHubAPIURL:        get("GITHUB_API_URL", "https://api.github.com/"),
		CatalogFile:         get("CATALOG_FILE", "catalog-info.yaml"),
		SlackSigningSecret:  secret("SLACK_SIGNING_SECRET"),
		SlackBotToken:       secret("SLACK_BOT_TOKEN"),
		SlackAPIURL:         get("SLACK_API_URL", ""),
		SMTPURL:             secret("SMTP_URL"),
		DigestFrom:          get("DIGEST_FROM", ""),
		DigestTo:            get("DIGEST_TO", ""),
		DigestSlackChannel:  get("DIGEST_SLACK_CHANNEL", ""),
		DigestSchedule:      get("DIGEST_SCHEDULE", digest.DefaultSchedule),
		DigestTimezone:      get("DIGEST_TIMEZONE", "UTC"),
		ScaffoldRepo:        get("SCAFFOLD_REPO", ""),
	}
	switch strings.ToLower(get("CHECKS_STRICT", "false")) {
	case "true", "1", "yes":
		c.StrictChecks = true
	case "false", "0", "no":
	default:
		errs = append(errs, fmt.Sprintf("CHECKS_STRICT %q: want true or false", getenv("CHECKS_STRICT")))
	}
	if v := get("CALLBOARD_DELIVERY_RETENTION", "336h"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil || d <= 0 {
			errs = append(errs, fmt.Sprintf("CALLBOARD_DELIVERY_RETENTION %q: want a duration such as 336h (14 days)", v))
		}
		c.DeliveryRetention = d
	}
	if o, r, ok := strings.Cut(c.ScaffoldRepo, "/"); c.ScaffoldRepo != "" && (!ok || o == "" || r == "" || strings.Contains(r, "/")) {
		errs = append(errs, fmt.Sprintf("SCAFFOLD_REPO %q: want owner/repo", c.ScaffoldRepo))
	}
	if !strings.HasSuffix(c.GitHubAPIURL, "/") {
		errs = append(errs, fmt.Sprintf("GITHUB_API_URL %q must end in /", c.GitHubAPIURL))
	}
	if c.SlackAPIURL != "" && !strings.HasSuffix(c.SlackAPIURL, "/") {
		errs = append(errs, fmt.Sprintf("SLACK_API_URL %q must end in /", c.SlackAPIURL))
	}
	if len(errs) > 0 {
		return c, fmt.Errorf("configuration: %s", strings.Join(errs, "; "))
	}
	return c, nil
}

func readSecretFile(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, maxSecretFile+1))
	if err != nil {
		return nil, err
	}
	if len(b) > maxSecretFile {
		return nil, fmt.Errorf("%s is larger than %d bytes", path, maxSecretFile)
	}
	return b, nil
}
