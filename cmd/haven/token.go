package main

import (
	"text/tabwriter"
	"time"
)

// TokenCmd groups the token commands.
type TokenCmd struct {
	Create TokenCreateCmd `cmd:"" help:"Create a personal API token; prints only the token, once."`
	List   TokenListCmd   `cmd:"" help:"List a user's API tokens, revoked ones included (never the secrets)."`
	Revoke TokenRevokeCmd `cmd:"" help:"Revoke an API token: it stops working at once and stays listed."`
}

// TokenCreateCmd issues an API token.
type TokenCreateCmd struct {
	DBFlags
	User     string `name:"user" required:"" help:"Whose token it is."`
	Name     string `name:"name" default:"cli" help:"What the token is for."`
	ReadOnly bool   `name:"read-only" help:"The token can read but not change anything."`
}

// Run prints the new token on stdout.
func (c *TokenCreateCmd) Run(e *env) (err error) {
	a, err := c.open(e, true)
	if err != nil {
		return err
	}
	defer cleanup(&err, a.Close)
	token, _, err := a.svc.CreateTokenAsSystem(e.ctx, c.User, c.Name, c.ReadOnly)
	if err != nil {
		return err
	}
	e.println(token)
	return nil
}

// TokenListCmd lists a user's tokens.
type TokenListCmd struct {
	DBFlags
	User string `name:"user" required:"" help:"Whose tokens to list."`
}

// Run prints the tokens as a table, newest first.
func (c *TokenListCmd) Run(e *env) (err error) {
	a, err := c.open(e, true)
	if err != nil {
		return err
	}
	defer cleanup(&err, a.Close)
	tokens, err := a.svc.TokensAsSystem(e.ctx, c.User)
	if err != nil {
		return err
	}
	w := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
	e.fprintln(w, "ID\tNAME\tSCOPE\tCREATED\tLAST USED\tREVOKED")
	for _, t := range tokens {
		scope, used, revoked := "read-write", "never", "no"
		if t.ReadOnly {
			scope = "read-only"
		}
		if t.LastUsed != nil {
			used = t.LastUsed.Format(time.DateTime)
		}
		if t.Revoked {
			revoked = "yes"
		}
		e.fprintf(w, "%d\t%s\t%s\t%s\t%s\t%s\n", t.ID, t.Name, scope, t.CreatedAt.Format(time.DateTime), used, revoked)
	}
	return w.Flush()
}

// TokenRevokeCmd revokes a token.
type TokenRevokeCmd struct {
	DBFlags
	User string `name:"user" required:"" help:"Whose token it is (a guard against a mistyped id)."`
	ID   int64  `arg:"" help:"The token's id, from haven token list."`
}

// Run revokes the token.
func (c *TokenRevokeCmd) Run(e *env) (err error) {
	a, err := c.open(e, true)
	if err != nil {
		return err
	}
	defer cleanup(&err, a.Close)
	if err := a.svc.RevokeTokenAsSystem(e.ctx, c.User, c.ID); err != nil {
		return err
	}
	e.printf("revoked token %d of %s\n", c.ID, c.User)
	return nil
}
