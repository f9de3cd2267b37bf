package main

import (
	"context"
	"fmt"
	"time"

	"github.com/haven-helpline/haven"
	"github.com/haven-helpline/haven/bench"
)

// instancesFlag points haven bench intake at running servers instead of its own.
type instancesFlag struct {
	URLs []string `name:"url" placeholder:"http://HOST:PORT" help:"Send the cases over HTTP to these running haven serve instances on --db (repeat the flag; cases are spread evenly over them) instead of to the service and a server of the benchmark's own."`
}

// viaInstances sends the cases to running servers on the same database, with a token of the
// bench admin created in it. The seed follows the clock, so that runs repeated on one database
// create new requesters rather than the same ones again.
func (c *BenchIntakeCmd) viaInstances(ctx context.Context, e *env, a *app, in bench.Intake, label string) error {
	actor, _ := haven.ActorFrom(ctx)
	token, _, err := a.svc.CreateTokenAsSystem(ctx, actor.User.Username, "bench", false)
	if err != nil {
		return err
	}
	in.Seed = uint64(time.Now().UnixNano())
	name := fmt.Sprintf("intake via HTTP API (%s, %d instances)", label, len(c.URLs))
	r, err := in.ViaHTTP(ctx, name, c.URLs, token)
	if err != nil {
		return err
	}
	return bench.Print(e.stdout, r)
}
