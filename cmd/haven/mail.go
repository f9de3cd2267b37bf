package main

import (
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/haven-helpline/haven"
	"github.com/haven-helpline/haven/email"
)

// MailFlags configure the email channel of `haven serve` (and the mailbox of `haven ingest`).
type MailFlags struct {
	SMTPListen string   `name:"smtp-listen" env:"HAVEN_SMTP_LISTEN" placeholder:"ADDR" help:"Receive mail by SMTP on this address (e.g. 127.0.0.1:2525), for the configured mailboxes only."`
	Mailbox    []string `name:"mailbox" env:"HAVEN_MAILBOX" placeholder:"ADDRESS" help:"A helpline address to receive mail for (repeatable); a --mail-config file configures more (teams, languages, IMAP)."`
	MailConfig string   `name:"mail-config" env:"HAVEN_MAIL_CONFIG" placeholder:"FILE" help:"JSON file: mailboxes (with IMAP polling, team, language), the outgoing relay, the Message-ID domain (docs/email.md)."`
	// The SMTP listener's limits (docs/email.md): zero values take the defaults.
	SMTPMaxConns    int           `name:"smtp-max-connections" env:"HAVEN_SMTP_MAX_CONNECTIONS" default:"100" help:"SMTP connections open at once; more are answered 421 (try again later) and closed."`
	SMTPCommandWait time.Duration `name:"smtp-command-timeout" env:"HAVEN_SMTP_COMMAND_TIMEOUT" default:"60s" help:"Close an SMTP connection that sends no command for this long."`
	SMTPDataWait    time.Duration `name:"smtp-data-timeout" env:"HAVEN_SMTP_DATA_TIMEOUT" default:"10m" help:"Close an SMTP connection whose message (DATA) takes longer than this to arrive."`
}

// mailConfig is the --mail-config file.
type mailConfig struct {
	Domain          string        `json:"domain"`    // of Haven's Message-IDs
	FromName        string        `json:"from_name"` // display name of outgoing mail
	Mailboxes       []mailboxJSON `json:"mailboxes"`
	Relay           *relayJSON    `json:"relay"`
	AutoAcknowledge bool          `json:"auto_acknowledge"`
	MaxMessageBytes int64         `json:"max_message_bytes"`
}

type mailboxJSON struct {
	Address  string `json:"address"`
	Team     string `json:"team"`
	Category string `json:"category"`
	Language string `json:"language"`
	// Emergency: every new case opened by mail to this address pages on-call at once.
	Emergency bool      `json:"emergency"`
	IMAP      *imapJSON `json:"imap"`
}

type imapJSON struct {
	Host            string `json:"host"`
	Port            int    `json:"port"`
	Security        string `json:"security"`
	Username        string `json:"username"`
	Password        string `json:"password"`
	PasswordEnv     string `json:"password_env"` // read the password from this environment variable instead
	Folder          string `json:"folder"`
	ProcessedFolder string `json:"processed_folder"`
	PollSeconds     int    `json:"poll_seconds"`
}

type relayJSON struct {
	Host        string `json:"host"`
	Port        int    `json:"port"`
	Security    string `json:"security"`
	Username    string `json:"username"`
	Password    string `json:"password"`
	PasswordEnv string `json:"password_env"`
}

// load reads the mail configuration: the file, then the --mailbox addresses.
func (f *MailFlags) load() (*mailConfig, error) {
	cfg := &mailConfig{}
	if f.MailConfig != "" {
		raw, err := os.ReadFile(f.MailConfig)
		if err != nil {
			return nil, haven.Errorf(haven.EINVALID, "cannot read the mail configuration: %v", err)
		}
		dec := json.NewDecoder(strings.NewReader(string(raw)))
		dec.DisallowUnknownFields()
		if err := dec.Decode(cfg); err != nil {
			return nil, haven.Errorf(haven.EINVALID, "%s: %v", f.MailConfig, err)
		}
	}
	for _, a := range f.Mailbox {
		cfg.Mailboxes = append(cfg.Mailboxes, mailboxJSON{Address: a})
	}
	for i, m := range cfg.Mailboxes {
		cfg.Mailboxes[i].Address = strings.ToLower(strings.TrimSpace(m.Address))
		if !strings.Contains(cfg.Mailboxes[i].Address, "@") {
			return nil, haven.Errorf(haven.EINVALID, "mailbox %q is not an email address", m.Address)
		}
		if m.Category != "" && !haven.ValidCategorySlug(m.Category) {
			return nil, haven.Errorf(haven.EINVALID, "mailbox %s: category %q is not a category slug", m.Address, m.Category)
		}
	}
	if cfg.Domain == "" && len(cfg.Mailboxes) > 0 {
		_, cfg.Domain, _ = strings.Cut(cfg.Mailboxes[0].Address, "@")
	}
	return cfg, nil
}

// mailboxes converts the configuration for the email package.
func (c *mailConfig) mailboxes() []email.Mailbox {
	var out []email.Mailbox
	for _, m := range c.Mailboxes {
		mb := email.Mailbox{Address: m.Address, Team: m.Team, Category: m.Category, Language: m.Language, Emergency: m.Emergency}
		if m.IMAP != nil {
			mb.IMAP = &email.IMAPConfig{Host: m.IMAP.Host, Port: m.IMAP.Port, Security: m.IMAP.Security,
				Username: m.IMAP.Username, Password: secret(m.IMAP.Password, m.IMAP.PasswordEnv), Folder: m.IMAP.Folder,
				ProcessedFolder: m.IMAP.ProcessedFolder, PollInterval: time.Duration(m.IMAP.PollSeconds) * time.Second}
		}
		out = append(out, mb)
	}
	return out
}

// relay is the outgoing relay, nil when none is configured (replies are then only recorded).
func (c *mailConfig) relay() *email.RelayConfig {
	if c.Relay == nil || c.Relay.Host == "" {
		return nil
	}
	return &email.RelayConfig{Host: c.Relay.Host, Port: c.Relay.Port, Security: c.Relay.Security,
		Username: c.Relay.Username, Password: secret(c.Relay.Password, c.Relay.PasswordEnv), HeloName: c.Domain}
}

func secret(value, env string) string {
	if env != "" {
		return os.Getenv(env)
	}
	return value
}

// fromAddress picks the mailbox a reply goes out from: the one the requester wrote to, else
// the first configured.
func (c *mailConfig) fromAddress(wroteTo []string) (string, error) {
	for _, w := range wroteTo {
		for _, m := range c.Mailboxes {
			if strings.EqualFold(w, m.Address) {
				return m.Address, nil
			}
		}
	}
	if len(c.Mailboxes) == 0 {
		return "", fmt.Errorf("no mailbox is configured to send from")
	}
	return c.Mailboxes[0].Address, nil
}
