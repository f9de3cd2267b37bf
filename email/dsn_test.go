package email

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/haven-helpline/haven"
)

// dsnDir holds delivery status notifications as real MTAs write them.
const dsnDir = "testdata/dsn"

func bounce(id string, failed bool, status string) *haven.Bounce {
	return &haven.Bounce{OriginalMessageID: id, Failed: failed, Status: status}
}

// dsnFiles is what each file of dsnDir, and some of the corpus, must parse to.
var dsnFiles = map[string]*haven.Bounce{
	"postfix-failed.eml":            bounce("mfrggzdfmztwq2lknnwg23tpob@helpline.example", true, "5.1.1"),
	"postfix-headers.eml":           bounce("kq3tgmrvgi2dcmzrgu4tambsgq@helpline.example", true, "5.2.2"),
	"postfix-delayed.eml":           bounce("nbswy3dpeb3w64tmmqqgc3dpnz@helpline.example", false, "4.4.7"),
	"exim-failed.eml":               bounce("on2hi4tfnz2gk3tuebzxk2lmmq@helpline.example", true, "5.0.0"),
	"gmail-failed.eml":              bounce("gezdgnbvgy3tqojqgeztinjwg4@helpline.example", true, "5.1.1"),
	"office365-failed.eml":          bounce("mnxw2zlsmvqxi5dcnbzxg2lpn4@helpline.example", true, "5.1.10"),
	"exchange-headers.eml":          bounce("mjuwkzthmvzgk3dfnzsxg3lbn5@helpline.example", true, "5.7.1"),
	"nonstandard-mailer-daemon.eml": bounce("gaytemzugu3doobzgaytemzuge@helpline.example", false, ""),
	"dsn-malformed.eml":             bounce("ojsxg5dqmfzxg3tjnvqwy2lunn@helpline.example", true, ""),
	"dsn-no-original.eml":           nil,

	"../corpus/bounce-dsn.eml":    bounce("sent-1@helpline.example", true, "5.1.1"),
	"../corpus/fwd-phishing.eml":  nil, // a requester forwarding a message is no bounce
	"../corpus/plain-ascii.eml":   nil,
	"../corpus/out-of-office.eml": nil,
}

func TestBounceFiles(t *testing.T) {
	names, _ := filepath.Glob(filepath.Join(dsnDir, "*.eml"))
	for _, path := range names {
		if _, ok := dsnFiles[filepath.Base(path)]; !ok {
			t.Errorf("no expectation for %s", path)
		}
	}
	for name, want := range dsnFiles {
		t.Run(name, func(t *testing.T) {
			raw, err := os.ReadFile(filepath.Join(dsnDir, name))
			if err != nil {
				t.Fatal(err)
			}
			p := Parse(raw)
			checkInvariants(t, p)
			eq(t, "bounce", p.Bounce, want)
			if !strings.HasPrefix(name, "../") && !p.AutoReply {
				t.Error("a delivery notice is not marked as an auto-reply")
			}
		})
	}
}

