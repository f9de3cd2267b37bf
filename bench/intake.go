package bench

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"

	"github.com/haven-helpline/haven"
	"github.com/haven-helpline/haven/sample"
)

// Intake configures an intake run.
type Intake struct {
	Cases        int // cases to create
	Clients      int // concurrent clients
	SummaryBytes int // size of each summary (the target is 1–2 KB)
	Seed         uint64
}

// inputs pre-generates the cases so that generation is not measured.
func (in Intake) inputs() []haven.CaseCreate {
	gen := sample.New(in.Seed)
	out := make([]haven.CaseCreate, in.Cases)
	for i := range out {
		out[i] = CaseInput(gen.NextBench(in.SummaryBytes))
	}
	return out
}

// CaseInput turns a sample case into an API input: a summary, a requester and two tags.
func CaseInput(s sample.Case) haven.CaseCreate {
	return haven.CaseCreate{Title: s.Title, Summary: s.Summary, Priority: haven.Priority(s.Priority),
		Language: s.Language, Country: s.Country, Categories: []string{s.Category}, Tags: s.Tags,
		Requester: &haven.RequesterInput{Name: s.RequesterName, Email: s.RequesterEmail}}
}

// ViaService creates cases by calling the service layer directly.
func (in Intake) ViaService(ctx context.Context, name string, cases haven.CaseService) (Result, error) {
	inputs := in.inputs()
	return runConcurrent(ctx, name, len(inputs), in.Clients, func(ctx context.Context, i int) error {
		_, err := cases.CreateCase(ctx, inputs[i])
		return err
	})
}

// ViaHTTP creates cases with POST /api/v1/cases, as real clients would, spread evenly over
// baseURLs (several instances of Haven on one database).
func (in Intake) ViaHTTP(ctx context.Context, name string, baseURLs []string, token string) (Result, error) {
	if len(baseURLs) == 0 {
		return Result{}, fmt.Errorf("no address to send cases to")
	}
	inputs := in.inputs()
	bodies := make([][]byte, len(inputs))
	for i, c := range inputs {
		b, err := json.Marshal(c)
		if err != nil {
			return Result{}, err
		}
		bodies[i] = b
	}
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: in.Clients, MaxConnsPerHost: in.Clients}}
	defer client.CloseIdleConnections()
	return runConcurrent(ctx, name, len(bodies), in.Clients, func(ctx context.Context, i int) error {
		return post(ctx, client, baseURLs[i%len(baseURLs)]+"/api/v1/cases", token, bodies[i])
	})
}

func post(ctx context.Context, client *http.Client, url, token string, body []byte) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/json")
	resp, err := client.Do(req)
	if err != nil {
		return err
	}
	defer func() { _ = resp.Body.Close() }() // read to the end below
	msg, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusCreated {
		return fmt.Errorf("status %d: %s", resp.StatusCode, msg)
	}
	return nil
}
