package main

import (
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/callboard/callboard/digest"
	"github.com/callboard/callboard/scaffold"
	"github.com/robfig/cron/v3"
)

// config is callboard's configuration, read from the environment. Any secret
// NAME may instead be given as a path in NAME_FILE.
type config struct {
	LogLevel slog.Level

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
	// SlackAppToken (SLACK_APP_TOKEN, xapp-) turns on Socket Mode: Slack
	// over a WebSocket callboard opens, instead of inbound HTTP.
	SlackAppToken string

	SMTPURL            string
	DigestFrom         string
	DigestTo           string
	DigestSlackChannel string
	DigestSchedule     string
	DigestTimezone     string
	// DigestAllowedDomains are where plugin owners' digests may be mailed
	// (DIGEST_ALLOWED_DOMAINS; empty: the domains of DIGEST_TO).
	DigestAllowedDomains []string

	ScaffoldRepo string
	Onboarding   onboardingConfig // ONBOARDING, ONBOARDING_PER_HOUR, ONBOARDING_ACTIVE_DAYS, ONBOARDING_EXCLUDE
	// SCAFFOLD_TEMPLATE_REPOS, SCAFFOLD_SOURCES (org/repo patterns),
	// SCAFFOLD_ALLOWED_TEAMS (team slugs) and SCAFFOLD_MAX_VISIBILITY.
	ScaffoldTemplateRepos []string
	ScaffoldSources       []string
	ScaffoldAllowedTeams  []string
	ScaffoldMaxVisibility string

	// DeliveryRetention is how long webhook payloads are kept
	// (CALLBOARD_DELIVERY_RETENTION); their rows are kept 90 days.
	DeliveryRetention time.Duration

	// The web view: CALLBOARD_WEB_AUTH as given ("" until serve resolves
	// its default), and the App's OAuth credentials for Sign in with GitHub.
	WebAuth            string
	GitHubClientID     string
	GitHubClientSecret string
	GitHubURL          string

	// StrictChecks makes warnings fail the pull-request check (CHECKS_STRICT=true).
	StrictChecks bool

	kpiConfig // the adoption KPIs and the DX pulse (kpi.go)
}

// secrets are the variables that may come from NAME_FILE and must never be logged.
var secrets = []string{"CALLBOARD_API_TOKEN", "GITHUB_PRIVATE_KEY", "GITHUB_WEBHOOK_SECRET", "SLACK_SIGNING_SECRET", "SLACK_BOT_TOKEN", "SLACK_APP_TOKEN", "SMTP_URL", "GITHUB_CLIENT_SECRET"}

const maxSecretFile = 64 << 10

func loadConfig(getenv func(string) string) (config, error) {
	env := &envReader{getenv: getenv}
	get, secret := env.get, env.secret
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
		SlackAppToken:       secret("SLACK_APP_TOKEN"),
		SMTPURL:             secret("SMTP_URL"),
		DigestFrom:          get("DIGEST_FROM", ""),
		DigestTo:            get("DIGEST_TO", ""),
		DigestSlackChannel:  get("DIGEST_SLACK_CHANNEL", ""),
		DigestSchedule:      get("DIGEST_SCHEDULE", digest.DefaultSchedule),
		DigestTimezone:      get("DIGEST_TIMEZONE", "UTC"),
		ScaffoldRepo:        get("SCAFFOLD_REPO", ""),
		WebAuth:             strings.ToLower(strings.TrimSpace(get("CALLBOARD_WEB_AUTH", ""))),
		GitHubClientID:      get("GITHUB_CLIENT_ID", ""),
		GitHubClientSecret:  secret("GITHUB_CLIENT_SECRET"),
		GitHubURL:           strings.TrimRight(get("GITHUB_URL", "https://github.com"), "/"),
	}
	c.StrictChecks = env.boolean("CHECKS_STRICT")
	c.DeliveryRetention = env.duration("CALLBOARD_DELIVERY_RETENTION", "336h", "want a duration such as 336h (14 days)")
	env.scaffoldRepos(&c)
	c.DigestAllowedDomains = env.list("DIGEST_ALLOWED_DOMAINS", validMailDomain, "want mail domains, comma-separated (acme.com, acme.co.uk)")
	c.ScaffoldMaxVisibility = strings.ToLower(get("SCAFFOLD_MAX_VISIBILITY", "private"))
	if !scaffold.ValidVisibility(c.ScaffoldMaxVisibility) {
		env.errorf("SCAFFOLD_MAX_VISIBILITY %q: want private, internal or public", getenv("SCAFFOLD_MAX_VISIBILITY"))
	}
	env.checkURLsAndSlack(c)
	env.errs = append(env.errs, checkConfig(&c, getenv)...)
	env.errs = append(env.errs, checkWebConfig(c)...)
	env.errs = append(env.errs, c.kpiConfig.load(getenv)...)
	env.errs = append(env.errs, readOnboarding(&c, getenv)...)
	switch len(env.errs) {
	case 0:
		return c, nil
	case 1:
		return c, fmt.Errorf("configuration: %s", env.errs[0])
	}
	return c, fmt.Errorf("configuration has %d problems:\n  %s", len(env.errs), strings.Join(env.errs, "\n  "))
}