func TestDeliveryStatus(t *testing.T) {
	const head = "Reporting-MTA: dns; mx.example.org\nArrival-Date: Mon, 5 Jan 2026 10:00:00 +0000\n\n"
	for _, c := range []struct {
		name, in string
		failed   bool
		status   string
	}{
		{"failed", head + "Final-Recipient: rfc822; a@example.org\nAction: failed\nStatus: 5.1.1\n", true, "5.1.1"},
		{"delayed", head + "Final-Recipient: rfc822; a@example.org\nAction: delayed\nStatus: 4.4.7\n", false, "4.4.7"},
		{"delivered", head + "Final-Recipient: rfc822; a@example.org\nAction: delivered\nStatus: 2.0.0\n", false, "2.0.0"},
		{"first failed recipient's status", head +
			"Final-Recipient: rfc822; a@example.org\nAction: relayed\nStatus: 2.0.0\n\n" +
			"Final-Recipient: rfc822; b@example.org\nAction: delayed\nStatus: 4.2.2\n\n" +
			"Final-Recipient: rfc822; c@example.org\nAction: failed\nStatus: 5.2.1\n\n" +
			"Final-Recipient: rfc822; d@example.org\nAction: failed\nStatus: 5.1.1\n", true, "5.2.1"},
		{"first recipient when none failed", head +
			"Final-Recipient: rfc822; a@example.org\nAction: expanded\nStatus: 2.0.0\n\n" +
			"Final-Recipient: rfc822; b@example.org\nAction: delayed\nStatus: 4.4.1\n", false, "2.0.0"},
		{"CRLF, case and comments", strings.ReplaceAll(head+"final-recipient: rfc822; a@example.org\n"+
			"ACTION: Failed (permanent)\nstatus: 5.0.0 (permanent failure)\n", "\n", "\r\n"), true, "5.0.0"},
		{"folded status", head + "Final-Recipient: rfc822; a@example.org\nAction:\n failed\nStatus:\n\t5.4.1\n", true, "5.4.1"},
		{"trailing blanks on the separator line", "Reporting-MTA: dns; x\n \t\nAction: failed\nStatus: 5.1.1\n", true, "5.1.1"},
		{"blocks run together", "Reporting-MTA: dns; x\nFinal-Recipient: rfc822; a@example.org\nAction: delivered\nStatus: 2.0.0\n" +
			"Final-Recipient: rfc822; b@example.org\nAction: failed\nStatus: 5.1.1\n", true, "5.1.1"},
		{"exim order run together", "Action: delayed\nFinal-Recipient: rfc822;a@example.org\nStatus: 4.0.0\n" +
			"Action: failed\nFinal-Recipient: rfc822;b@example.org\nStatus: 5.0.0\n", true, "5.0.0"},
		{"failed with a malformed status", head + "Action: failed\nStatus: 5.1\n\nAction: failed\nStatus: 5.1.1\n", true, ""},
		{"status without action", head + "Final-Recipient: rfc822; a@example.org\nStatus: 5.1.1\n", false, "5.1.1"},
		{"only per-message fields", head, false, ""},
		{"empty", "", false, ""},
		{"junk", "\x00\xff\xfe\n:::\n\n\n   \n\t\x01 Action: failed\nnot a field\n", false, ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			failed, status := deliveryStatus([]byte(c.in))
			eq(t, "failed", failed, c.failed)
			eq(t, "status", status, c.status)
		})
	}
}

func TestDeliveryStatusCodes(t *testing.T) {
	for code, valid := range map[string]bool{
		"5.1.1": true, "4.4.7": true, "2.0.0": true, "5.1.10": true, "5.4.316": true, "5.999.999": true,
		"5.1": false, "9.1.1": false, "3.1.1": false, "5.1.1.1": false, "5.1234.1": false, "5.1.x": false,
		"5..1": false, "550": false, "5.1.1;": false, "５.1.1": false, "": false,
	} {
		_, status := deliveryStatus([]byte("Action: failed\nStatus: " + code + "\n"))
		if got := status != ""; got != valid {
			t.Errorf("status %q accepted = %v, want %v (got %q)", code, got, valid, status)
		}
	}
}

// TestDeliveryStatusBounded: only the first maxDSNBytes are read, however
// long the part, and a huge part costs no more than that.
func TestDeliveryStatusBounded(t *testing.T) {
	filler := strings.Repeat("X-Filler: "+strings.Repeat("y", 90)+"\n", maxDSNBytes/100+1)
	failed, status := deliveryStatus([]byte("Reporting-MTA: dns; x\n\n" + filler + "Action: failed\nStatus: 5.1.1\n"))
	if failed || status != "" {
		t.Errorf("read past the limit: %v %q", failed, status)
	}
	huge := strings.Repeat("Action: failed\nStatus: 5.1.1\n", 1<<16) // 1.8 MB of recipients
	if failed, status := deliveryStatus([]byte(huge)); !failed || status != "5.1.1" {
		t.Errorf("huge part: %v %q", failed, status)
	}
}

const (
	dsnHead = "Return-Path: <>\nFrom: MAILER-DAEMON@mx.example.org\nTo: help@helpline.example\nSubject: notice\n" +
		"Message-ID: <n-1@mx.example.org>\nMIME-Version: 1.0\n"
	dsnStatus   = "Content-Type: message/delivery-status\n\nReporting-MTA: dns; mx.example.org\n\nFinal-Recipient: rfc822; a@example.org\nAction: failed\nStatus: 5.1.1\n"
	dsnReturned = "Content-Type: message/rfc822\n\nFrom: help@helpline.example\nMessage-ID: <orig-1@helpline.example>\nSubject: s\n\nhi\n"
)

