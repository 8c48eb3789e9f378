// Package web is callboard's read-only web view: a search page, a page per
// entity and per team, the repositories and their catalog status, and the
// weekly digest, rendered on the server with html/template from embedded
// templates and one CSS file. Pages work without JavaScript.
//
// People sign in with GitHub through the GitHub App's own OAuth
// (user-to-server): members of an organisation where the App is installed
// are let in. CALLBOARD_WEB_AUTH=token accepts CALLBOARD_API_TOKEN instead,
// and none (for the demo and loopback addresses only) lets everyone in. The
// session is a cookie signed with HMAC-SHA256; see session.go for its key.
//
// Pages read the catalog through the same store methods the catalog API and
// the owner answer use (catalog.FindOwner for owners), never through a query
// layer of their own.
package web
