package email

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"math/rand/v2"
	"strings"
	"testing"
)

func TestSubjectCaseNumber(t *testing.T) {
	for subject, want := range map[string]string{
		"[HV-2026-000123]":                  "HV-2026-000123",
		"Re: [HV-2026-000123] help":         "HV-2026-000123",
		"RE : Fwd: [HV-2026-000042] Votre":  "HV-2026-000042",
		"AW: AW: [ HV-2026-000007 ]":        "HV-2026-000007",
		"Fwd: question [hv-2025-1234567]":   "HV-2025-1234567",
		"رد: [HV-2026-000009] طلب":          "HV-2026-000009",
		"HV-2026-000123 without brackets":   "",
		"[HV-2026-12] too short":            "",
		"[HV-26-000123] short year":         "",
		"":                                  "",
		"Re: [HV-2026-000001] [HV-2026-02]": "HV-2026-000001",
	} {
		if got := SubjectCaseNumber(subject); got != want {
			t.Errorf("SubjectCaseNumber(%q) = %q, want %q", subject, got, want)
		}
	}
}

func TestDetectLanguage(t *testing.T) {
	for _, c := range []struct{ text, want string }{
		{textAR1, "ar"}, {textRU1, "ru"}, {textFR, "fr"}, {textES, "es"}, {textPT, "pt"}, {textEN, "en"},
		{"Olá, não consigo entrar na minha conta, você pode ajudar?", "pt"},
		{"Hola, no puedo entrar en mi cuenta, ¿usted puede ayudar?", "es"},
		{"", ""},
		{"ok", ""},
		{"Hi", ""},
		{"مرحبا", ""}, // too short to be sure
		// Persian and Ukrainian share a script with Arabic and Russian.
		{"سلام، من یک روزنامه‌نگار هستم و فکر می‌کنم گوشی من هک شده است. لطفا کمک کنید.", ""},
		{"Доброго дня! Мій акаунт зламали, і я не можу увійти. Будь ласка, допоможіть мені.", ""},
		{"Guten Tag, mein Konto wurde gehackt und ich kann mich nicht mehr anmelden. Bitte helfen Sie mir schnell.", ""},
		// A quoted English reply does not outweigh two lines of French.
		{"Merci, je vous envoie les fichiers demain avec mon compte rendu.\n> Thank you for your message, we have opened a case and we will be in touch with you.\n> Please do not reply to the attacker and keep all the messages you have received.", "fr"},
		// URLs do not turn Arabic text into Latin text.
		{textAR2 + " https://www.facebook.com/some.very.long.profile.name.here/posts/123456789", "ar"},
	} {
		if got := DetectLanguage(c.text); got != c.want {
			t.Errorf("DetectLanguage(%.40q) = %q, want %q", c.text, got, c.want)
		}
	}
}

