package main

import (
	"context"
	"flag"
	"fmt"
	"strings"
	"text/tabwriter"
)

// A command is one entry of callboard's command line. Its usage line, its
// flags (with their defaults) and its example live here and in setup, and
// nowhere else: "callboard help", "callboard help CMD" and "CMD --help" all
// print from them.
type command struct {
	name    string
	args    string // what follows the name in the usage line: "[--demo]", "DIR"
	summary string // one line for the overview
	about   string // what "help CMD" adds under the usage line, if anything
	example string // one command line, as a person types it
	// setup defines the command's flags on fs and returns what runs it once
	// they are parsed.
	setup func(fs *flag.FlagSet) action
	// noConfig runs the command without reading the configuration.
	noConfig bool
}

// action runs a command.
type action func(ctx context.Context, c *cli) error

// commands is callboard's command line, in the order help lists it. A new
// command is one entry here.
var commands []*command

func init() {
	commands = []*command{
		{name: "serve", args: "[--demo]", setup: serveCmd,
			summary: "run the server: webhooks, Slack, catalog API, workers, digest schedule",
			about:   "Listens on CALLBOARD_ADDR and keeps the catalog in CALLBOARD_DB current. Features whose credentials are missing say so in the log and stay off.",
			example: "callboard serve --demo"},
		{name: "import", args: "[-v] DIR...", setup: importCmd,
			summary: "load every catalog file under DIR into the catalog",
			about:   "Reads catalog-info.yaml, *.catalog.yaml and any YAML file holding entities; exits 1 when something was refused, naming file, line and field.",
			example: "callboard import ./catalog"},
		{name: "owner", args: "QUERY", setup: ownerCmd,
			summary: "who owns a service, entity ref, repository, GitHub URL or team",
			about:   "QUERY is what people paste: payments-api, component:default/payments-api, acme/payments-api, @acme/payments, github.com/acme/payments-api, git@github.com:acme/payments-api.git or a file's URL. Exits 1 with \"did you mean\" when nothing matches.",
			example: "callboard owner payments-api"},
		{name: "unregister", args: "[TARGET]", setup: unregisterCmd,
			summary: "remove what one source declared; without TARGET, list the sources",
			about:   "TARGET is demo (the sample organisation serve --demo loaded), file:PATH or the path of an imported file or folder, a repository org/repo (read again at its next push or sync), a Location ref such as location:NAME (with the imported files its targets name), or a source as the list prints it. Says what it removed.",
			example: "callboard unregister demo"},
		{name: "sync", args: "[--since DURATION]", setup: syncCmd,
			summary: "full resync of every installation's repositories and teams",
			about:   "Needs GITHUB_APP_ID and GITHUB_PRIVATE_KEY. Reads 100 repositories a GraphQL query, leaving 20 % of each GitHub budget for webhook work (it pauses until the reset rather than go below); prints a progress line every few seconds and, at the end, GitHub API calls per repository and GraphQL points. --since re-reads only repositories pushed to since then.",
			example: "callboard sync --since 24h"},
		{name: "onboard", args: "[--dry-run] [REPO...]", setup: onboardCmd,
			summary: "propose catalog files by pull request to repositories without one, and print each proposal",
			about:   "Needs GITHUB_APP_ID and GITHUB_PRIVATE_KEY. Opens pull requests only when ONBOARDING=on (and not with --dry-run); otherwise prints what it would propose. REPO (org/repo) narrows it to those repositories and says why one is not a candidate.",
			example: "callboard onboard --dry-run acme/payments-api"},
		{name: "deliveries", args: "[-n N] [--retry ID]", setup: deliveriesCmd,
			summary: "recent webhook deliveries and their state, failed ones first",
			about:   "An ignored delivery says why; --retry runs a failed, parked or ignored delivery again (serve picks it up within a minute).",
			example: "callboard deliveries -n 20"},
		{name: "scaffold-form", args: "[--org ORG] [TEMPLATE]", setup: scaffoldFormCmd,
			summary: "the GitHub issue form (.github/ISSUE_TEMPLATE/*.yml) that runs a Template entity",
			about:   "TEMPLATE is a template's plain name or its ref; without it, the catalog's only template (or the list of them).",
			example: "callboard scaffold-form node-service > node-service.yml"},
		{name: "digest", args: "[--week W] [--send] [--format F]", setup: digestCmd,
			summary: "the weekly digest (default: the last complete week), printed or sent",
			example: "callboard digest --week 2026-W47 --format text"},
		{name: "backup", args: "FILE", setup: backupCmd,
			summary: "an online, consistent snapshot of the database (refuses to overwrite)",
			about:   "Safe while serve runs. To restore, stop serve and put the snapshot where CALLBOARD_DB points.",
			example: "callboard backup backups/callboard-2026-12-03.db"},
		{name: "healthcheck", setup: healthcheckCmd,
			summary: "exit 0 when the local server answers /readyz",
			example: "callboard healthcheck"},
		{name: "migrate", setup: migrateCmd,
			summary: "apply pending database migrations and exit",
			example: "callboard migrate"},
		{name: "app-manifest", args: "[--org ORG] [--html] [--code CODE]", setup: appManifestCmd,
			summary: "the GitHub App manifest (from app.yml) with this install's URLs filled in",
			about:   "Prints the JSON manifest for GitHub's \"register a GitHub App from a manifest\" flow, with CALLBOARD_BASE_URL in the webhook and redirect URLs; --html prints a page that posts it to GitHub. After GitHub redirects back with ?code=..., --code turns the code into the App's credentials (written to files, never printed).",
			example: "callboard app-manifest --org acme --html > register-callboard.html"},
		{name: "version", setup: versionCmd, noConfig: true,
			summary: "the version, the commit and the Go version it was built from",
			example: "callboard version"},
		{name: "help", args: "[COMMAND]", setup: helpCmd, noConfig: true,
			summary: "this overview, or a command's flags and an example",
			example: "callboard help owner"},
	}
}

