package main

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
)

// Peak RSS, measured honestly. A child's ru_maxrss (wait4) is not its own
// when its parent is large: Go starts children with vfork, and Linux, at
// exec, records the high-water mark of the memory the child leaves — the
// parent's — into the child's maxrss. This benchmark holds a fake GitHub
// of 50,000 repositories, so every child would report the benchmark's own
// size. Each measured command therefore runs under a small helper (this
// binary, "bench -child-rss FILE CMD ARGS..."): the command is forked from
// the helper, a few MB, and the helper writes the command's ru_maxrss to
// FILE (the helper's own few MB are the most it can overstate).

var rssSeq atomic.Int64

// measured makes c run under the helper; the returned func reads c's
// peak RSS in MB once it has exited.
func measured(c *exec.Cmd) func() float64 {
	self, err := os.Executable()
	if err != nil {
		return func() float64 { return 0 }
	}
	file := filepath.Join(os.TempDir(), fmt.Sprintf("callboard-bench-rss-%d-%d", os.Getpid(), rssSeq.Add(1)))
	c.Args = append([]string{self, "-child-rss", file, c.Path}, c.Args[1:]...)
	c.Path = self
	return func() float64 {
		defer os.Remove(file)
		b, err := os.ReadFile(file)
		if err != nil {
			return 0
		}
		kb, _ := strconv.ParseFloat(strings.TrimSpace(string(b)), 64)
		return kb / 1024
	}
}

// rssHelper is the helper: it runs args, forwarding SIGTERM and SIGINT,
// and writes its peak RSS (KiB) to file; it exits as the command did.
func rssHelper(file string, args []string) {
	cmd := exec.Command(args[0], args[1:]...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL} // the helper killed, the command goes too
	sigs := make(chan os.Signal, 2)
	signal.Notify(sigs, syscall.SIGTERM, syscall.SIGINT)
	if err := cmd.Start(); err != nil {
		fmt.Fprintln(os.Stderr, "bench rss helper:", err)
		os.Exit(1)
	}
	go func() {
		for s := range sigs {
			cmd.Process.Signal(s)
		}
	}()
	err := cmd.Wait()
	if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
		os.WriteFile(file, []byte(strconv.FormatInt(ru.Maxrss, 10)), 0o600)
	}
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		os.Exit(ee.ExitCode())
	}
	if err != nil {
		os.Exit(1)
	}
}

// selfHWM is this process's own peak RSS in MB (VmHWM: its memory since
// exec, whatever its parent's size).
func selfHWM() float64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, l := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(l, "VmHWM:"); ok {
			kb, _ := strconv.ParseFloat(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 64)
			return kb / 1024
		}
	}
	return 0
}