// report wraps parts in a multipart/report of delivery status.
func report(parts ...string) string {
	return "Content-Type: multipart/report; report-type=delivery-status; boundary=r\n\n--r\nContent-Type: text/plain\n\nNot delivered.\n--r\n" +
		strings.Join(parts, "--r\n") + "--r--\n"
}

func TestBounceShapes(t *testing.T) {
	for _, c := range []struct {
		name, msg string
		want      *haven.Bounce
	}{
		{"standard", dsnHead + report(dsnStatus, dsnReturned), bounce("orig-1@helpline.example", true, "5.1.1")},
		{"report from anyone", strings.Replace(dsnHead, "Return-Path: <>\nFrom: MAILER-DAEMON@", "From: relay@", 1) +
			report(dsnStatus, dsnReturned), bounce("orig-1@helpline.example", true, "5.1.1")},
		{"no delivery-status part", dsnHead + report(dsnReturned), bounce("orig-1@helpline.example", false, "")},
		{"base64 delivery-status", dsnHead + report("Content-Type: message/delivery-status\nContent-Transfer-Encoding: base64\n\n"+
			b64([]byte("Reporting-MTA: dns; x\n\nAction: failed\nStatus: 5.7.1\n")), dsnReturned), bounce("orig-1@helpline.example", true, "5.7.1")},
		{"RFC 6533 global types", dsnHead + report(strings.Replace(dsnStatus, "message/delivery-status", "message/global-delivery-status", 1),
			"Content-Type: message/global-headers\n\nFrom: help@helpline.example\nMessage-ID: <ünï-1@helpline.example>\n"),
			bounce("ünï-1@helpline.example", true, "5.1.1")},
		{"message/rfc822-headers", dsnHead + report(dsnStatus, "Content-Type: message/rfc822-headers\n\nMessage-ID: <h-1@helpline.example>\n"),
			bounce("h-1@helpline.example", true, "5.1.1")},
		{"returned message without an id, headers with one", dsnHead + report(dsnStatus,
			"Content-Type: message/rfc822\n\nFrom: help@helpline.example\n\nhi\n",
			"Content-Type: text/rfc822-headers\n\nMessage-ID: <h-2@helpline.example>\n"), bounce("h-2@helpline.example", true, "5.1.1")},
		{"only the first delivery-status counts", dsnHead + report(dsnStatus,
			"Content-Type: message/delivery-status\n\nAction: delayed\nStatus: 4.4.7\n", dsnReturned), bounce("orig-1@helpline.example", true, "5.1.1")},
		{"report inside multipart/mixed", dsnHead + "Content-Type: multipart/mixed; boundary=m\n\n--m\n" +
			report(dsnStatus, dsnReturned) + "--m\nContent-Type: text/plain\n\nfooter\n--m--\n", bounce("orig-1@helpline.example", true, "5.1.1")},
		{"returned message in quoted-printable", dsnHead + report(dsnStatus,
			"Content-Type: message/rfc822\nContent-Transfer-Encoding: quoted-printable\n\nMessage-ID: <qp=3D1@helpline.example>\n\nhi\n"),
			bounce("qp=1@helpline.example", true, "5.1.1")},
		{"without the original", dsnHead + report(dsnStatus), nil},
		{"returned message without any id", dsnHead + report(dsnStatus, "Content-Type: message/rfc822\n\nSubject: x\n\nhi\n"), nil},
		{"read receipt returning headers", "From: someone@example.org\nSubject: Read: x\n" +
			"Content-Type: multipart/report; report-type=disposition-notification; boundary=r\n\n--r\n\nread\n--r\n" +
			"Content-Type: text/rfc822-headers\n\nMessage-ID: <orig-1@helpline.example>\n--r--\n", nil},
		{"person forwarding a message", "From: someone@example.org\nSubject: Fwd\nContent-Type: multipart/mixed; boundary=m\n\n--m\n\nsee\n--m\n" +
			dsnReturned + "--m--\n", nil},
		{"delivery-status from a person, no report", "From: someone@example.org\nSubject: x\nContent-Type: multipart/mixed; boundary=m\n\n--m\n" +
			dsnStatus + "--m\n" + dsnReturned + "--m--\n", nil},
		{"non-standard from postmaster", "From: postmaster@ngo.example\nSubject: Undeliverable\nContent-Type: multipart/mixed; boundary=m\n\n--m\n" +
			"\nnot delivered\n--m\n" + dsnStatus + "--m\n" + dsnReturned + "--m--\n", bounce("orig-1@helpline.example", true, "5.1.1")},
		{"non-standard from a null sender", "Return-Path: <>\nFrom: gateway@ngo.example\nSubject: x\nContent-Type: multipart/mixed; boundary=m\n\n--m\n" +
			"\nnot delivered\n--m\n" + dsnReturned + "--m--\n", bounce("orig-1@helpline.example", false, "")},
		{"truncated report", dsnHead + "Content-Type: multipart/report; report-type=delivery-status; boundary=r\n\n--r\n" +
			dsnStatus + "--r\nContent-Type: message/rfc822\n\nMessage-ID: <cut-1@helpline.example>\nSubj", bounce("cut-1@helpline.example", true, "5.1.1")},
		{"not multipart", dsnHead + dsnStatus, nil},
	} {
		t.Run(c.name, func(t *testing.T) {
			p := Parse([]byte(c.msg))
			checkInvariants(t, p)
			eq(t, "bounce", p.Bounce, c.want)
		})
	}
}

