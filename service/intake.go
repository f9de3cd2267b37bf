package service

import (
	"bytes"
	"context"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/haven-helpline/haven"
)

var _ haven.IntakeService = (*Service)(nil)

// IngestEmail stores an inbound email and threads it: into the case its subject tag names, else
// the case of the message it replies to, else a new case (status new) for the sender, found or
// created by address. The raw message is kept as a report; attachments are sealed into the file
// vault first (outside the transaction) and deleted again if the transaction fails. It runs as
// the system: the transports call it for mail nobody signed in to receive.
func (s *Service) IngestEmail(ctx context.Context, in haven.InboundEmail) (*haven.IngestResult, error) {
	if len(in.Raw) == 0 {
		return nil, haven.Errorf(haven.EINVALID, "an empty message")
	}
	if dup, err := s.duplicate(ctx, in.DedupeKey); dup != nil || err != nil {
		return dup, err
	}
	files, err := s.sealAttachments(ctx, in.Attachments)
	if err != nil {
		return nil, err
	}
	terms := s.store.SearchTerms(in.Subject + " " + truncate(in.Text, haven.MaxBody)) // outside the single writer
	found, err := s.findObservables(ctx, s.cfg.PhoneRegion, emailEvidence(in))
	if err != nil {
		s.deleteFiles(ctx, files)
		return nil, err
	}
	var res *haven.IngestResult
	err = s.store.Update(ctx, func(tx haven.Tx) (err error) {
		res, err = s.ingest(ctx, tx, in, files, terms, found, s.clock.Now())
		return err
	})
	if haven.ErrorCode(err) == haven.ECONFLICT {
		s.deleteFiles(ctx, files)
		if dup, derr := s.duplicate(ctx, in.DedupeKey); dup != nil || derr != nil {
			return dup, derr // a concurrent delivery of the same email won the race
		}
	}
	if err != nil {
		s.deleteFiles(ctx, files)
		return nil, err
	}
	return res, nil
}

// duplicate answers for an email already received (same dedupe key): nothing more is stored.
func (s *Service) duplicate(ctx context.Context, key string) (*haven.IngestResult, error) {
	if key == "" {
		return nil, nil
	}
	var res *haven.IngestResult
	err := s.store.View(ctx, func(tx haven.Tx) error {
		r, err := tx.ReportByDedupeKey(ctx, key)
		if haven.ErrorCode(err) == haven.ENOTFOUND {
			return nil
		}
		if err != nil {
			return err
		}
		res = &haven.IngestResult{Threading: haven.ThreadDuplicate, ReportID: r.ID, CaseNumber: r.CaseNumber}
		return nil
	})
	return res, err
}

type sealedFile struct {
	in     haven.InboundAttachment
	stored haven.StoredFile
	found  []haven.Found // its hashes and name, as observables
}

func (s *Service) sealAttachments(ctx context.Context, atts []haven.InboundAttachment) ([]sealedFile, error) {
	if len(atts) == 0 {
		return nil, nil
	}
	if s.cfg.Files == nil {
		return nil, haven.Errorf(haven.EINTERNAL, "this server has no file store configured: attachments cannot be kept")
	}
	var out []sealedFile
	for _, a := range atts {
		st, err := s.cfg.Files.Seal(ctx, bytes.NewReader(a.Data))
		if err != nil {
			s.deleteFiles(ctx, out)
			return nil, err
		}
		out = append(out, sealedFile{a, st, attachmentFound(a.Filename, a.Data, st.SHA256)})
	}
	return out, nil
}

func (s *Service) deleteFiles(ctx context.Context, files []sealedFile) {
	for _, f := range files {
		// Best effort: a file left behind is unreadable, as its key was never stored.
		_ = s.cfg.Files.Delete(context.WithoutCancel(ctx), f.stored.BlobID)
	}
}

