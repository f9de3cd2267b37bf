package email

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"

	"github.com/haven-helpline/haven"
	"github.com/haven-helpline/haven/pgp"
)

// Pipeline is a Haven server's Deliverer: it parses each message, opens PGP when it holds the
// key, and hands the result to the intake service, which commits it (or recognises a duplicate)
// before Deliver returns.
type Pipeline struct {
	Intake haven.IntakeService
	// Mailboxes are the configured addresses with their team and language; change them with
	// SetMailboxes once the pipeline delivers.
	Mailboxes []Mailbox
	mu        sync.RWMutex // guards Mailboxes against SetMailboxes
	// MaxBytes refuses larger messages for good (ErrRejected); 0 means DefaultMaxMessageBytes.
	MaxBytes int64
	// PGP opens encrypted and signed mail; nil leaves such mail as received (still kept whole).
	PGP *pgp.Keyring
	// SenderKeys returns the public keys on record for the sender's address, to verify
	// signatures (none if no one has one).
	SenderKeys func(ctx context.Context, address string) ([]string, error)
	Log        *slog.Logger
	Metrics    Metrics // nil counts nothing
}

// DefaultMaxMessageBytes is the default size limit of one message (50 MB).
const DefaultMaxMessageBytes = 50 << 20

// Deliver implements Deliverer.
func (p *Pipeline) Deliver(ctx context.Context, mailbox string, raw []byte) error {
	_, err := p.Ingest(ctx, mailbox, raw)
	return err
}

// Ingest is Deliver that also says what became of the message.
func (p *Pipeline) Ingest(ctx context.Context, mailbox string, raw []byte) (*haven.IngestResult, error) {
	limit := p.MaxBytes
	if limit <= 0 {
		limit = DefaultMaxMessageBytes
	}
	if int64(len(raw)) > limit {
		err := fmt.Errorf("%w: %d bytes, more than %d", ErrRejected, len(raw), limit)
		if rerr := p.Intake.RecordRefusal(ctx, mailbox, int64(len(raw)), err.Error()); rerr != nil {
			return nil, rerr // not even the refusal could be recorded: let the sender retry
		}
		p.countRefused(mailbox)
		return nil, err
	}
	parsed := Parse(raw)
	flags := p.openPGP(ctx, parsed, raw)
	in := Inbound(parsed, raw, p.mailbox(mailbox))
	in.Flags = append(in.Flags, flags...)
	in.SenderPGPKey = attachedKey(parsed)
	res, err := p.Intake.IngestEmail(ctx, in)
	if err != nil {
		return nil, fmt.Errorf("ingest: %w", err)
	}
	p.countReceived(mailbox)
	if p.Log != nil {
		p.Log.Info("email received", "mailbox", mailbox, "case", res.CaseNumber, "threading", res.Threading,
			"bytes", len(raw), "flags", in.Flags)
	}
	return res, nil
}

// SetMailboxes replaces the configured mailboxes (a configuration reload).
func (p *Pipeline) SetMailboxes(mbs []Mailbox) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.Mailboxes = mbs
}

func (p *Pipeline) mailbox(address string) Mailbox {
	addr := normalizeAddress(address)
	p.mu.RLock()
	defer p.mu.RUnlock()
	for _, m := range p.Mailboxes {
		if m.Address == addr {
			return m
		}
	}
	return Mailbox{Address: addr}
}

// openPGP decrypts and verifies a PGP message in place of its encrypted body. The raw message
// is kept as received either way; a failure is recorded in the flags, never fatal.
func (p *Pipeline) openPGP(ctx context.Context, parsed *Parsed, raw []byte) []string {
	if p.PGP == nil || !parsed.Encrypted && !parsed.Signed {
		return nil
	}
	res, err := p.PGP.OpenMessage(raw, p.verifyKeys(ctx, parsed.From.Addr))
	if errors.Is(err, pgp.ErrNotPGP) {
		return nil
	}
	if err != nil {
		if p.Log != nil {
			p.Log.Warn("could not open PGP mail", "err", err)
		}
		return []string{"decryption-failed"}
	}
	var flags []string
	if res.Decrypted {
		flags = append(flags, "decrypted")
		replaceContent(parsed, res)
	}
	if res.Signed {
		flags = append(flags, map[bool]string{true: "signature-valid", false: "signature-invalid"}[res.SignatureValid])
	}
	return flags
}

func (p *Pipeline) verifyKeys(ctx context.Context, from string) [][]byte {
	if p.SenderKeys == nil || from == "" {
		return nil
	}
	keys, err := p.SenderKeys(ctx, from)
	if err != nil {
		return nil
	}
	out := make([][]byte, 0, len(keys))
	for _, k := range keys {
		out = append(out, []byte(k))
	}
	return out
}

// replaceContent puts the decrypted content where the encrypted body was: for PGP/MIME the
// inner entity is parsed like a message of its own (text, HTML, attachments); inline PGP
// replaces the text.
func replaceContent(parsed *Parsed, res *pgp.Result) {
	if res.Inline {
		parsed.Text = cleanText(string(bytes.ToValidUTF8(res.Plain, nil)))
		return
	}
	inner := Parse(res.Plain)
	// The encrypted parts are no longer needed as attachments: the raw message keeps them.
	parsed.Text, parsed.HTML, parsed.Attachments = inner.Text, inner.HTML, inner.Attachments
	if parsed.Language == "" {
		parsed.Language = inner.Language
	}
}

// attachedKey returns an OpenPGP public key attached to the message, if one is: requesters often
// send theirs this way. Only a key that parses as one is taken.
func attachedKey(p *Parsed) string {
	for _, a := range p.Attachments {
		if len(a.Data) > 64<<10 || !bytes.Contains(a.Data, []byte("-----BEGIN PGP PUBLIC KEY BLOCK-----")) {
			continue
		}
		if info, err := pgp.Inspect(a.Data); err == nil && !info.IsPrivate && info.CanEncrypt {
			return string(a.Data)
		}
	}
	return ""
}

// RecordRefusal audits a message refused for good (Refuser).
func (p *Pipeline) RecordRefusal(ctx context.Context, mailbox string, size int64, reason string) error {
	err := p.Intake.RecordRefusal(ctx, mailbox, size, reason)
	if err == nil {
		p.countRefused(mailbox)
	}
	return err
}
