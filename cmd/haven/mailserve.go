package main

import (
	"context"
	"errors"
	"net"
	"sync"

	"github.com/haven-helpline/haven"
	"github.com/haven-helpline/haven/email"
	"github.com/haven-helpline/haven/i18n"
	"github.com/haven-helpline/haven/pgp"
	"github.com/haven-helpline/haven/service"
)

// mailRuntime is the running email channel of a server.
type mailRuntime struct {
	sender *sender // nil without a relay
	smtp   *email.SMTPServer
	wg     sync.WaitGroup
}

// startMail configures the email channel: the helpline's PGP keys, sending (with a relay),
// acknowledgements, the SMTP listener and the IMAP pollers. The service is rebuilt with it, so
// call this before building the web server.
func startMail(e *env, a *app, flags MailFlags) (*mailRuntime, error) {
	mc, err := flags.load()
	if err != nil {
		return nil, err
	}
	keys, err := loadPGPKeyring(e.ctx, a)
	if err != nil {
		return nil, err
	}
	rt := &mailRuntime{}
	if relay := mc.relay(); relay != nil {
		acks, err := acknowledgements(mc.AutoAcknowledge)
		if err != nil {
			return nil, err
		}
		a.reconfigure(func(cfg *service.Config) { cfg.SendEmail, cfg.Acknowledge = true, acks })
		rt.sender = &sender{svc: a.svc, cfg: mc, relay: *relay, keys: keys}
	}
	pipe := &email.Pipeline{Intake: a.svc, Mailboxes: mc.mailboxes(), MaxBytes: mc.MaxMessageBytes, PGP: keys,
		SenderKeys: a.svc.SenderPGPKeys, Log: e.log}
	if err := rt.listen(e, flags.SMTPListen, mc, pipe); err != nil {
		return nil, err
	}
	return rt, rt.poll(e, mc, pipe)
}

// listen starts the SMTP listener when asked for.
func (rt *mailRuntime) listen(e *env, addr string, mc *mailConfig, pipe *email.Pipeline) error {
	if addr == "" {
		return nil
	}
	srv, err := email.NewSMTPServer(email.SMTPServerConfig{Addr: addr, Domain: mc.Domain, Mailboxes: mc.mailboxes(),
		MaxMessageBytes: mc.MaxMessageBytes, Logger: e.log}, pipe)
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return haven.Errorf(haven.EINVALID, "cannot listen for SMTP on %s: %v", addr, err)
	}
	rt.smtp = srv
	rt.wg.Add(1)
	go func() {
		defer rt.wg.Done()
		if err := srv.Serve(ln); err != nil && e.ctx.Err() == nil {
			e.log.Error("SMTP listener stopped", "err", err)
		}
	}()
	e.log.Info("receiving mail by SMTP", "addr", ln.Addr().String(), "mailboxes", len(mc.Mailboxes))
	return nil
}

// poll starts one IMAP poller per mailbox that has an IMAP server.
func (rt *mailRuntime) poll(e *env, mc *mailConfig, pipe *email.Pipeline) error {
	for _, mb := range mc.mailboxes() {
		if mb.IMAP == nil {
			continue
		}
		p, err := email.NewIMAPPoller(mb, pipe, e.log)
		if err != nil {
			return err
		}
		rt.wg.Add(1)
		go func() {
			defer rt.wg.Done()
			if err := p.Run(e.ctx); err != nil && !errors.Is(err, context.Canceled) {
				e.log.Error("IMAP poller stopped", "mailbox", mb.Address, "err", err)
			}
		}()
	}
	return nil
}

// stop closes the SMTP listener and waits for the pollers (which stop with the context).
func (rt *mailRuntime) stop() {
	if rt == nil {
		return
	}
	if rt.smtp != nil {
		_ = rt.smtp.Close() // shutting down: there is nothing left to do about a failure
	}
	rt.wg.Wait()
}

// loadPGPKeyring unlocks the helpline's stored key pairs; nil when there are none.
func loadPGPKeyring(ctx context.Context, a *app) (*pgp.Keyring, error) {
	stored, err := a.svc.PGPKeysAsSystem(ctx)
	if err != nil || len(stored) == 0 {
		return nil, err
	}
	var privates [][]byte
	for _, k := range stored {
		privates = append(privates, []byte(k.Armored))
	}
	return pgp.NewKeyring(privates, nil)
}

// acknowledgements writes automatic acknowledgements from the catalogs (ids ack.subject and
// ack.body), in the case's language; nil when they are off.
func acknowledgements(on bool) (func(lang, number, title string) (string, string), error) {
	if !on {
		return nil, nil
	}
	cat, err := i18n.Load()
	if err != nil {
		return nil, err
	}
	return func(lang, number, title string) (string, string) {
		l := cat.Localizer(lang)
		return l.T("ack.subject", "Number", number, "Title", title), l.T("ack.body", "Number", number, "Title", title)
	}, nil
}
