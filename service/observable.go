package service

import (
	"context"
	"crypto/md5"  //nolint:gosec // MD5 and SHA-1 name files as partners' feeds do, not for security
	"crypto/sha1" //nolint:gosec // see above
	"encoding/hex"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/haven-helpline/haven"
	"github.com/haven-helpline/haven/indicator"
)

const noticeKnownBad = "known_bad_sighted"

// sightObservables records what was found in one message, note or file of case c, leaving out
// the requester's own addresses and numbers (never observables), and flags the case when a
// partner's feed already lists one of the values as malicious.
func (s *Service) sightObservables(ctx context.Context, tx haven.Tx, c *haven.Case, src haven.SightingSource, found []haven.Found, now time.Time) error {
	if len(found) == 0 {
		return nil
	}
	found, err := s.withoutRequester(ctx, tx, c, found)
	if err != nil || len(found) == 0 {
		return err
	}
	bad, err := tx.SightObservables(ctx, c.ID, src, found, now)
	if err != nil || len(bad) == 0 {
		return err
	}
	return s.flagKnownBad(ctx, tx, c, bad, now)
}

// withoutRequester drops the requester's own contacts from what was found.
func (s *Service) withoutRequester(ctx context.Context, tx haven.Tx, c *haven.Case, found []haven.Found) ([]haven.Found, error) {
	own, err := s.requesterValues(ctx, tx, c)
	if err != nil {
		return nil, err
	}
	return slices.DeleteFunc(found, func(f haven.Found) bool { return own[f.Value] }), nil
}

// requesterValues are the requester's own addresses and numbers, as observables write them.
func (s *Service) requesterValues(ctx context.Context, tx haven.Tx, c *haven.Case) (map[string]bool, error) {
	own := map[string]bool{}
	if c.RequesterID == 0 {
		return own, nil
	}
	r, err := tx.RequesterByID(ctx, c.RequesterID)
	if haven.ErrorCode(err) == haven.ENOTFOUND {
		return own, nil
	}
	if err != nil {
		return nil, err
	}
	plain := indicator.New(indicator.Options{Region: s.cfg.PhoneRegion})
	for _, ct := range r.Contacts {
		for _, o := range plain.Text(ct.Value) {
			own[o.Value] = true
			if _, domain, ok := strings.Cut(o.Value, "@"); ok && o.Type == indicator.Email {
				own[domain] = true // the domain of her own address can name her organisation
			}
		}
	}
	return own, nil
}

// flagKnownBad tags the case, records which observables matched (ids only) and tells the
// assignee.
func (s *Service) flagKnownBad(ctx context.Context, tx haven.Tx, c *haven.Case, bad []*haven.Observable, now time.Time) error {
	ids := make([]int64, len(bad))
	for i, o := range bad {
		ids[i] = o.ID
	}
	if !slices.Contains(c.Tags, haven.TagKnownBad) {
		c.Tags = append(c.Tags, haven.TagKnownBad)
		c.UpdatedAt = now
		if err := tx.UpdateCase(ctx, c); err != nil {
			return err
		}
	}
	if err := record(ctx, tx, now, nil, "case.known_bad_sighted", "case", c.Number, c.ID, map[string]any{"observables": ids}); err != nil {
		return err
	}
	if c.Assignee == "" {
		return nil
	}
	assignee, err := tx.UserByUsername(ctx, c.Assignee)
	if err != nil {
		return err
	}
	return s.notifyByEmailToo(ctx, tx, &haven.Notification{UserID: assignee.ID, Kind: noticeKnownBad, CaseID: c.ID,
		CaseNumber: c.Number, CreatedAt: now,
		Text: fmt.Sprintf("%s sighted %d value(s) a partner's feed lists as malicious", c.Number, len(ids))}, now)
}

// attachmentFound is what a received file offers: its hashes and its name.
func attachmentFound(name string, data []byte, sha256 string) []haven.Found {
	m, s1 := md5.Sum(data), sha1.Sum(data) //nolint:gosec // see the imports
	out := []haven.Found{{Type: string(indicator.SHA256), Value: sha256, Role: haven.RoleAttachment},
		{Type: string(indicator.SHA1), Value: hex.EncodeToString(s1[:]), Role: haven.RoleAttachment},
		{Type: string(indicator.MD5), Value: hex.EncodeToString(m[:]), Role: haven.RoleAttachment}}
	if name = haven.CleanFilename(name); name != "" {
		out = append(out, haven.Found{Type: string(indicator.Filename), Value: name, Role: haven.RoleAttachment})
	}
	return out
}

// noteFound extracts what a note's text holds, each in the role "note".
func (s *Service) noteFound(ctx context.Context, body string) ([]haven.Found, error) {
	return s.findObservables(ctx, s.cfg.PhoneRegion, []evidence{{role: haven.RoleNote, text: body}})
}
