package main

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"html/template"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"time"

	"github.com/callboard/callboard"
	"go.yaml.in/yaml/v3"
)

// manifestPlaceholder is the base URL app.yml is written with.
const manifestPlaceholder = "https://callboard.example.com"

func appManifestCmd(fs *flag.FlagSet) action {
	org := fs.String("org", "", "register the App for the organisation `ORG` (default: for your own account)")
	name := fs.String("name", "", "call the App `NAME` on GitHub; names are unique across GitHub (default: app.yml's)")
	page := fs.Bool("html", false, "print an HTML page whose button posts the manifest to GitHub")
	code := fs.String("code", "", "fetch the App's credentials with the `CODE` GitHub sent back after registering")
	dir := fs.String("dir", ".", "with --code, write the credential files into `DIR`")
	return func(ctx context.Context, c *cli) error {
		if len(c.args) > 0 {
			return fmt.Errorf("%w: app-manifest takes flags only", errUsage)
		}
		if *code != "" {
			return convertManifestCode(ctx, c, *code, *dir)
		}
		m, err := appManifest(c.cfg.BaseURL, *name)
		if err != nil {
			return err
		}
		if u, err := url.Parse(c.cfg.BaseURL); err == nil && isLoopback(u.Hostname()) {
			fmt.Fprintf(c.stderr, "callboard: warning: CALLBOARD_BASE_URL is %s, which GitHub cannot reach: set it to callboard's public URL before registering the App\n", c.cfg.BaseURL)
		}
		if !*page {
			enc := json.NewEncoder(c.stdout)
			enc.SetIndent("", "  ")
			return enc.Encode(m)
		}
		return manifestPage(c.stdout, m, registerURL(c.cfg.GitHubAPIURL, *org))
	}
}

// appManifest is app.yml as GitHub's manifest flow takes it (JSON), every URL
// on the placeholder host moved to baseURL; permissions and events are
// app.yml's, untouched.
func appManifest(baseURL, name string) (map[string]any, error) {
	var m map[string]any
	if err := yaml.Unmarshal(callboard.AppManifest, &m); err != nil {
		return nil, fmt.Errorf("app.yml: %w", err)
	}
	var rebase func(v any) any
	rebase = func(v any) any {
		switch v := v.(type) {
		case string:
			if rest, ok := strings.CutPrefix(v, manifestPlaceholder); ok {
				return baseURL + rest
			}
		case map[string]any:
			for k, x := range v {
				v[k] = rebase(x)
			}
		case []any:
			for i, x := range v {
				v[i] = rebase(x)
			}
		}
		return v
	}
	rebase(m)
	if name != "" {
		m["name"] = name
	}
	return m, nil
}

func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// webURL is GitHub's web address for an API URL: github.com for
// api.github.com, https://HOST for GitHub Enterprise Server's /api/v3/.
func webURL(apiURL string) string {
	u, err := url.Parse(apiURL)
	if err != nil || u.Host == "" || u.Host == "api.github.com" {
		return "https://github.com"
	}
	return u.Scheme + "://" + u.Host
}

// registerURL is where the manifest is posted: an organisation's or the
// signed-in user's "new GitHub App" page.
func registerURL(apiURL, org string) string {
	if org == "" {
		return webURL(apiURL) + "/settings/apps/new"
	}
	return webURL(apiURL) + "/organizations/" + url.PathEscape(org) + "/settings/apps/new"
}

var manifestPageTmpl = template.Must(template.New("page").Parse(`<!doctype html>
<html lang="en">
<meta charset="utf-8">
<title>Register {{.Name}} as a GitHub App</title>
<body style="font-family: system-ui, sans-serif; max-width: 46rem; margin: 3rem auto; line-height: 1.5">
<h1>Register {{.Name}} as a GitHub App</h1>
<p>The button sends this manifest to <code>{{.Action}}</code>. GitHub shows the App's settings to confirm,
then sends you to <code>{{.Redirect}}?code=…</code>: run <code>callboard app-manifest --code CODE</code>
with that code within the hour to fetch the App's ID, private key and webhook secret.</p>
<form action="{{.Action}}" method="post">
<input type="hidden" name="manifest" value="{{.JSON}}">
<button type="submit" style="font-size: 1.1rem; padding: .5rem 1rem">Create GitHub App</button>
</form>
<pre style="background: #f6f8fa; padding: 1rem; overflow: auto">{{.JSON}}</pre>
</body>
</html>
`))

func manifestPage(w io.Writer, m map[string]any, action string) error {
	b, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return err
	}
	redirect, _ := m["redirect_url"].(string)
	name, _ := m["name"].(string)
	return manifestPageTmpl.Execute(w, map[string]string{"Name": name, "Action": action, "Redirect": redirect, "JSON": string(b)})
}

