package main

import (
	"errors"
	"fmt"
	"io"

	"github.com/haven-helpline/haven"
	"github.com/haven-helpline/haven/email"
)

// IngestCmd takes one message from an MTA pipe.
type IngestCmd struct {
	DBFlags
	MailFlags
	To string `name:"to" placeholder:"ADDRESS" help:"The mailbox the message was delivered to (default: the first configured mailbox)."`
}

// exitTempFail is sysexits' EX_TEMPFAIL: the MTA keeps the message and tries again later.
const exitTempFail = 75

// tempFail is an error that makes `haven ingest` exit with EX_TEMPFAIL.
type tempFail struct{ err error }

func (t tempFail) Error() string { return t.err.Error() }
func (t tempFail) Unwrap() error { return t.err }

// Run reads one RFC 5322 message on stdin and stores it (threaded, deduplicated). It exits 0
// only once the message is committed; a temporary problem exits 75 so that the MTA retries, a
// permanent refusal (too large) exits 1.
func (c *IngestCmd) Run(e *env) error {
	mc, err := c.MailFlags.load()
	if err != nil {
		return err
	}
	raw, err := io.ReadAll(io.LimitReader(e.stdin, maxIngest(mc)+1))
	if err != nil {
		return tempFail{fmt.Errorf("reading the message: %w", err)}
	}
	a, err := c.open(e, true)
	if err != nil {
		return tempFail{err}
	}
	// Once Ingest returns the message is committed: a failed close or a lost line of output must
	// not turn that into an exit status that makes the MTA bounce or resend it, so both are logged.
	defer func() {
		if err := a.Close(); err != nil {
			e.log.Warn("ingest: closing the database", "err", err)
		}
	}()
	keys, err := loadPGPKeyring(e.ctx, a)
	if err != nil {
		return tempFail{err}
	}
	to := c.To
	if to == "" && len(mc.Mailboxes) > 0 {
		to = mc.Mailboxes[0].Address
	}
	pipe := &email.Pipeline{Intake: a.svc, Mailboxes: mc.mailboxes(), MaxBytes: mc.MaxMessageBytes, PGP: keys,
		SenderKeys: a.svc.SenderPGPKeys, Log: e.log}
	res, err := pipe.Ingest(e.ctx, to, raw)
	if err != nil {
		if errors.Is(err, email.ErrRejected) {
			return haven.Errorf(haven.ETOOLARGE, "refused: %v", err)
		}
		return tempFail{err}
	}
	if _, err := fmt.Fprintf(e.stdout, "%s %s\n", res.CaseNumber, res.Threading); err != nil {
		e.log.Warn("ingest: writing the case number", "err", err)
	}
	return nil
}

func maxIngest(mc *mailConfig) int64 {
	if mc.MaxMessageBytes > 0 {
		return mc.MaxMessageBytes
	}
	return email.DefaultMaxMessageBytes
}