func TestSuspiciousAttachment(t *testing.T) {
	for _, c := range []struct {
		name, ctype string
		data        []byte
		want        string
	}{
		{"setup.exe", "application/octet-stream", fakePE, "executable"},
		{"invoice.pdf.exe", "application/pdf", []byte("%PDF-1.4"), "executable"},
		{"INVOICE.PDF.SCR", "", nil, "executable"},
		{"run.sh", "text/plain", []byte("#!/bin/sh\n"), "executable"},
		{"evil.exe. . .", "", nil, "executable"}, // Windows drops trailing dots and spaces
		{"tool", "application/octet-stream", []byte("\x7fELF\x02\x01\x01"), "executable"},
		{"app", "", []byte("\xcf\xfa\xed\xfe\x07\x00"), "executable"},
		{"report.docm", "", zipOf("word/vbaProject.bin"), "macro document"},
		{"budget.xlsm", "", nil, "macro document"},
		{"old.xls", "application/vnd.ms-excel", fakeOLE, "macro document"},
		{"mystery.bin", "", fakeOLE, "macro document"},
		{"report.docx", docxType, zipOf("word/document.xml", "word/vbaProject.bin"), "macro document"},
		{"report.docx", docxType, zipOf("word/document.xml"), ""},
		{"sheet.xlsx", "application/zip", zipOf("xl/workbook.xml"), ""},
		{"photos.zip", "application/zip", zipOf("a.jpg"), "archive"},
		{"data", "application/octet-stream", zipOf("a.jpg"), "archive"},
		{"backup.rar", "", []byte("Rar!\x1a\x07\x00"), "archive"},
		{"x.7z", "", nil, "archive"},
		{"message.msg", "application/vnd.ms-outlook", fakeOLE, "archive"},
		{"document.pdf", "application/pdf", fakePE, "type mismatch"},
		{"photo.jpg", "image/jpeg", fakePE, "type mismatch"},
		{"photo", "image/jpeg", fakePE, "type mismatch"},
		{"notes.txt", "text/plain", zipOf("a"), "type mismatch"},
		{"letter.docx", docxType, []byte("{\\rtf1 not a zip}"), "type mismatch"},
		{"picture.png", "image/png", tinyJPEG, "type mismatch"},
		{"report.pdf", "application/pdf", tinyPDF, ""},
		{"report.pdf", "application/pdf", append([]byte("junk before header\n"), tinyPDF...), ""},
		{"screenshot.png", "image/png", tinyPNG, ""},
		{"photo.jpeg", "image/jpeg", tinyJPEG, ""},
		{"invite.ics", "text/calendar", []byte("BEGIN:VCALENDAR\r\n"), ""},
		{"notes.txt", "text/plain", []byte("hello"), ""},
		{"empty.pdf", "application/pdf", nil, ""},
	} {
		sus, reason := SuspiciousAttachment(c.name, c.ctype, c.data)
		if reason != c.want || sus != (c.want != "") {
			t.Errorf("SuspiciousAttachment(%q, %q) = %v %q, want %q", c.name, c.ctype, sus, reason, c.want)
		}
	}
}

