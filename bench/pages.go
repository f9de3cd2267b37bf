package bench

import (
	"context"
	"fmt"
	"io"
	"net/http"
)

// Pages fetches web pages as a signed-in browser would (the session cookie), n requests from
// `clients` concurrent clients, cycling through paths. Each answer must be 200 and is read whole.
func Pages(ctx context.Context, name, baseURL, cookie string, paths []string, n, clients int) (Result, error) {
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: clients}}
	return runConcurrent(ctx, name, n, clients, func(ctx context.Context, i int) error {
		req, err := http.NewRequestWithContext(ctx, "GET", baseURL+paths[i%len(paths)], nil)
		if err != nil {
			return err
		}
		req.Header.Set("Cookie", cookie)
		resp, err := client.Do(req)
		if err != nil {
			return err
		}
		defer resp.Body.Close()
		if _, err := io.Copy(io.Discard, resp.Body); err != nil {
			return err
		}
		if resp.StatusCode != http.StatusOK {
			return fmt.Errorf("%s: status %d", paths[i%len(paths)], resp.StatusCode)
		}
		return nil
	})
}
