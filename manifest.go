// Package callboard holds what belongs to the product as a whole rather than
// to one of its packages: the GitHub App manifest, so that the fake GitHub
// in the tests grants exactly what the real App asks for.
package callboard

import _ "embed" // app.yml

// AppManifest is app.yml, the GitHub App manifest callboard is registered from.
//
//go:embed app.yml
var AppManifest []byte