func TestHTMLToText(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"<p>Hello</p><p>World</p>", "Hello\n\nWorld"},
		{"a<br>b<br/>c", "a\nb\nc"},
		{"<ul><li>one</li><li>two</li></ul>", "- one\n- two"},
		{`<a href="https://x.example/p">click</a>`, "click (https://x.example/p)"},
		{`<a href="https://x.example/">https://x.example/</a>`, "https://x.example/"},
		{`<a href="mailto:a@b.example">a@b.example</a>`, "a@b.example"},
		{`<a href="javascript:alert(1)">x</a>`, "x"},
		{"caf&eacute; &amp; th&#233; &lt;ok&gt;", "café & thé <ok>"},
		{"<script>alert(1)</script><style>p{}</style>visible", "visible"},
		{"<html><head><title>T</title></head><body>body text</body></html>", "body text"},
		{"<head><meta charset=utf-8><body>no closing head", "no closing head"},
		{"  lots   of\n\n  space  ", "lots of space"},
		{"<pre>  keep\n    this</pre>", "keep\n    this"},
		{"<table><tr><td>a</td><td>b</td></tr><tr><td>c</td></tr></table>", "a b\nc"},
		{`<img src="x.png" alt="logo"> text`, "logo text"},
		{"<b>bold</b><i>it</i> and <span>span</span>", "boldit and span"},
	} {
		if got := HTMLToText(c.in); got != c.want {
			t.Errorf("HTMLToText(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

// xssPayloads seed FuzzSanitizeHTML and are checked here directly.
var xssPayloads = []string{
	`<script>alert(1)</script>`,
	`<img src=x onerror=alert(1)>`,
	`<a href="javascript:alert(1)">x</a>`,
	`<svg onload=alert(1)>`,
	`<svg><script>alert(1)</script></svg>`,
	`<iframe src="https://evil.example/"></iframe>`,
	`<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>`,
	`<a href="javas&#99;ript:alert(1)">x</a>`,
	`<a href="  JaVaScRiPt:alert(1)">x</a>`,
	`<a href="java&#x09;script:alert(1)">x</a>`,
	`<img src="https://tracker.example/p.gif" width=1 height=1>`,
	`<img src="data:image/png;base64,iVBORw0KGgo=">`,
	`<form action="https://evil.example"><input name=pw></form>`,
	`<div style="background:url(javascript:alert(1))">x</div>`,
	`<object data="x.swf"></object><embed src="x.swf">`,
	`<base href="https://evil.example/"><a href="/login">login</a>`,
	`<meta http-equiv="refresh" content="0;url=https://evil.example">`,
	`<a href="https://ok.example" onclick="steal()">ok</a>`,
	`<<script>script>alert(1)<</script>/script>`,
	`<noscript><p title="</noscript><img src=x onerror=alert(1)>">`,
	`<a href="vbscript:msgbox(1)">x</a><a href="data:text/html,<script>alert(1)</script>">y</a>`,
}

func TestSanitizeHTML(t *testing.T) {
	for _, in := range xssPayloads {
		out := SanitizeHTML(in)
		if problem := unsafeHTML(out); problem != "" {
			t.Errorf("SanitizeHTML(%q) = %q: %s", in, out, problem)
		}
		checkSafeHTML(t, "SanitizeHTML("+in+")", out)
	}
	for _, c := range []struct{ in, want string }{
		{`<a href="https://evil.example/login">paypal.com</a>`,
			`<a href="https://evil.example/login" rel="nofollow noopener noreferrer" target="_blank">paypal.com</a> [https://evil.example/login]`},
		{`<a href="https://example.org/">example.org</a>`,
			`<a href="https://example.org/" rel="nofollow noopener noreferrer" target="_blank">example.org</a>`},
		{`<img src="https://tracker.example/p.gif" alt="Logo">`, `Logo`},
		{`<img src="cid:img1@x" alt="shot" onerror="x()">`, `<img src="cid:img1@x" alt="shot"/>`},
		{`<p>caf&eacute; &lt;b&gt;</p>`, `<p>café &lt;b&gt;</p>`},
		{`<a href="https://a.example/?q=1&amp;r=&quot;2&quot;">https://b.example/</a>`,
			`<a href="https://a.example/?q=1&amp;r=&#34;2&#34;" rel="nofollow noopener noreferrer" target="_blank">https://b.example/</a> [https://a.example/?q=1&amp;r=&#34;2&#34;]`},
	} {
		if got := SanitizeHTML(c.in); got != c.want {
			t.Errorf("SanitizeHTML(%q)\n got %q\nwant %q", c.in, got, c.want)
		}
	}
}

func TestContentHashIgnoresTransport(t *testing.T) {
	base := "From: a@example.org\nTo: b@example.org\nSubject: hi\nDate: Mon, 5 Jan 2026 10:00:00 +0000\n\nbody line\n"
	relayed := "Return-Path: <a@example.org>\nReceived: from x by y\nDelivered-To: b@example.org\nX-Original-To: b@example.org\n" + base
	a, b := Parse([]byte(base)), Parse(crlf(relayed))
	if a.ContentHash != b.ContentHash || DedupeKey(a) != DedupeKey(b) {
		t.Errorf("transport headers or CRLF change the hash: %s vs %s", a.ContentHash, b.ContentHash)
	}
	c := Parse([]byte(strings.Replace(base, "body line", "other body", 1)))
	if c.ContentHash == a.ContentHash {
		t.Error("different bodies hash the same")
	}
	if DedupeKey(nil) != "" {
		t.Error("DedupeKey(nil) should be empty")
	}
}

func TestParseDoesNotAliasInput(t *testing.T) {
	raw := crlf("From: a@example.org\nSubject: x\nContent-Type: multipart/mixed; boundary=b\n\n--b\n" +
		"Content-Type: application/octet-stream; name=f.bin\n\nABCDEF\n--b--\n")
	p := Parse(raw)
	for i := range raw {
		raw[i] = 'Z'
	}
	if got := string(p.Attachments[0].Data); got != "ABCDEF" {
		t.Errorf("attachment changed with the input: %q", got)
	}
}

func TestForwardDepthLimit(t *testing.T) {
	msg := "From: a@example.org\nSubject: level 0\n\ninnermost\n"
	for i := 1; i <= maxForwardDepth+3; i++ {
		msg = "From: a@example.org\nSubject: level " + string(rune('0'+i)) + "\nContent-Type: message/rfc822\n\n" + msg
	}
	p := Parse([]byte(msg))
	depth := 0
	for ; len(p.Forwarded) > 0; depth++ {
		if len(p.Attachments) != 1 {
			t.Fatalf("depth %d: %d attachments", depth, len(p.Attachments))
		}
		p = p.Forwarded[0]
	}
	if depth != maxForwardDepth {
		t.Errorf("parsed %d forward levels, want %d", depth, maxForwardDepth)
	}
	if len(p.Attachments) != 1 || !bytes.Contains(p.Attachments[0].Data, []byte("innermost")) {
		t.Error("the message below the depth limit was not kept as an attachment")
	}
}

func TestDecodeBase64Tolerant(t *testing.T) {
	for in, want := range map[string]string{
		"aGVsbG8=":         "hello",
		"aGVs\r\nbG8=":     "hello",
		"aGVsbG8":          "hello",      // missing padding
		"aGVsbG":           "hell",       // truncated
		"aGVs!!bG8=":       "hello",      // stray bytes
		"aGVsbG8=d29ybGQ=": "helloworld", // concatenated segments
		"":                 "",
		"=":                "",
		"a":                "",
	} {
		if got := string(decodeBase64([]byte(in))); got != want {
			t.Errorf("decodeBase64(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestDecodeQPTolerant(t *testing.T) {
	for in, want := range map[string]string{
		"caf=C3=A9":      "café",
		"soft=\r\nbreak": "softbreak",
		"soft=  \nbreak": "softbreak",
		"bad=ZZescape":   "bad=ZZescape",
		"lower=c3=a9":    "loweré",
		"trailing=":      "trailing",
	} {
		if got := string(decodeQP([]byte(in))); got != want {
			t.Errorf("decodeQP(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestParseLargeAttachment builds a 20 MB attachment in memory rather than
// committing it.
func TestParseLargeAttachment(t *testing.T) {
	if testing.Short() {
		t.Skip("20 MB message")
	}
	data := make([]byte, 20<<20)
	rng := rand.NewChaCha8([32]byte{1, 2, 3})
	rng.Read(data)
	raw := withAttachment(hdr("a@example.org", "big", "big-1@example.org"), "see attached",
		"application/octet-stream", "attachment; filename=\"capture.bin\"", data)
	p := Parse(raw)
	if p.Unparsed || len(p.Attachments) != 1 || p.Text != "see attached" {
		t.Fatalf("unparsed=%v attachments=%d text=%q", p.Unparsed, len(p.Attachments), p.Text)
	}
	sum := sha256.Sum256(data)
	if a := p.Attachments[0]; a.SHA256 != hex.EncodeToString(sum[:]) || len(a.Data) != len(data) {
		t.Errorf("attachment: %d bytes, sha256 %s", len(a.Data), a.SHA256)
	}
}

func TestFallbackTextCapped(t *testing.T) {
	raw := bytes.Repeat([]byte("\xff\xfe garbage "), 300000) // ~3 MB, no header
	p := Parse(raw)
	if !p.Unparsed || len(p.Text) > maxFallbackText || len(p.Text) < maxFallbackText-4 {
		t.Errorf("unparsed=%v len(Text)=%d", p.Unparsed, len(p.Text))
	}
}

func TestUnflow(t *testing.T) {
	in := "one \ntwo\n-- \nsig\n>quoted \n>more\n"
	if got, want := unflow(in, false), "one two\n-- \nsig\n>quoted \n>more\n"; got != want {
		t.Errorf("unflow = %q, want %q", got, want)
	}
	if got, want := unflow("a \nb", true), "ab"; got != want {
		t.Errorf("unflow delsp = %q, want %q", got, want)
	}
}

func TestSMIMEAndReceipts(t *testing.T) {
	for _, c := range []struct{ msg, want string }{
		{"Content-Type: application/pkcs7-mime; smime-type=enveloped-data; name=smime.p7m\nContent-Transfer-Encoding: base64\n\nMIAGCSqGSIb3DQEHA6CAMIACAQAx\n", "encrypted"},
		{"Content-Type: application/pkcs7-mime; smime-type=signed-data; name=smime.p7m\n\nxx\n", "signed"},
		{"Content-Type: multipart/signed; protocol=\"application/pkcs7-signature\"; boundary=s\n\n--s\n\nhello\n--s--\n", "signed"},
		{"Content-Type: multipart/report; report-type=disposition-notification; boundary=r\n\n--r\n\nread\n--r--\n", "auto"},
	} {
		p := Parse([]byte("From: a@example.org\nSubject: s\n" + c.msg))
		if got := flagsOf(p); got != c.want {
			t.Errorf("flags = %q, want %q for %q", got, c.want, c.msg)
		}
	}
}
