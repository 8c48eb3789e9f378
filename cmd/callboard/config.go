package main

import (
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/callboard/callboard/digest"
	"github.com/callboard/callboard/scaffold"
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
	// DigestAllowedDomains are where plugin owners' digests may be mailed
	// (DIGEST_ALLOWED_DOMAINS; empty: the domains of DIGEST_TO).
	DigestAllowedDomains []string

	ScaffoldRepo string
	// SCAFFOLD_TEMPLATE_REPOS, SCAFFOLD_SOURCES (org/repo patterns),
	// SCAFFOLD_ALLOWED_TEAMS (team slugs) and SCAFFOLD_MAX_VISIBILITY.
	ScaffoldTemplateRepos []string
	ScaffoldSources       []string
	ScaffoldAllowedTeams  []string
	ScaffoldMaxVisibility string

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
	if o, r, ok := strings.Cut(c.ScaffoldRepo, "/"); c.ScaffoldRepo != "" && (!ok || o == "" || r == "" || strings.Contains(r, "/")) {
		errs = append(errs, fmt.Sprintf("SCAFFOLD_REPO %q: want owner/repo", c.ScaffoldRepo))
	}
	for _, v := range []struct {
		name string
		to   *[]string
	}{{"SCAFFOLD_TEMPLATE_REPOS", &c.ScaffoldTemplateRepos}, {"SCAFFOLD_SOURCES", &c.ScaffoldSources}} {
		for _, p := range splitList(getenv(v.name)) {
			if !scaffold.ValidRepoPattern(p) {
				errs = append(errs, fmt.Sprintf("%s %q: want org/repo patterns, comma-separated (acme/templates, acme/*)", v.name, p))
				continue
			}
			*v.to = append(*v.to, p)
		}
	}
	for _, t := range splitList(getenv("SCAFFOLD_ALLOWED_TEAMS")) {
		if o, s, ok := strings.Cut(t, "/"); strings.ContainsAny(t, " *?[") || ok && (o == "" || s == "" || strings.Contains(s, "/")) {
			errs = append(errs, fmt.Sprintf("SCAFFOLD_ALLOWED_TEAMS %q: want team slugs (platform) or org/slug, comma-separated", t))
			continue
		}
		c.ScaffoldAllowedTeams = append(c.ScaffoldAllowedTeams, t)
	}
	for _, d := range splitList(getenv("DIGEST_ALLOWED_DOMAINS")) {
		if strings.ContainsAny(d, "@/ :*") || !strings.Contains(d, ".") {
			errs = append(errs, fmt.Sprintf("DIGEST_ALLOWED_DOMAINS %q: want mail domains, comma-separated (acme.com, acme.co.uk)", d))
			continue
		}
		c.DigestAllowedDomains = append(c.DigestAllowedDomains, d)
	}
	c.ScaffoldMaxVisibility = strings.ToLower(get("SCAFFOLD_MAX_VISIBILITY", "private"))
	if !scaffold.ValidVisibility(c.ScaffoldMaxVisibility) {
		errs = append(errs, fmt.Sprintf("SCAFFOLD_MAX_VISIBILITY %q: want private, internal or public", getenv("SCAFFOLD_MAX_VISIBILITY")))
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
