package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/haven-helpline/haven"
)

// writer returns the change the UI benchmark makes --writes times a second: a tag added to one of
// cases, in turn. With --url it goes through the running server's API as the bench admin, so
// that the server does the work (and holds the memory) of a colleague's change; otherwise
// through the service of the benchmark's own server.
func (c *BenchUICmd) writer(ctx context.Context, a *app, base string, cases []*haven.Case) (func(context.Context, int) error, error) {
	if len(cases) == 0 {
		return nil, haven.Errorf(haven.EINVALID, "the database has no case to change")
	}
	if c.URL == "" {
		return func(_ context.Context, i int) error {
			tag := fmt.Sprintf("bench-%d", i)
			_, err := a.svc.UpdateCase(ctx, cases[i%len(cases)].Number, haven.CaseUpdate{AddTags: []string{tag}})
			return err
		}, nil
	}
	actor, _ := haven.ActorFrom(ctx)
	token, _, err := a.svc.CreateTokenAsSystem(ctx, actor.User.Username, "bench", false)
	if err != nil {
		return nil, err
	}
	return func(wctx context.Context, i int) error {
		body := fmt.Sprintf(`{"add_tags":["bench-%d"]}`, i)
		return patchCase(wctx, base+"/api/v1/cases/"+cases[i%len(cases)].Number, token, body)
	}, nil
}

// patchCase sends one case update to the API and expects it accepted.
func patchCase(ctx context.Context, url, token, body string) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPatch, url, bytes.NewBufferString(body))
	if err != nil {
		return haven.Internal("bench write", err)
	}
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return haven.Internal("bench write", err)
	}
	defer func() { _ = resp.Body.Close() }() // read whole below
	msg, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
	if resp.StatusCode != http.StatusOK {
		return haven.Errorf(haven.EINTERNAL, "bench write: status %d: %s", resp.StatusCode, strings.TrimSpace(string(msg)))
	}
	return nil
}
