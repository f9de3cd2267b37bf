package bench

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"time"
)

// Pages fetches web pages as signed-in browsers would, n requests from `clients` concurrent
// clients, each pausing for a random time of mean pause between its requests (none when 0),
// cycling through paths; request i carries session cookie i mod len(cookies). Each answer must
// be 200 and is read whole. Every session first fetches every path once, unmeasured,
// as a browser that has already opened its queues (a warm-up). accept is the Accept-Encoding
// the clients send.
func Pages(ctx context.Context, name, baseURL string, cookies, paths []string, n, clients int, pause time.Duration, accept string) (Result, error) {
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: clients}}
	fetch := func(ctx context.Context, cookie, path string) error {
		req, err := http.NewRequestWithContext(ctx, "GET", baseURL+path, nil)
		if err != nil {
			return err
		}
		req.Header.Set("Cookie", cookie)
		// Set by hand, it makes the transport hand over the body as sent, so that decompressing
		// it (a browser's work, not the server's) is not timed.
		req.Header.Set("Accept-Encoding", accept)
		resp, err := client.Do(req)
		if err != nil {
			return err
		}
		defer func() { _ = resp.Body.Close() }() // read to the end below
		if _, err := io.Copy(io.Discard, resp.Body); err != nil {
			return err
		}
		if resp.StatusCode != http.StatusOK {
			return fmt.Errorf("%s: status %d", path, resp.StatusCode)
		}
		return nil
	}
	for _, cookie := range cookies {
		for _, p := range paths {
			if err := fetch(ctx, cookie, p); err != nil {
				return Result{}, fmt.Errorf("warm-up: %w", err)
			}
		}
	}
	return runPaced(ctx, name, n, clients, pause, func(ctx context.Context, i int) error {
		return fetch(ctx, cookies[i%len(cookies)], paths[i%len(paths)])
	})
}

// Background runs op rate times a second until ctx ends, and returns how many ran and the first
// error. It stands for the writes a helpline makes while handlers read (new cases, changes).
func Background(ctx context.Context, rate int, op func(ctx context.Context, i int) error) (ran func() (int, error)) {
	if rate <= 0 {
		return func() (int, error) { return 0, nil }
	}
	done := make(chan struct{})
	var n int
	var first error
	go func() {
		defer close(done)
		tick := time.NewTicker(time.Second / time.Duration(rate))
		defer tick.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-tick.C:
				if err := op(ctx, n); err != nil && first == nil && ctx.Err() == nil {
					first = err
				}
				n++
			}
		}
	}()
	return func() (int, error) { <-done; return n, first }
}