// checkURLsAndSlack checks the API base URLs and that Socket Mode's app
// token is one, with the bot token it needs.
func (env *envReader) checkURLsAndSlack(c config) {
	if !strings.HasSuffix(c.GitHubAPIURL, "/") {
		env.errorf("GITHUB_API_URL %q must end in /", c.GitHubAPIURL)
	}
	if c.SlackAPIURL != "" && !strings.HasSuffix(c.SlackAPIURL, "/") {
		env.errorf("SLACK_API_URL %q must end in /", c.SlackAPIURL)
	}
	switch {
	case c.SlackAppToken != "" && !strings.HasPrefix(c.SlackAppToken, "xapp-"):
		// Never the value: it is a secret, whatever it holds.
		env.errorf("SLACK_APP_TOKEN: want the app-level token (xapp-…, Basic Information → App-Level Tokens, scope connections:write), not a bot or user token")
	case c.SlackAppToken != "" && c.SlackBotToken == "":
		env.errorf("SLACK_APP_TOKEN is set without SLACK_BOT_TOKEN: Socket Mode answers mentions, DMs and the App Home through the Web API, with the bot token (OAuth & Permissions → Bot User OAuth Token)")
	}
}

// envReader reads the environment and keeps every mistake it finds, so
// that they are named at once.
type envReader struct {
	getenv func(string) string
	errs   []string
}

func (e *envReader) errorf(format string, args ...any) {
	e.errs = append(e.errs, fmt.Sprintf(format, args...))
}

// get is the variable name, or def when it is unset or empty.
func (e *envReader) get(name, def string) string {
	if v := e.getenv(name); v != "" {
		return v
	}
	return def
}

// secret is the variable name, or the content of the file NAME_FILE names.
func (e *envReader) secret(name string) string {
	v := e.getenv(name)
	path := e.getenv(name + "_FILE")
	if path == "" {
		return v
	}
	if v != "" {
		e.errorf("both %s and %s_FILE are set; keep one", name, name)
		return ""
	}
	b, err := readSecretFile(path)
	if err != nil {
		e.errorf("%s_FILE: %v", name, err)
		return ""
	}
	return strings.TrimRight(string(b), "\r\n")
}

// list is a comma-separated variable's items that valid accepts; each
// other item is a mistake, which want describes.
func (e *envReader) list(name string, valid func(string) bool, want string) []string {
	var out []string
	for _, item := range splitList(e.getenv(name)) {
		if !valid(item) {
			e.errorf("%s %q: %s", name, item, want)
			continue
		}
		out = append(out, item)
	}
	return out
}

// boolean reads a true/false variable; unset is false.
func (e *envReader) boolean(name string) bool {
	switch strings.ToLower(e.get(name, "false")) {
	case "true", "1", "yes":
		return true
	case "false", "0", "no":
	default:
		e.errorf("%s %q: want true or false", name, e.getenv(name))
	}
	return false
}

// duration reads a positive duration, def when unset.
func (e *envReader) duration(name, def, want string) time.Duration {
	v := e.get(name, def)
	d, err := time.ParseDuration(v)
	if err != nil || d <= 0 {
		e.errorf("%s %q: %s", name, v, want)
	}
	return d
}

// scaffoldRepos reads which repository takes requests, and whose templates,
// skeletons and members the scaffolder trusts.
func (e *envReader) scaffoldRepos(c *config) {
	if o, r, ok := strings.Cut(c.ScaffoldRepo, "/"); c.ScaffoldRepo != "" && (!ok || o == "" || r == "" || strings.Contains(r, "/")) {
		e.errorf("SCAFFOLD_REPO %q: want owner/repo", c.ScaffoldRepo)
	}
	c.ScaffoldTemplateRepos = e.list("SCAFFOLD_TEMPLATE_REPOS", scaffold.ValidRepoPattern, "want org/repo patterns, comma-separated (acme/templates, acme/*)")
	c.ScaffoldSources = e.list("SCAFFOLD_SOURCES", scaffold.ValidRepoPattern, "want org/repo patterns, comma-separated (acme/templates, acme/*)")
	c.ScaffoldAllowedTeams = e.list("SCAFFOLD_ALLOWED_TEAMS", validTeam, "want team slugs (platform) or org/slug, comma-separated")
}