// ingest does the work of IngestEmail in one transaction.
func (s *Service) ingest(ctx context.Context, tx haven.Tx, in haven.InboundEmail, files []sealedFile, terms string, found []haven.Found, now time.Time) (*haven.IngestResult, error) {
	dest, err := s.destination(ctx, tx, in, now)
	if err != nil {
		return nil, err
	}
	c := dest.c
	res := &haven.IngestResult{Threading: dest.how, CaseNumber: c.Number, Acknowledge: dest.how == haven.ThreadNew && !in.AutoReply}
	rep := &haven.Report{Channel: "email", ExternalID: in.MessageID, DedupeKey: in.DedupeKey, Raw: in.Raw, CaseID: c.ID, ReceivedAt: now}
	if err := tx.InsertReport(ctx, rep); err != nil {
		return nil, err
	}
	res.ReportID = rep.ID
	m, err := s.inboundMessage(ctx, tx, c, in, dest.escalation, files, terms, now)
	if err != nil {
		return nil, err
	}
	err = s.sightObservables(ctx, tx, c, haven.SightingSource{Kind: "message", ID: m.ID}, found, now)
	if err != nil {
		return nil, err
	}
	res.MessageID = m.ID
	if res.Reopened, err = s.reopenOnReply(ctx, tx, c, in, dest.escalation != nil, now); err != nil {
		return nil, err
	}
	if dest.escalation != nil {
		if err := s.escalationAnswered(ctx, tx, dest.escalation, m, now); err != nil {
			return nil, err
		}
	}
	if err := s.afterIntake(ctx, tx, dest, in, res, now); err != nil {
		return nil, err
	}
	return res, record(ctx, tx, now, nil, "message.received", "message", m.ID, c.ID,
		map[string]any{"threading": dest.how, "report_id": rep.ID, "attachments": len(files), "flags": in.Flags})
}

// destination is where an email goes: its case, how it got there, the message Haven sent that it
// reports bouncing (0 if none), and whether its sender's record was made for it.
type destination struct {
	c            *haven.Case
	escalation   *haven.Escalation // the escalation a platform's answer belongs to
	how          string
	bounced      int64
	newRequester bool
}

// destination files a platform's answer on its escalation, threads an email (threadCase), files a delivery notice on its message's case, or
// opens a new case.
func (s *Service) destination(ctx context.Context, tx haven.Tx, in haven.InboundEmail, now time.Time) (destination, error) {
	e, ec, err := s.escalationOf(ctx, tx, in)
	if err != nil || e != nil {
		return destination{c: ec, how: haven.ThreadEscalation, escalation: e}, err
	}
	c, how, claimed, err := s.threadCase(ctx, tx, in)
	if err != nil {
		return destination{}, err
	}
	bounced, bc, err := s.bouncedMessage(ctx, tx, in)
	if err != nil {
		return destination{}, err
	}
	if bc != nil {
		return destination{c: bc, how: haven.ThreadBounce, bounced: bounced}, nil
	}
	if c != nil {
		return destination{c: c, how: how}, nil
	}
	c, created, err := s.openEmailCase(ctx, tx, in, claimed, now)
	return destination{c: c, how: haven.ThreadNew, newRequester: created}, err
}

// afterIntake does what a stored email entails: a bounce marks its message, a new person's key
// is adopted, a new case is acknowledged, the assignee of a case its correspondent wrote to
// again is told (not of an auto-reply); and the case was updated.
func (s *Service) afterIntake(ctx context.Context, tx haven.Tx, dest destination, in haven.InboundEmail, res *haven.IngestResult, now time.Time) error {
	if (dest.how == haven.ThreadReply || dest.how == haven.ThreadSubjectTag) && !in.AutoReply {
		if err := s.tellReply(ctx, tx, nil, dest.c, now); err != nil {
			return err
		}
	}
	if err := s.markBounced(ctx, tx, dest.bounced, dest.c, in.Bounce, now); err != nil {
		return err
	}
	if err := s.adoptSenderKey(ctx, tx, dest.c, in, dest.newRequester, now); err != nil {
		return err
	}
	if res.Acknowledge {
		if err := s.acknowledge(ctx, tx, dest.c, in, now); err != nil {
			return err
		}
	}
	dest.c.UpdatedAt = now
	return tx.UpdateCase(ctx, dest.c)
}

