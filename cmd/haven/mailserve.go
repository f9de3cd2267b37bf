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
	pipe   *email.Pipeline
	wg     sync.WaitGroup // the SMTP listener
	// The IMAP pollers, which a reload replaces: their own context and wait group.
	polling    sync.WaitGroup
	stopPolls  context.CancelFunc
	reloadLock sync.Mutex // one reload at a time
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
		rt.sender = &sender{svc: a.svc, relay: *relay, keys: keys, metrics: a.metrics}
		rt.sender.cfg.Store(mc)
	}
	pipe := &email.Pipeline{Intake: a.svc, Mailboxes: mc.mailboxes(), MaxBytes: mc.MaxMessageBytes, PGP: keys,
		SenderKeys: a.svc.SenderPGPKeys, Log: e.log}
	if a.metrics != nil { // a typed nil in the interface would be called
		pipe.Metrics = a.metrics
		for _, mb := range pipe.Mailboxes {
			a.metrics.Mailboxes(mb.Address)
		}
	}
	rt.pipe = pipe
	if err := rt.listen(e, flags, mc, pipe); err != nil {
		return nil, err
	}
	return rt, rt.poll(e, mc)
}

// listen starts the SMTP listener when asked for.
func (rt *mailRuntime) listen(e *env, flags MailFlags, mc *mailConfig, pipe *email.Pipeline) error {
	addr := flags.SMTPListen
	if addr == "" {
		return nil
	}
	if flags.SMTPMaxConns < 0 || flags.SMTPCommandWait < 0 || flags.SMTPDataWait < 0 {
		return haven.Errorf(haven.EINVALID, "--smtp-max-connections, --smtp-command-timeout and --smtp-data-timeout are positive")
	}
	srv, err := email.NewSMTPServer(email.SMTPServerConfig{Addr: addr, Domain: mc.Domain, Mailboxes: mc.mailboxes(),
		MaxMessageBytes: mc.MaxMessageBytes, Logger: e.log, MaxConnections: flags.SMTPMaxConns,
		ReadTimeout: flags.SMTPCommandWait, DataTimeout: flags.SMTPDataWait}, pipe)
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
func (rt *mailRuntime) poll(e *env, mc *mailConfig) error {
	var pollers []*email.IMAPPoller
	for _, mb := range mc.mailboxes() {
		if mb.IMAP == nil {
			continue
		}
		p, err := email.NewIMAPPoller(mb, rt.pipe, e.log)
		if err != nil {
			return err
		}
		p.Metrics = rt.pipe.Metrics
		pollers = append(pollers, p)
	}
	ctx, cancel := context.WithCancel(e.ctx)
	rt.stopPolls = cancel
	for _, p := range pollers {
		rt.polling.Add(1)
		go func() {
			defer rt.polling.Done()
			if err := p.Run(ctx); err != nil && !errors.Is(err, context.Canceled) {
				e.log.Error("IMAP poller stopped", "mailbox", p.Mailbox(), "err", err)
			}
		}()
	}
	return nil
}

// shutdown stops the SMTP listener gracefully: the transactions in progress finish, within
// ctx. The pollers stop with the server's context.
func (rt *mailRuntime) shutdown(ctx context.Context) error {
	if rt == nil || rt.smtp == nil {
		return nil
	}
	return rt.smtp.Shutdown(ctx)
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
	rt.polling.Wait()
}

// reload applies a new mail configuration to the running server: the mailboxes (addresses,
// teams, languages, categories) and their IMAP pollers. The SMTP listener's address, its limits
// and the relay stay as they were started: those need a restart. A configuration that does not
// load changes nothing.
func (rt *mailRuntime) reload(e *env, flags MailFlags) error {
	rt.reloadLock.Lock()
	defer rt.reloadLock.Unlock()
	mc, err := flags.load()
	if err != nil {
		return err
	}
	if rt.smtp != nil {
		if err := rt.smtp.SetMailboxes(mc.mailboxes()); err != nil {
			return err
		}
	}
	rt.pipe.SetMailboxes(mc.mailboxes())
	if rt.sender != nil {
		rt.sender.cfg.Store(mc)
	}
	rt.stopPolls()
	rt.polling.Wait()
	return rt.poll(e, mc)
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
