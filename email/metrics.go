package email

// Metrics counts mail per mailbox (the helpline's own addresses, a label of bounded size) for
// monitoring. It is a small interface so that this package does not depend on a metrics
// library; implementations must be safe for concurrent use.
type Metrics interface {
	// Received counts a message handed to the intake service and committed.
	Received(mailbox string)
	// Refused counts a message refused for good (too large, or rejected at SMTP time).
	Refused(mailbox string)
	// IMAPConnected reports whether the mailbox's IMAP poller holds a connection now.
	IMAPConnected(mailbox string, up bool)
}

func (p *Pipeline) countReceived(mailbox string) {
	if p.Metrics != nil {
		p.Metrics.Received(normalizeAddress(mailbox))
	}
}

func (p *Pipeline) countRefused(mailbox string) {
	if p.Metrics != nil {
		p.Metrics.Refused(normalizeAddress(mailbox))
	}
}

func (p *IMAPPoller) connected(up bool) {
	if p.Metrics != nil {
		p.Metrics.IMAPConnected(p.mailbox, up)
	}
}
