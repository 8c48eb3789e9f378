// Package callboard holds what the repository root ships beside the code,
// embedded so the binary carries it: the GitHub App manifest (app.yml), which
// "callboard app-manifest" prints with an install's URLs filled in, and which
// the fake GitHub in the tests reads to grant exactly what the real App asks
// for. Reading the file itself keeps one source for the permissions and events.
package callboard

import _ "embed"

// AppManifest is app.yml as it is in this build.
//
//go:embed app.yml
var AppManifest []byte