// threadCase finds the case an email belongs to: the one its subject tag names when the sender
// is that case's correspondent, else the case of a message Haven sent that it replies to. Case
// numbers are sequential, so a tag alone proves nothing: mail from anyone else with a tag opens
// a new case, and claimed is the tagged case, linked for those who may see it.
// A purged case takes no more mail: a reply to one opens a new case.
func (s *Service) threadCase(ctx context.Context, tx haven.Tx, in haven.InboundEmail) (c *haven.Case, how string, claimed *haven.Case, err error) {
	if in.CaseTag != "" {
		tagged, err := taggedCase(ctx, tx, in.CaseTag)
		if err != nil {
			return nil, "", nil, err
		}
		if tagged != nil && tagged.PurgedAt == nil {
			known, err := knownCorrespondent(ctx, tx, tagged, in.FromAddr)
			if err != nil || known {
				return tagged, haven.ThreadSubjectTag, nil, err
			}
			claimed = tagged
		}
	}
	for _, id := range append([]string{in.InReplyTo}, reversed(in.References)...) {
		_, caseID, err := tx.SentMessage(ctx, id)
		if err != nil {
			return nil, "", nil, err
		}
		if caseID == 0 {
			continue
		}
		c, err := tx.CaseByID(ctx, caseID)
		if err != nil {
			return nil, "", nil, err
		}
		if c.PurgedAt == nil {
			return c, haven.ThreadReply, nil, nil
		}
	}
	return nil, "", claimed, nil
}

