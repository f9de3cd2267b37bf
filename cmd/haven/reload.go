package main

import (
	"os"
	"os/signal"
	"syscall"
)

// watchReload applies what can change without a restart on every SIGHUP, until stop is called:
// the log level, and the mailboxes with their IMAP pollers (mailRuntime.reload). The command
// line is read again with the configuration file (--config) and --mail-config as they are now;
// one that does not load changes nothing and is logged.
func watchReload(e *env, mail *mailRuntime) (stop func()) {
	if e.reparse == nil {
		return func() {}
	}
	hup := make(chan os.Signal, 1)
	signal.Notify(hup, syscall.SIGHUP)
	done := make(chan struct{})
	go func() {
		for {
			select {
			case <-hup:
				reload(e, mail)
			case <-done:
				return
			}
		}
	}()
	return func() {
		signal.Stop(hup)
		close(done)
	}
}

func reload(e *env, mail *mailRuntime) {
	cli, err := e.reparse()
	if err != nil {
		e.log.Error("configuration not reloaded: it does not load, the running one stays", "err", describe(err))
		return
	}
	if mail != nil {
		if err := mail.reload(e, cli.Serve.MailFlags); err != nil {
			e.log.Error("configuration not reloaded: the mail configuration does not load, the running one stays", "err", describe(err))
			return
		}
	}
	e.level.Set(parseLevel(cli.LogLevel))
	e.log.Warn("configuration reloaded", "log_level", cli.LogLevel) // at warn: seen at every level but error
}
