package main

import (
	"context"
	"flag"
	"fmt"
	"runtime"
	"runtime/debug"
	"sync"
)

// version (and commit) are stamped by the release build:
//
//	go build -ldflags "-X main.version=v1.4.0 -X main.commit=$(git rev-parse HEAD)" ./cmd/callboard
//
// Without them, they are what Go recorded: the module version for
// "go install ...@v1.4.0", a pseudo-version or "(devel)" for a local build,
// and the commit of the work tree it was built in.
var version, commit string

// versionInfo is what callboard says about its own build.
type versionInfo struct {
	Version  string `json:"version"`
	Commit   string `json:"commit,omitempty"`
	Time     string `json:"commit_time,omitempty"`
	Modified bool   `json:"modified,omitempty"` // built from a work tree with uncommitted changes
	Go       string `json:"go"`
}

// buildVersion reads the build information Go records in the binary, once.
var buildVersion = onceVersion()

func onceVersion() func() versionInfo { return sync.OnceValue(readVersion) }

func readVersion() versionInfo {
	v := versionInfo{Version: "(devel)", Go: runtime.Version()}
	if bi, ok := debug.ReadBuildInfo(); ok {
		if bi.Main.Version != "" {
			v.Version = bi.Main.Version
		}
		v.Go = bi.GoVersion
		for _, s := range bi.Settings {
			switch s.Key {
			case "vcs.revision":
				v.Commit = s.Value
			case "vcs.time":
				v.Time = s.Value
			case "vcs.modified":
				v.Modified = s.Value == "true"
			}
		}
	}
	if version != "" {
		v.Version = version
	}
	if commit != "" && commit != v.Commit {
		v.Commit, v.Time, v.Modified = commit, "", false
	}
	return v
}

// String is the one line "callboard version" prints.
func (v versionInfo) String() string {
	s := "callboard " + v.Version
	if v.Commit != "" {
		commit := v.Commit
		if len(commit) > 12 {
			commit = commit[:12]
		}
		if v.Modified {
			commit += "+modified"
		}
		s += " commit " + commit
		if v.Time != "" {
			s += " (" + v.Time + ")"
		}
	}
	return s + " " + v.Go + " " + runtime.GOOS + "/" + runtime.GOARCH
}

func versionCmd(*flag.FlagSet) action {
	return func(ctx context.Context, c *cli) error {
		if len(c.args) > 0 {
			return fmt.Errorf("%w: version takes no arguments", errUsage)
		}
		fmt.Fprintln(c.stdout, buildVersion())
		return nil
	}
}