// manifestCredentials is what GitHub answers when a manifest code is
// converted (POST /app-manifests/{code}/conversions).
type manifestCredentials struct {
	ID            int64  `json:"id"`
	Slug          string `json:"slug"`
	Name          string `json:"name"`
	HTMLURL       string `json:"html_url"`
	ClientID      string `json:"client_id"`
	ClientSecret  string `json:"client_secret"`
	WebhookSecret string `json:"webhook_secret"`
	PEM           string `json:"pem"`
}

var reManifestCode = regexp.MustCompile(`^[A-Za-z0-9_-]{1,100}$`)

// convertManifestCode exchanges the code GitHub sent back for the App's
// credentials and writes each secret to its own file (0600): they go into
// the configuration as NAME_FILE, and are never printed.
func convertManifestCode(ctx context.Context, c *cli, code, dir string) error {
	if !reManifestCode.MatchString(code) {
		return fmt.Errorf("%w: --code %q is not a code GitHub sends (letters, digits, - and _)", errUsage, code)
	}
	for _, f := range credentialFiles {
		if _, err := os.Stat(filepath.Join(dir, f)); err == nil {
			return fmt.Errorf("%s exists; app-manifest --code does not overwrite credentials (choose another --dir)", filepath.Join(dir, f))
		}
	}
	cred, err := fetchManifestCredentials(ctx, c.cfg.GitHubAPIURL, code)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return err
	}
	for key, secret := range map[string]string{"pem": cred.PEM, "webhook": cred.WebhookSecret, "client": cred.ClientSecret} {
		if secret == "" {
			continue
		}
		if err := writeNewFile(filepath.Join(abs, credentialFiles[key]), secret); err != nil {
			return err
		}
	}
	fmt.Fprintf(c.stdout, "Registered the GitHub App %q (id %d). Its secrets are in %s; add to callboard's configuration:\n\n", cred.Name, cred.ID, abs)
	fmt.Fprintf(c.stdout, "GITHUB_APP_ID=%d\nGITHUB_PRIVATE_KEY_FILE=%s\n", cred.ID, filepath.Join(abs, credentialFiles["pem"]))
	if cred.WebhookSecret != "" {
		fmt.Fprintf(c.stdout, "GITHUB_WEBHOOK_SECRET_FILE=%s\n", filepath.Join(abs, credentialFiles["webhook"]))
	}
	if cred.ClientID != "" {
		fmt.Fprintf(c.stdout, "GITHUB_CLIENT_ID=%s\nGITHUB_CLIENT_SECRET_FILE=%s\n", cred.ClientID, filepath.Join(abs, credentialFiles["client"]))
	}
	if cred.Slug != "" {
		fmt.Fprintf(c.stdout, "\nThen install it on your organisation: %s/apps/%s/installations/new\n", webURL(c.cfg.GitHubAPIURL), cred.Slug)
	}
	return nil
}

// credentialFiles are the files app-manifest --code writes, by secret.
var credentialFiles = map[string]string{"pem": "github-app.pem", "webhook": "github-webhook-secret", "client": "github-client-secret"}

// fetchManifestCredentials asks GitHub for the registered App's credentials.
func fetchManifestCredentials(ctx context.Context, apiURL, code string) (manifestCredentials, error) {
	var cred manifestCredentials
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	endpoint := apiURL + "app-manifests/" + url.PathEscape(code) + "/conversions"
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, endpoint, nil)
	if err != nil {
		return cred, err
	}
	req.Header.Set("Accept", "application/vnd.github+json")
	req.Header.Set("X-GitHub-Api-Version", "2022-11-28")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return cred, fmt.Errorf("converting the manifest code: %w", err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return cred, fmt.Errorf("converting the manifest code: %w", err)
	}
	if resp.StatusCode != http.StatusCreated {
		var e struct{ Message string }
		_ = json.Unmarshal(body, &e)
		msg := cmp.Or(e.Message, http.StatusText(resp.StatusCode))
		if resp.StatusCode == http.StatusNotFound || resp.StatusCode == http.StatusUnprocessableEntity {
			msg += " (a code works once, within an hour of registering)"
		}
		return cred, fmt.Errorf("GitHub refused the manifest code: %d %s", resp.StatusCode, msg)
	}
	if err := json.Unmarshal(body, &cred); err != nil || cred.ID == 0 || cred.PEM == "" {
		return cred, errors.New("GitHub's answer to the manifest code holds no App id and private key")
	}
	return cred, nil
}

// writeNewFile writes a secret to a file that must not exist yet, readable
// by its owner only.
func writeNewFile(path, secret string) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	_, err = f.WriteString(secret)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}
