package email

import (
	"github.com/haven-helpline/haven"
)

// Inbound turns a parsed email into what the intake pipeline takes. raw is kept as received;
// mailbox, team, category and language come from the mailbox it arrived at (language only when the text's
// own cannot be told).
func Inbound(p *Parsed, raw []byte, mb Mailbox) haven.InboundEmail {
	in := haven.InboundEmail{Mailbox: mb.Address, Team: mb.Team, Category: mb.Category, Emergency: mb.Emergency, Language: p.Language, Raw: raw,
		DedupeKey: DedupeKey(p), MessageID: p.MessageID, InReplyTo: p.InReplyTo, References: p.References,
		FromName: p.From.Name, FromAddr: p.From.Addr, Subject: p.Subject, Date: p.Date, Text: p.Text,
		HTML: p.HTML, CaseTag: SubjectCaseNumber(p.Subject),
		EscalationToken: haven.SubjectEscalationToken(p.Subject), AutoReply: p.AutoReply, Flags: flags(p)}
	if p.Bounce != nil {
		b := *p.Bounce
		in.Bounce = &b
	}
	if in.Language == "" {
		in.Language = mb.Language
	}
	for _, a := range append(append([]Address{}, p.To...), p.Cc...) {
		in.To = append(in.To, a.Addr)
	}
	in.Senders = senders(p, nil)
	for _, f := range p.Forwarded {
		in.Forwarded = appendForwarded(in.Forwarded, f)
	}
	for _, a := range p.Attachments {
		in.Attachments = append(in.Attachments, haven.InboundAttachment{Filename: a.Filename,
			ContentType: a.ContentType, Data: a.Data, Suspicious: a.Suspicious, Reason: a.SuspiciousReason})
	}
	return in
}

// flags names what the parser noticed, for the message's record.
func flags(p *Parsed) []string {
	var out []string
	for _, f := range []struct {
		on   bool
		name string
	}{{p.AutoReply, "auto-reply"}, {p.Unparsed, "unparsed"}, {p.CharsetFallback, "charset-fallback"},
		{p.Encrypted, "encrypted"}, {p.Signed, "signed"}} {
		if f.on {
			out = append(out, f.name)
		}
	}
	return out
}

// senders lists the From, Reply-To and Return-Path of p and of the messages forwarded in it.
func senders(p *Parsed, out []haven.InboundSender) []haven.InboundSender {
	add := func(role, addr string) {
		if addr != "" {
			out = append(out, haven.InboundSender{Role: role, Addr: addr})
		}
	}
	add(haven.RoleFrom, p.From.Addr)
	for _, a := range p.ReplyTo {
		add(haven.RoleReplyTo, a.Addr)
	}
	add(haven.RoleReturnPath, p.ReturnPath)
	for _, f := range p.Forwarded {
		out = senders(f, out)
	}
	return out
}

// appendForwarded adds the bodies of a forwarded message and of those forwarded inside it.
func appendForwarded(out []haven.ForwardedBody, p *Parsed) []haven.ForwardedBody {
	out = append(out, haven.ForwardedBody{Text: p.Text, HTML: p.HTML})
	for _, f := range p.Forwarded {
		out = appendForwarded(out, f)
	}
	return out
}
