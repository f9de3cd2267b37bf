package main

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"time"

	"github.com/haven-helpline/haven"
)

// HealthcheckCmd probes a running server's /readyz. Container images carry no curl, so their
// HEALTHCHECK runs the binary itself; with the server's own --listen (flag, HAVEN_LISTEN or the
// config file) it needs no argument at all.
type HealthcheckCmd struct {
	URL     string        `name:"url" placeholder:"URL" help:"Address to probe (default: /readyz on --listen, a wildcard host probed on 127.0.0.1)."`
	Listen  string        `name:"listen" env:"HAVEN_LISTEN" default:"127.0.0.1:8080" help:"The server's listen address, as given to serve."`
	Timeout time.Duration `name:"timeout" default:"5s" help:"Give up after this long."`
}

// Run exits 0 on a 200 answer and 1 on anything else, saying why on stderr.
func (c *HealthcheckCmd) Run(e *env) error {
	url, err := c.target()
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(e.ctx, c.Timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return haven.Errorf(haven.EINVALID, "--url: %v", err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return fmt.Errorf("not ready: %w", err)
	}
	_ = resp.Body.Close() // only the status matters
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("not ready: %s answered %s", url, resp.Status)
	}
	return nil
}

// target is --url, else /readyz on the listen address; a server listening on every interface
// (0.0.0.0, [::] or no host) is reached on the loopback.
func (c *HealthcheckCmd) target() (string, error) {
	if c.URL != "" {
		return c.URL, nil
	}
	host, port, err := net.SplitHostPort(c.Listen)
	if err != nil {
		return "", haven.Errorf(haven.EINVALID, "--listen %q: %v", c.Listen, err)
	}
	if ip := net.ParseIP(host); host == "" || (ip != nil && ip.IsUnspecified()) {
		host = "127.0.0.1"
	}
	return fmt.Sprintf("http://%s/readyz", net.JoinHostPort(host, port)), nil
}