// TestForwardedBounce: a bounce someone forwards is about their message, not
// one Haven sent: only the forwarded copy describes it.
func TestForwardedBounce(t *testing.T) {
	msg := "From: someone@example.org\nSubject: Fwd: bounce\nContent-Type: message/rfc822\n\n" + dsnHead + report(dsnStatus, dsnReturned)
	p := Parse([]byte(msg))
	eq(t, "bounce", p.Bounce, (*haven.Bounce)(nil))
	if len(p.Forwarded) != 1 {
		t.Fatalf("%d forwarded", len(p.Forwarded))
	}
	eq(t, "forwarded bounce", p.Forwarded[0].Bounce, bounce("orig-1@helpline.example", true, "5.1.1"))
}

func TestInboundBounce(t *testing.T) {
	raw := []byte(dsnHead + report(dsnStatus, dsnReturned))
	p := Parse(raw)
	in := Inbound(p, raw, Mailbox{Address: helpline})
	eq(t, "bounce", in.Bounce, bounce("orig-1@helpline.example", true, "5.1.1"))
	eq(t, "auto-reply", in.AutoReply, true)
	if in.Bounce == p.Bounce {
		t.Error("InboundEmail shares the parser's Bounce")
	}
	plain := []byte("From: a@example.org\nSubject: hi\n\nhello\n")
	eq(t, "no bounce", Inbound(Parse(plain), plain, Mailbox{}).Bounce, (*haven.Bounce)(nil))
}

// recordingIntake keeps what the pipeline hands over.
type recordingIntake struct{ got []haven.InboundEmail }

func (r *recordingIntake) IngestEmail(_ context.Context, in haven.InboundEmail) (*haven.IngestResult, error) {
	r.got = append(r.got, in)
	return &haven.IngestResult{Threading: haven.ThreadBounce}, nil
}

func (r *recordingIntake) SenderPGPKeys(context.Context, string) ([]string, error) { return nil, nil }

func (r *recordingIntake) RecordRefusal(context.Context, string, int64, string) error { return nil }

func TestPipelineBounce(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join(dsnDir, "postfix-failed.eml"))
	if err != nil {
		t.Fatal(err)
	}
	intake := &recordingIntake{}
	p := &Pipeline{Intake: intake}
	if err := p.Deliver(context.Background(), helpline, raw); err != nil {
		t.Fatal(err)
	}
	if len(intake.got) != 1 {
		t.Fatalf("%d ingested", len(intake.got))
	}
	eq(t, "bounce", intake.got[0].Bounce, dsnFiles["postfix-failed.eml"])
}
