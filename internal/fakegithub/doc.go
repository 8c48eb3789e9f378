// Package fakegithub is an in-memory fake of the parts of the GitHub REST API
// that callboard uses. It runs on an httptest.Server, so go-github and
// ghinstallation reach it unchanged through their base URLs.
//
// Authentication works as for a GitHub App: /app/* takes an app JWT (its
// shape is checked, its signature is not) and everything else takes an
// installation token from POST /app/installations/{id}/access_tokens. A token
// sees only its installation's organization and repositories; anything else
// is a 404, as on GitHub.
//
// Files live in a small git model (blobs, flat trees, commits, branches), so
// SetFile and the Git data API both make commits that the contents API reads.
// Issues and pull requests exist once touched; the app's comments and commits
// are by callboard[bot].
//
// The App's user-to-server OAuth (oauth.go) is served too: GitHub's web
// pages /login/oauth/authorize (a form that asks for a login) and
// /login/oauth/access_token (codes good once, PKCE checked), and the user
// endpoints a user access token reaches: /user, /user/installations and
// /user/memberships/orgs/{org}.
package fakegithub
