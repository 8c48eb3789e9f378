package main

import (
	"context"
	"flag"
	"fmt"
	"net"
	"net/http"
	"os"
	"time"
)

// cmdBackup writes an online, consistent snapshot of the database.
func backupCmd(*flag.FlagSet) action { return cmdBackup }

func cmdBackup(ctx context.Context, c *cli) error {
	cfg, stdout := c.cfg, c.stdout
	if len(c.args) != 1 {
		return fmt.Errorf("%w: backup needs a file (callboard backup /backups/callboard-2026-11-22.db)", errUsage)
	}
	dst := c.args[0]
	if _, err := os.Stat(dst); err == nil {
		return fmt.Errorf("%s exists; callboard backup does not overwrite a file", dst)
	}
	db, _, done, err := openExisting(ctx, cfg)
	if err != nil {
		return err
	}
	defer done()
	start := time.Now()
	if err := db.Backup(ctx, dst); err != nil {
		return err
	}
	info, err := os.Stat(dst)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "backed up %s to %s (%d bytes) in %s\n", cfg.DB, dst, info.Size(), time.Since(start).Round(time.Millisecond))
	return nil
}

// cmdHealthcheck exits 0 when the local server answers /readyz: the
// container image's health check.
func healthcheckCmd(*flag.FlagSet) action { return cmdHealthcheck }

func cmdHealthcheck(ctx context.Context, c *cli) error {
	cfg, stdout := c.cfg, c.stdout
	host, port, err := net.SplitHostPort(cfg.Addr)
	if err != nil {
		return fmt.Errorf("CALLBOARD_ADDR %q: %v", cfg.Addr, err)
	}
	if host == "" || host == "0.0.0.0" || host == "::" {
		host = "127.0.0.1"
	}
	ctx, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+net.JoinHostPort(host, port)+"/readyz", nil)
	if err != nil {
		return err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return fmt.Errorf("not ready: %v", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("not ready: /readyz answered %d", resp.StatusCode)
	}
	fmt.Fprintln(stdout, "ready")
	return nil
}