// taggedCase is the case a subject tag names (nil when none has that number), or the case it
// was merged into.
func taggedCase(ctx context.Context, tx haven.Tx, number string) (*haven.Case, error) {
	c, err := tx.CaseByNumber(ctx, number)
	if haven.ErrorCode(err) == haven.ENOTFOUND {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return survivorOf(ctx, tx, c)
}

// survivorOf is the case a closed duplicate was merged into, else c itself: mail that still
// names the duplicate's number belongs with the correspondence, which moved to the survivor.
// Merges never chain (checkDuplicate), so one step is enough.
func survivorOf(ctx context.Context, tx haven.Tx, c *haven.Case) (*haven.Case, error) {
	if c.Outcome != "duplicate" || c.Status != haven.StatusClosed {
		return c, nil
	}
	links, err := tx.CaseLinks(ctx, c.ID)
	if err != nil {
		return nil, err
	}
	for _, l := range links {
		if !l.Survivor {
			continue
		}
		sv, err := tx.CaseByID(ctx, l.OtherID)
		if err != nil || sv.PurgedAt == nil {
			return sv, err
		}
	}
	return c, nil
}

// bouncedMessage finds the message Haven sent that a delivery status notification reports on,
// and its case: the notice belongs there, not in a new case. Only Haven's own Message-IDs
// match, so a forged notice can at most mark a sent message failed on a case it already names.
func (s *Service) bouncedMessage(ctx context.Context, tx haven.Tx, in haven.InboundEmail) (int64, *haven.Case, error) {
	if in.Bounce == nil || in.Bounce.OriginalMessageID == "" {
		return 0, nil, nil
	}
	id, caseID, err := tx.SentMessage(ctx, in.Bounce.OriginalMessageID)
	if err != nil || id == 0 {
		return 0, nil, err
	}
	c, err := tx.CaseByID(ctx, caseID)
	if err != nil || c.PurgedAt != nil {
		return 0, nil, err
	}
	return id, c, nil
}

// markBounced marks a sent message failed when a notice says its delivery failed for good.
func (s *Service) markBounced(ctx context.Context, tx haven.Tx, id int64, c *haven.Case, b *haven.Bounce, now time.Time) error {
	if id == 0 || !b.Failed {
		return nil
	}
	if err := tx.SetMessageDelivery(ctx, id, haven.MessageFailed, ""); err != nil {
		return err
	}
	return record(ctx, tx, now, nil, "message.failed", "message", id, c.ID, map[string]any{"cause": "bounced", "status": b.Status})
}

func reversed(xs []string) []string {
	out := make([]string, 0, len(xs))
	for i := len(xs) - 1; i >= 0; i-- {
		out = append(out, xs[i])
	}
	return out
}

// openEmailCase opens a case for an email that belongs to none, with its sender as requester;
// newRequester tells whether the sender's record was made by this email.
func (s *Service) openEmailCase(ctx context.Context, tx haven.Tx, in haven.InboundEmail, claimed *haven.Case, now time.Time) (c *haven.Case, newRequester bool, err error) {
	title := strings.TrimSpace(in.Subject)
	if title == "" {
		title = "(no subject)"
	}
	cc := haven.CaseCreate{Title: truncate(title, 300), Language: in.Language, Team: in.Team, Channel: "email", ExternalID: in.MessageID}
	if in.Category != "" {
		cc.Categories = []string{in.Category}
	}
	if in.FromAddr != "" {
		cc.Requester = &haven.RequesterInput{Name: truncate(in.FromName, 200), Email: in.FromAddr}
	}
	cc.Normalize()
	if haven.ErrorCode(cc.Validate()) == haven.EINVALID {
		cc.Language, cc.Requester = "", nil // odd header values must not lose the email
		if in.FromAddr != "" {
			cc.Tags = []string{"sender-unrecognised"}
		}
	}
	c = s.newCase(cc, now)
	// A mailbox pointing at a deleted team or a retired category still takes mail, without them.
	if he, ok := s.checkRefs(ctx, tx, c).(*haven.Error); ok {
		if he.Fields["team"] != "" {
			c.Team = ""
		}
		if he.Fields["categories"] != "" {
			c.Categories = []string{}
		}
	}
	if newRequester, err = s.emailRequester(ctx, tx, c, cc.Requester, now); err != nil {
		return nil, false, err
	}
	if err := s.insertEmailCase(ctx, tx, c, in, now); err != nil {
		return nil, false, err
	}
	data := map[string]any{"priority": c.Priority, "status": c.Status, "channel": "email", "mailbox": in.Mailbox}
	if claimed != nil {
		data[claimsCase] = claimed.ID // shown only to those who may see it (Timeline)
	}
	if err := record(ctx, tx, now, nil, "case.created", "case", c.Number, c.ID, data); err != nil {
		return nil, false, err
	}
	return c, newRequester, s.applyAutoPlaybooks(ctx, tx, nil, c, nil, now)
}

// emailRequester links the sender (nil: none recognised) to the new case c, as the system sees
// people: never someone known only through restricted cases.
func (s *Service) emailRequester(ctx context.Context, tx haven.Tx, c *haven.Case, sender *haven.RequesterInput, now time.Time) (bool, error) {
	if sender == nil {
		return false, nil
	}
	r, created, err := s.findOrCreateRequester(ctx, tx, nil, *sender, now)
	if err != nil {
		return false, err
	}
	c.RequesterID, c.RequesterName = r.ID, r.DisplayName()
	return created, nil
}

// insertEmailCase stores the new case, its search text and its correspondent (the sender).
func (s *Service) insertEmailCase(ctx context.Context, tx haven.Tx, c *haven.Case, in haven.InboundEmail, now time.Time) error {
	var err error
	if c.Number, err = tx.NextCaseNumber(ctx, now.Year()); err != nil {
		return err
	}
	if err := tx.InsertCase(ctx, c); err != nil {
		return err
	}
	if err := tx.IndexCase(ctx, c); err != nil {
		return err
	}
	if err := setCorrespondent(ctx, tx, c.ID, in.FromAddr); err != nil {
		return err
	}
	if err := s.startClocks(ctx, tx, c, now); err != nil {
		return err
	}
	return s.alertIfEmergency(ctx, tx, nil, c, in.Emergency, now)
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

// inboundMessage records the email on the case, with its attachments, and indexes its text.
func (s *Service) inboundMessage(ctx context.Context, tx haven.Tx, c *haven.Case, in haven.InboundEmail, e *haven.Escalation, files []sealedFile, terms string, now time.Time) (*haven.Message, error) {
	m := &haven.Message{CaseID: c.ID, Direction: haven.Inbound, Channel: "email", From: in.FromAddr, To: in.To,
		Subject: in.Subject, Text: truncate(in.Text, haven.MaxBody), HTML: truncate(in.HTML, haven.MaxBody),
		Encrypted: hasFlag(in.Flags, "encrypted"), MessageID: in.MessageID, InReplyTo: in.InReplyTo,
		References: in.References, Status: "received", Flags: in.Flags, CreatedAt: now}
	if e != nil {
		m.EscalationID = e.ID
	}
	if err := tx.InsertMessage(ctx, m); err != nil {
		return nil, err
	}
	for _, f := range files {
		a := &haven.Attachment{CaseID: c.ID, MessageID: m.ID, Filename: haven.CleanFilename(f.in.Filename),
			ContentType: declaredType(f.in.ContentType), Size: f.stored.Size, SHA256: f.stored.SHA256,
			Quarantined: f.in.Suspicious, SuspiciousReason: f.in.Reason, BlobID: f.stored.BlobID,
			FileKey: f.stored.FileKey, CreatedAt: now}
		if err := tx.InsertAttachment(ctx, a); err != nil {
			return nil, err
		}
		if err := s.sightObservables(ctx, tx, c, haven.SightingSource{Kind: "attachment", ID: a.ID}, f.found, now); err != nil {
			return nil, err
		}
	}
	return m, tx.AppendCaseTerms(ctx, c.ID, "message:"+itoa(m.ID), terms)
}

func hasFlag(flags []string, f string) bool {
	for _, x := range flags {
		if x == f {
			return true
		}
	}
	return false
}

// reopenOnReply moves a case back to open when its requester writes again while it waits for
// them or is resolved or closed, or when a platform answers while it waits for a third party.
// Auto-replies move nothing.
func (s *Service) reopenOnReply(ctx context.Context, tx haven.Tx, c *haven.Case, in haven.InboundEmail, platform bool, now time.Time) (bool, error) {
	if in.AutoReply || c.Status == haven.StatusNew || c.Status == haven.StatusTriage || c.Status == haven.StatusOpen {
		return false, nil
	}
	cause := "requester_wrote"
	if platform {
		if c.Status != haven.StatusWaitingThirdParty {
			return false, nil
		}
		cause = "platform_answered"
	}
	t := haven.Transition{To: haven.StatusOpen}
	if t.Check(c) != nil {
		return false, nil
	}
	from := c.Status
	t.Apply(c, now)
	if err := s.slaOnStatus(ctx, tx, c, from, now); err != nil {
		return false, err
	}
	return true, record(ctx, tx, now, nil, "case.transitioned", "case", c.Number, c.ID,
		map[string]any{"from": from, "to": c.Status, "cause": cause})
}

// acknowledge queues the automatic acknowledgement of a new case, in its language, when the
// helpline has one and the sender is a person with an address. It is marked so that it never
// triggers another auto-reply.
func (s *Service) acknowledge(ctx context.Context, tx haven.Tx, c *haven.Case, in haven.InboundEmail, now time.Time) error {
	if !s.cfg.SendEmail || s.cfg.Acknowledge == nil || in.FromAddr == "" {
		return nil
	}
	m := &haven.Message{CaseID: c.ID, Direction: haven.Outbound, Channel: "email", To: []string{in.FromAddr},
		Status: haven.MessageQueued, Flags: []string{"auto-ack"}, CreatedAt: now}
	if err := s.acknowledgementText(ctx, tx, c, m); err != nil {
		return err
	}
	if err := tx.InsertMessage(ctx, m); err != nil {
		return err
	}
	if err := s.queueEmail(ctx, tx, m, now); err != nil {
		return err
	}
	return record(ctx, tx, now, nil, "message.added", "message", m.ID, c.ID, map[string]any{"direction": m.Direction, "auto": true})
}

// acknowledgementText writes the acknowledgement from the helpline's "acknowledgement" template
// when it has a live one (in the case's language, as replies are), else Haven's built-in text.
func (s *Service) acknowledgementText(ctx context.Context, tx haven.Tx, c *haven.Case, m *haven.Message) error {
	t, err := tx.TemplateByName(ctx, haven.AcknowledgementTemplate)
	if haven.ErrorCode(err) == haven.ENOTFOUND || err == nil && t.RetiredAt != nil {
		m.Subject, m.Text = s.cfg.Acknowledge(c.Language, c.Number, c.Title)
		return nil
	}
	if err != nil {
		return err
	}
	r := s.render(t, c, &haven.User{DisplayName: s.cfg.HelplineName}, "")
	m.Subject, m.Text, m.TemplateID, m.TemplateVersion = r.Subject, r.Body, r.TemplateID, r.Version
	return nil
}

// SenderPGPKeys returns the PGP keys on record for the people with this address (system use):
// they only verify a signature, which no one without the private key can produce, so they are
// read whoever holds the address.
func (s *Service) SenderPGPKeys(ctx context.Context, address string) ([]string, error) {
	var keys []string
	err := s.store.View(ctx, func(tx haven.Tx) (err error) {
		keys, err = tx.ContactPGPKeys(ctx, haven.Contact{Kind: "email", Value: address})
		return err
	})
	return keys, err
}

// adoptSenderKey stores the public key attached to the email that made a requester's record: a
// person's first message may carry their key. A key attached later, or by mail for someone
// already on record, is never adopted: anyone can write from anyone's address, and a key of
// theirs on the record would encrypt every reply to the person for the attacker. Such a key stays
// an attachment of the message, for a handler to check and set.
func (s *Service) adoptSenderKey(ctx context.Context, tx haven.Tx, c *haven.Case, in haven.InboundEmail, newRequester bool, now time.Time) error {
	if in.SenderPGPKey == "" || !newRequester {
		return nil
	}
	r, err := tx.RequesterByID(ctx, c.RequesterID)
	if err != nil {
		return err
	}
	r.PGPKey, r.UpdatedAt = in.SenderPGPKey, now
	if err := tx.UpdateRequester(ctx, r); err != nil {
		return err
	}
	return record(ctx, tx, now, nil, "requester.updated", "requester", r.ID, 0,
		map[string]any{"fields": []string{"pgp_key"}, "source": "email attachment"})
}

// knownCorrespondent reports whether address corresponds on case c: it is the case's recorded
// address, or, for a case from before addresses were kept per case, one of its requester's.
func knownCorrespondent(ctx context.Context, tx haven.Tx, c *haven.Case, address string) (bool, error) {
	corr, err := correspondentOf(ctx, tx, c.ID)
	if err != nil || corr != nil {
		return corr.Is(address), err
	}
	if c.RequesterID == 0 {
		return false, nil
	}
	r, err := tx.RequesterByID(ctx, c.RequesterID)
	if err != nil {
		return false, err
	}
	for _, ct := range r.Contacts {
		if ct.Kind == "email" && strings.EqualFold(ct.Value, strings.TrimSpace(address)) {
			return true, nil
		}
	}
	return false, nil
}

// RecordRefusal audits an email refused for good.
func (s *Service) RecordRefusal(ctx context.Context, mailbox string, size int64, reason string) error {
	now := s.clock.Now()
	return s.store.Update(ctx, func(tx haven.Tx) error {
		return record(ctx, tx, now, nil, "email.refused", "mailbox", mailbox, 0, map[string]any{"bytes": size, "reason": reason})
	})
}