func lookup(name string) *command {
	for _, c := range commands {
		if c.name == name {
			return c
		}
	}
	return nil
}

// usageLine is "callboard NAME ARGS".
func (c *command) usageLine() string {
	return strings.TrimSpace("callboard " + c.name + " " + c.args)
}

// help is what "callboard help NAME" prints: the usage line, what the
// command does, its flags with their defaults, and the example.
func (c *command) help(fs *flag.FlagSet) string {
	var b strings.Builder
	fmt.Fprintf(&b, "Usage: %s\n\n", c.usageLine())
	about := strings.ToUpper(c.summary[:1]) + c.summary[1:] + "."
	if c.about != "" {
		about += " " + c.about
	}
	b.WriteString(wrap(about, 78, "  "))
	n := 0
	fs.VisitAll(func(*flag.Flag) { n++ })
	if n > 0 {
		b.WriteString("\nFlags:\n")
		tw := tabwriter.NewWriter(&b, 0, 4, 2, ' ', 0)
		fs.VisitAll(func(f *flag.Flag) {
			name, usage := flag.UnquoteUsage(f)
			spec := flagName(f)
			if name != "" {
				spec += " " + name
			}
			if f.DefValue != "" && f.DefValue != "false" {
				usage += fmt.Sprintf(" (default %s)", f.DefValue)
			}
			fmt.Fprintf(tw, "  %s\t%s\n", spec, usage)
		})
		tw.Flush()
	}
	fmt.Fprintf(&b, "\nExample:\n  %s\n", c.example)
	return b.String()
}

// flagName is a flag as help writes it: -n for one letter, --demo for more.
func flagName(f *flag.Flag) string {
	if len(f.Name) == 1 {
		return "-" + f.Name
	}
	return "--" + f.Name
}

// flagNames are a command's flags as help writes them.
func flagNames(fs *flag.FlagSet) []string {
	var out []string
	fs.VisitAll(func(f *flag.Flag) { out = append(out, flagName(f)) })
	return out
}

// overview is what "callboard help" prints.
func overview() string {
	var b strings.Builder
	fmt.Fprintf(&b, "callboard %s: a software catalog, ownership checks and adoption digests, from GitHub and Slack.\n\nUsage: callboard COMMAND [flags] [arguments]\n\nCommands:\n", buildVersion().Version)
	for _, c := range commands {
		use := strings.TrimSpace(c.name + " " + c.args)
		if len(use) > 24 {
			fmt.Fprintf(&b, "  %s\n  %-24s  %s\n", use, "", c.summary)
		} else {
			fmt.Fprintf(&b, "  %-24s  %s\n", use, c.summary)
		}
	}
	b.WriteString("\n\"callboard help COMMAND\" (or \"callboard COMMAND --help\") shows a command's flags and an example.\n" +
		"Configuration comes from the environment (CALLBOARD_DB, CALLBOARD_ADDR, GITHUB_APP_ID, ...); see the README.\n")
	return b.String()
}

func helpCmd(fs *flag.FlagSet) action {
	return func(ctx context.Context, c *cli) error {
		switch len(c.args) {
		case 0:
			fmt.Fprint(c.stdout, overview())
			return nil
		case 1:
		default:
			return fmt.Errorf("%w: help takes one command (callboard help owner)", errUsage)
		}
		cmd := lookup(c.args[0])
		if cmd == nil {
			return fmt.Errorf("%w: no command %q; \"callboard help\" lists them", errUsage, c.args[0])
		}
		sub := newFlags(cmd.name)
		cmd.setup(sub)
		fmt.Fprint(c.stdout, cmd.help(sub))
		return nil
	}
}

// wrap breaks text into lines of at most width, each starting with indent.
func wrap(text string, width int, indent string) string {
	var b strings.Builder
	line := indent
	for _, w := range strings.Fields(text) {
		if len(line) > len(indent) && len(line)+1+len(w) > width {
			b.WriteString(line + "\n")
			line = indent
		}
		if len(line) > len(indent) {
			line += " "
		}
		line += w
	}
	if len(line) > len(indent) {
		b.WriteString(line + "\n")
	}
	return b.String()
}
