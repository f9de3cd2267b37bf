package email

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"regexp"
	"strings"

	"github.com/emersion/go-message"
)

// autoReply recognises machine-generated mail so the helpline never answers
// a bounce or an out-of-office (mail loops) and can file it separately.
// report is the kind of multipart/report met in the body, if any.
func autoReply(h message.Header, from Address, report string) (bool, string) {
	for _, check := range []func() string{
		func() string { return autoHeaders(h) },
		func() string { return nullSender(h, from) },
		func() string { return report },
	} {
		if reason := check(); reason != "" {
			return true, reason
		}
	}
	return false, ""
}

// autoHeaders checks the headers mailers set on generated messages.
func autoHeaders(h message.Header) string {
	if v := lowerHeader(h, "Auto-Submitted"); v != "" && v != "no" {
		return "auto-submitted: " + v
	}
	switch v := lowerHeader(h, "Precedence"); v {
	case "bulk", "junk", "list", "auto_reply":
		return "precedence: " + v
	}
	if h.Has("X-Autoreply") {
		return "x-autoreply"
	}
	if h.Has("X-Autorespond") {
		return "x-autorespond"
	}
	for _, v := range strings.Split(lowerHeader(h, "X-Auto-Response-Suppress"), ",") {
		if v = strings.TrimSpace(v); v == "all" || v == "oof" {
			return "x-auto-response-suppress: " + v
		}
	}
	return ""
}

// nullSender spots bounces: an empty envelope sender or a daemon address.
func nullSender(h message.Header, from Address) string {
	if h.Has("Return-Path") {
		rp := strings.Trim(strings.TrimSpace(h.Get("Return-Path")), "<>")
		if strings.TrimSpace(rp) == "" {
			return "empty return path"
		}
		if isDaemon(rp) {
			return "return path " + strings.ToLower(rp)
		}
	}
	if h.Has("From") && from.Addr == "" && from.Name == "" {
		return "empty from"
	}
	if isDaemon(from.Addr) {
		return "from " + strings.ToLower(from.Addr)
	}
	return ""
}

func isDaemon(addr string) bool {
	local, _, _ := strings.Cut(strings.ToLower(strings.TrimSpace(addr)), "@")
	return local == "mailer-daemon" || local == "postmaster"
}

func lowerHeader(h message.Header, k string) string {
	return strings.ToLower(strings.TrimSpace(h.Get(k)))
}

// contentHash fingerprints what identifies a message to a person: the
// envelope values a reader sees and the body, ignoring transport headers
// (Received, Delivered-To…) that differ between two deliveries of one
// message. Line endings are normalised for the same reason.
func contentHash(h message.Header, body []byte) string {
	sum := sha256.New()
	for _, k := range []string{"From", "Date", "Subject", "To"} {
		sum.Write([]byte(h.Get(k)))
		sum.Write([]byte{0})
	}
	body = trimTrailingSpace(body)
	for {
		i := bytes.Index(body, []byte("\r\n"))
		if i < 0 {
			sum.Write(body)
			break
		}
		sum.Write(body[:i])
		sum.Write([]byte{'\n'})
		body = body[i+2:]
	}
	return hex.EncodeToString(sum.Sum(nil))
}

func trimTrailingSpace(b []byte) []byte {
	n := len(b)
	for n > 0 && (b[n-1] == ' ' || b[n-1] == '\t' || b[n-1] == '\r' || b[n-1] == '\n') {
		n--
	}
	return b[:n]
}

var caseNumberRE = regexp.MustCompile(`(?i)\[\s*(HV-[0-9]{4}-[0-9]{6,})\s*\]`)

// SubjectCaseNumber finds a "[HV-YYYY-NNNNNN]" tag anywhere in a subject, so
// replies ("Re:", "AW:", "RE :"…) thread onto their case. It returns the
// number upper-cased, or "".
func SubjectCaseNumber(subject string) string {
	m := caseNumberRE.FindStringSubmatch(subject)
	if m == nil {
		return ""
	}
	return strings.ToUpper(m[1])
}