// validTeam accepts a team slug (platform) or org/slug.
func validTeam(t string) bool {
	o, s, ok := strings.Cut(t, "/")
	return !strings.ContainsAny(t, " *?[") && (!ok || o != "" && s != "" && !strings.Contains(s, "/"))
}

func validMailDomain(d string) bool {
	return !strings.ContainsAny(d, "@/ :*") && strings.Contains(d, ".")
}

// checkConfig finds the mistakes that would otherwise surface later, one by
// one or as unrelated errors: each names the variable and what it wants.
func checkConfig(c *config, getenv func(string) string) []string {
	var errs []string
	if lv, ok := logLevel(getenv("CALLBOARD_LOG_LEVEL")); ok {
		c.LogLevel = lv
	} else {
		errs = append(errs, fmt.Sprintf("CALLBOARD_LOG_LEVEL %q: want debug, info, warn or error", getenv("CALLBOARD_LOG_LEVEL")))
	}
	if msg := checkHTTPURL(c.BaseURL); msg != "" {
		errs = append(errs, fmt.Sprintf("CALLBOARD_BASE_URL %q: %s, e.g. https://callboard.example.com", c.BaseURL, msg))
	}
	if msg := checkHTTPURL(c.GitHubAPIURL); msg != "" {
		errs = append(errs, fmt.Sprintf("GITHUB_API_URL %q: %s, e.g. https://api.github.com/", c.GitHubAPIURL, msg))
	}
	if msg := checkHTTPURL(c.SlackAPIURL); c.SlackAPIURL != "" && msg != "" {
		errs = append(errs, fmt.Sprintf("SLACK_API_URL %q: %s, e.g. https://slack.com/api/", c.SlackAPIURL, msg))
	}
	if _, port, err := net.SplitHostPort(c.Addr); err != nil {
		errs = append(errs, fmt.Sprintf("CALLBOARD_ADDR %q: want host:port or :port, e.g. :8080", c.Addr))
	} else if n, err := strconv.Atoi(port); err != nil || n < 0 || n > 65535 {
		errs = append(errs, fmt.Sprintf("CALLBOARD_ADDR %q: the port must be a number from 0 to 65535, e.g. :8080", c.Addr))
	}
	if _, err := cron.ParseStandard(c.DigestSchedule); err != nil {
		errs = append(errs, fmt.Sprintf("DIGEST_SCHEDULE %q: %v; want a cron spec such as %q (minute hour day-of-month month day-of-week)", c.DigestSchedule, err, digest.DefaultSchedule))
	}
	if _, err := time.LoadLocation(c.DigestTimezone); err != nil {
		errs = append(errs, fmt.Sprintf("DIGEST_TIMEZONE %q: want an IANA time zone such as Europe/Berlin or UTC", c.DigestTimezone))
	}
	if c.SMTPURL != "" {
		// The error never quotes the URL: it may hold a password.
		if _, err := digest.NewSMTPMailer(c.SMTPURL); err != nil {
			errs = append(errs, err.Error())
		}
	}
	return errs
}

// logLevel reads CALLBOARD_LOG_LEVEL; unset is info.
func logLevel(s string) (slog.Level, bool) {
	switch strings.ToLower(s) {
	case "", "info":
		return slog.LevelInfo, true
	case "debug":
		return slog.LevelDebug, true
	case "warn", "warning":
		return slog.LevelWarn, true
	case "error":
		return slog.LevelError, true
	}
	return 0, false
}

// checkHTTPURL says what is wrong with a URL that must be http(s)://host..., or "".
func checkHTTPURL(s string) string {
	u, err := url.Parse(s)
	switch {
	case err != nil:
		return "not a URL"
	case u.Scheme != "http" && u.Scheme != "https":
		return "want a URL starting with http:// or https://"
	case u.Host == "":
		return "the URL names no host"
	}
	return ""
}

// splitList splits a comma-separated variable, dropping empty items.
func splitList(s string) []string {
	var out []string
	for _, item := range strings.Split(s, ",") {
		if item = strings.TrimSpace(item); item != "" {
			out = append(out, item)
		}
	}
	return out
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
