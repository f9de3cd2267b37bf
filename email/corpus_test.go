package email

import (
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

type wantAtt struct {
	name, ctype, sniffed string
	reason               string // "" = not suspicious
	inline               bool
}

// want is what a corpus file must parse to. subject, from, lang, flags and
// attachments are compared exactly (empty means "must be empty").
type want struct {
	subject string
	from    string   // From.Addr
	lang    string   // Language
	flags   string   // space-separated subset of: unparsed fallback encrypted signed auto
	text    []string // substrings of Text
	notText []string
	html    []string // substrings of HTML
	atts    []wantAtt
	check   func(t *testing.T, p *Parsed)
}

const (
	helpline = "help@helpline.example"
	attBody  = "Please find the file attached."
)

func att(name, ctype, sniffed, reason string) wantAtt {
	return wantAtt{name: name, ctype: ctype, sniffed: sniffed, reason: reason}
}

var corpus = map[string]want{
	// Languages and charsets.
	"plain-ascii.eml": {subject: "Need help with my phone", from: "amal@example.org", lang: "en", text: []string{"has been hacked"},
		check: func(t *testing.T, p *Parsed) {
			eq(t, "from name", p.From.Name, "Amal Haddad")
			eq(t, "message id", p.MessageID, "plain-1@example.org")
			eq(t, "date", p.Date.UTC().Format(time.RFC3339), "2026-01-05T09:00:00Z")
			eq(t, "to", p.To, []Address{{Addr: helpline}})
		}},
	"fr-utf8-qp.eml":   {subject: "Compte piraté", from: "claire@exemple.fr", lang: "fr", text: []string{textFR}},
	"es-utf8.eml":      {subject: "Cuenta bloqueada", from: "lucia@ejemplo.mx", lang: "es", text: []string{textES}},
	"pt-utf8-b64.eml":  {subject: "Conta invadida", from: "ana@exemplo.br", lang: "pt", text: []string{textPT}},
	"ru-koi8r.eml":     {subject: "Помогите, взлом аккаунта", from: "ivan@example.ru", lang: "ru", text: []string{textRU1}},
	"ru-cp1251.eml":    {subject: "Угрозы", from: "olga@example.ru", lang: "ru", text: []string{textRU2}},
	"ar-utf8.eml":      {subject: "هاتفي مخترق", from: "leila@example.org", lang: "ar", text: []string{textAR1}},
	"ar-cp1256.eml":    {subject: "حساب مخترق", from: "omar@example.org", lang: "ar", text: []string{textAR2}},
	"ar-iso8859-6.eml": {subject: "Threats", from: "samir@example.org", lang: "ar", text: []string{textAR3}},
	"fr-iso8859-15.eml": {subject: "Paiement", from: "marc@exemple.fr", lang: "fr",
		text: []string{"le paiement de 50 € pour mon abonnement a été refusé"}},
	"html-only-meta-charset.eml": {subject: "Vopros", from: "pavel@example.ru", lang: "ru", text: []string{textRU2},
		html: []string{"<p>" + textRU2 + "</p>"}},
	"headerless-arabic.eml": {lang: "ar", flags: "unparsed", text: []string{textAR1, textAR2}},

	// Headers.
	"subject-ar-b.eml": {subject: "طلب مساعدة عاجل", from: "nour@example.org", lang: "ar", text: []string{textAR3},
		check: func(t *testing.T, p *Parsed) { eq(t, "from name", p.From.Name, "نور") }},
	"subject-fr-q.eml": {subject: "Problème de sécurité sur mon téléphone", from: "helene@exemple.fr", lang: "fr", text: []string{textFR},
		check: func(t *testing.T, p *Parsed) { eq(t, "from name", p.From.Name, "Hélène Dupré") }},
	"subject-mixed.eml": {subject: "Re: طلب مساعدة / café / عاجل [HV-2026-000123]", from: "sara@example.org", lang: "ar", text: []string{textAR1},
		check: func(t *testing.T, p *Parsed) {
			eq(t, "from name", p.From.Name, "سارة")
			eq(t, "to", p.To, []Address{{Addr: helpline}, {Name: "Дежурный", Addr: "duty@helpline.example"}})
			eq(t, "case number", SubjectCaseNumber(p.Subject), "HV-2026-000123")
		}},
	"rfc2231-ar-filename.eml": {subject: "Report", from: "huda@example.org", lang: "ar", text: []string{textAR1},
		atts: []wantAtt{att("تقرير.pdf", "application/pdf", "application/pdf", ""), att("صورة.jpg", "image/jpeg", "image/jpeg", "")}},
	"rfc2047-filename.eml": {subject: "Dogovor", from: "pavel@example.ru", lang: "ru", text: []string{textRU2},
		atts: []wantAtt{att("Договор.pdf", "application/pdf", "application/pdf", "")}},
	"reply-case-number.eml": {subject: "RE : Re: [HV-2026-000042] Votre demande", from: "claire@exemple.fr", lang: "fr",
		text: []string{"captures d'écran", "> Thank you for contacting"},
		check: func(t *testing.T, p *Parsed) {
			eq(t, "in-reply-to", p.InReplyTo, "case-42-ack@helpline.example")
			eq(t, "references", p.References, []string{"orig-42@exemple.fr", "case-42-ack@helpline.example"})
			eq(t, "case number", SubjectCaseNumber(p.Subject), "HV-2026-000042")
		}},
	"no-message-id.eml": {subject: "no id", from: "anon@example.net", lang: "en", text: []string{"content hash must identify it"},
		check: func(t *testing.T, p *Parsed) {
			eq(t, "dedupe", DedupeKey(p), "sha256:"+p.ContentHash)
			eq(t, "hash length", len(p.ContentHash), 64)
		}},
	"missing-content-type.eml": {subject: "old mailer", from: "bob@example.com", lang: "en", text: []string{"read as us-ascii"},
		check: func(t *testing.T, p *Parsed) {
			eq(t, "date", p.Date.UTC().Format(time.RFC3339), "2026-01-07T09:00:00Z")
		}},
	"mbox-from-line.eml": {subject: "Exported from mbox", from: "sender@example.org", lang: "en", text: []string{"mbox separator"}},

	// Client shapes.
	"outlook-related.eml": {subject: "Phishing attempt on our staff", from: "nadia.karim@ngo.example", lang: "en",
		text: []string{"fake password reset"}, html: []string{`src="cid:` + outlookCID + `"`, "Screenshot below."},
		atts: []wantAtt{{name: "image001.png", ctype: "image/png", sniffed: "image/png", inline: true}},
		check: func(t *testing.T, p *Parsed) {
			eq(t, "from name", p.From.Name, "Karim, Nadia")
			eq(t, "content id", p.Attachments[0].ContentID, outlookCID)
		}},
	"gmail-alternative.eml": {subject: "Re: Suspicious login alert", from: "lucia.gomez@gmail.example", lang: "es",
		text: []string{"no fui yo", "> We detected"}, html: []string{"<blockquote>We detected a new sign-in"},
		check: func(t *testing.T, p *Parsed) { eq(t, "in-reply-to", p.InReplyTo, "alert-1@accounts.example") }},
	"apple-mail-flowed.eml": {subject: "Ordinateur saisi", from: "julie@exemple.fr", lang: "fr",
		text: []string{"saisi par la police à la frontière. Que dois-je faire pour protéger mes sources ?\n\nJulie"}},

	// Broken MIME.
	"broken-no-closing-boundary.eml": {subject: "truncated", from: "a@example.org", lang: "en", text: []string{"cut before its closing boundary"},
		atts: []wantAtt{att("notes.txt", "text/plain", "text/plain", "")}},
	"broken-wrong-boundary.eml": {subject: "wrong boundary", from: "a@example.org", lang: "en", flags: "unparsed",
		text: []string{"does not match the body"}, notText: []string{"log line"},
		atts: []wantAtt{att("log.txt", "text/plain", "text/plain", "")}},
	"broken-header-no-colon.eml": {subject: "header without colon", from: "rania@example.org", lang: "en", flags: "unparsed",
		text: []string{"the rest must survive"}, check: func(t *testing.T, p *Parsed) { eq(t, "to", len(p.To), 1) }},
	"broken-truncated-base64.eml": {subject: "truncated base64", from: "a@example.org", lang: "en", text: []string{textEN[:100]},
		atts: []wantAtt{att("data.bin", "application/octet-stream", "application/octet-stream", "")},
		check: func(t *testing.T, p *Parsed) {
			eq(t, "data", string(p.Attachments[0].Data), "\x00\x01\x02\x03\x04\x05\x06\x07\x08\x09\x0a\x0b\x0c\x0d")
		}},
	"broken-unknown-charset.eml":  {subject: "résumé", from: "a@example.org", lang: "fr", flags: "fallback", text: []string{textFR}},
	"broken-unknown-encoding.eml": {subject: "unknown encoding", from: "a@example.org", lang: "en", flags: "unparsed", text: []string{"shown as is"}},
	"broken-nul-bytes.eml":        {subject: "nulbytes", from: "a@example.org", lang: "en", text: []string{"Please help me, my laptop was stolen."}},
	"broken-no-blank-line.eml": {subject: "no blank line", from: "yusuf@example.org", lang: "en", flags: "unparsed",
		text: []string{"Hello, this message has no blank line", "Second line of the body."}},
	"empty.eml":          {flags: "unparsed"},
	"garbage-binary.eml": {flags: "unparsed fallback", check: func(t *testing.T, p *Parsed) { eq(t, "text runes > 1000", utf8.RuneCountInString(p.Text) > 1000, true) }},
	"deep-nesting.eml": {subject: "deep", from: "a@example.org", lang: "en", text: []string{"level text I"}, notText: []string{"innermost text"},
		atts: []wantAtt{att("attachment-1", "multipart/mixed", "text/plain", "")},
		check: func(t *testing.T, p *Parsed) {
			eq(t, "levels read", strings.Count(p.Text, "level text"), maxMIMEDepth)
			eq(t, "kept subtree", strings.Contains(string(p.Attachments[0].Data), "innermost text"), true)
		}},

	// HTML.
	"html-xss.eml": {subject: "Document partagé", from: "attacker@evil.example",
		text:    []string{"Visible paragraph about the attack.", "safety guide (https://example.org/guide)", "Styled text"},
		notText: []string{"alert", "document.cookie", "background"},
		html:    []string{"<p>Visible paragraph about the attack.</p>", "broken", "click me", `<a href="https://example.org/guide" rel="nofollow noopener noreferrer" target="_blank">safety guide</a>`},
		check: func(t *testing.T, p *Parsed) {
			for _, bad := range []string{"tracker.example", "evil.example", "password", "steal", "alert", "<svg", "<object", "<input", "style="} {
				if strings.Contains(p.HTML, bad) {
					t.Errorf("HTML keeps %q: %s", bad, p.HTML)
				}
			}
		}},
	"html-deceptive-link.eml": {subject: "Your account is limited", from: "service@paypa1.example", lang: "en",
		text: []string{"paypal.com (https://evil.example/login)", "Help: https://www.example.org/"},
		html: []string{`<a href="https://evil.example/login" rel="nofollow noopener noreferrer" target="_blank">paypal.com</a> [https://evil.example/login]`,
			`https://www.example.org/</a></p>`}},

	// Forwards.
	"fwd-phishing.eml": {subject: "Fwd: Urgent: verify your account", from: "claire@exemple.fr", lang: "fr", text: []string{"est-ce que c'est du phishing"},
		atts: []wantAtt{att("Urgent_ verify your account.eml", "message/rfc822", "text/plain", "")},
		check: func(t *testing.T, p *Parsed) {
			eq(t, "forwarded", len(p.Forwarded), 1)
			f := p.Forwarded[0]
			eq(t, "fwd subject", f.Subject, "Urgent: verify your account")
			eq(t, "fwd from", f.From.Addr, "security@paypa1-support.example")
			eq(t, "fwd html link", strings.Contains(f.HTML, "https://www.paypal.com/signin</a> [https://paypa1-support.example/login]"), true)
			eq(t, "fwd form removed", strings.Contains(f.HTML, "steal"), false)
			eq(t, "fwd attachments", len(f.Attachments), 1)
			a := f.Attachments[0]
			eq(t, "fwd attachment", [3]any{a.Filename, a.Suspicious, a.SuspiciousReason}, [3]any{"invoice.pdf.exe", true, "executable"})
			eq(t, "evidence starts with headers", strings.HasPrefix(string(p.Attachments[0].Data), "From: Security Team"), true)
		}},
	"fwd-nested-twice.eml": {subject: "Fwd: Fwd: Original threat", from: "editor@journal.example", lang: "en", text: []string{"Forwarding a threat"},
		atts: []wantAtt{att("Fwd_ Original threat.eml", "message/rfc822", "text/plain", "")},
		check: func(t *testing.T, p *Parsed) {
			eq(t, "forwarded", len(p.Forwarded), 1)
			mid := p.Forwarded[0]
			eq(t, "middle text", mid.Text, "Voir ci-dessous, je suis inquiète.")
			eq(t, "middle forwarded", len(mid.Forwarded), 1)
			eq(t, "middle evidence", mid.Attachments[0].Filename, "Original threat.eml")
			inner := mid.Forwarded[0]
			eq(t, "inner subject", inner.Subject, "Original threat")
			eq(t, "inner text", inner.Text, "We know where you live. Stop publishing.")
		}},

	// Automatic mail.
	"auto-submitted.eml": {subject: "Re: your ticket", from: "helpdesk@example.com", lang: "en", flags: "auto", text: []string{"ticket has been received"},
		check: reason("auto-submitted: auto-replied")},
	"precedence-bulk.eml": {subject: "Weekly digest", from: "news@newsletter.example", lang: "en", flags: "auto", text: []string{"ten tips"},
		check: reason("precedence: bulk")},
	"x-autoreply.eml": {subject: "Autoreply: Need help", from: "someone@example.net", lang: "en", flags: "auto", text: []string{"travelling"},
		check: reason("x-autoreply")},
	"out-of-office.eml": {subject: "Réponse automatique : Votre demande", from: "nadia.karim@ngo.example", lang: "fr", flags: "auto",
		text: []string{"absente du bureau"}, check: reason("x-auto-response-suppress: all")},
	"bounce-dsn.eml": {subject: "Undelivered Mail Returned to Sender", from: "MAILER-DAEMON@mx.example.org", lang: "en", flags: "auto",
		text: []string{"could not be delivered"},
		atts: []wantAtt{att("attachment-1", "message/delivery-status", "text/plain", ""), att("Your case.eml", "message/rfc822", "text/plain", "")},
		check: func(t *testing.T, p *Parsed) {
			reason("empty return path")(t, p)
			eq(t, "returned message", p.Forwarded[0].MessageID, "sent-1@helpline.example")
		}},
	"mailing-list.eml": {subject: "[seclist] New advisory", from: "list@lists.example", flags: "auto", text: []string{"advisory was published"},
		check: reason("precedence: list")},

	// Attachments.
	"att-exe.eml":        {subject: "Files exe", from: "sender@example.org", lang: "en", text: []string{attBody}, atts: []wantAtt{att("setup.exe", "application/octet-stream", "application/x-msdownload", "executable")}},
	"att-double-ext.eml": {subject: "Files dbl", from: "sender@example.org", lang: "en", text: []string{attBody}, atts: []wantAtt{att("invoice.pdf.exe", "application/pdf", "application/x-msdownload", "executable")}},
	"att-docm.eml": {subject: "Files docm", from: "sender@example.org", lang: "en", text: []string{attBody},
		atts: []wantAtt{att("report.docm", "application/vnd.ms-word.document.macroenabled.12", "application/zip", "macro document")}},
	"att-ole-doc.eml":        {subject: "Files ole", from: "sender@example.org", lang: "en", text: []string{attBody}, atts: []wantAtt{att("contract.doc", "application/msword", "application/x-ole-storage", "macro document")}},
	"att-zip.eml":            {subject: "Files zip", from: "sender@example.org", lang: "en", text: []string{attBody}, atts: []wantAtt{att("photos.zip", "application/zip", "application/zip", "archive")}},
	"att-pdf-really-pe.eml":  {subject: "Files pdfpe", from: "sender@example.org", lang: "en", text: []string{attBody}, atts: []wantAtt{att("document.pdf", "application/pdf", "application/x-msdownload", "type mismatch")}},
	"att-jpeg-really-pe.eml": {subject: "Files jpgpe", from: "sender@example.org", lang: "en", text: []string{attBody}, atts: []wantAtt{att("photo", "image/jpeg", "application/x-msdownload", "type mismatch")}},
	"att-pdf-genuine.eml":    {subject: "Files pdf", from: "sender@example.org", lang: "en", text: []string{attBody}, atts: []wantAtt{att("report.pdf", "application/pdf", "application/pdf", "")}},
	"att-png.eml":            {subject: "Files png", from: "sender@example.org", lang: "en", text: []string{attBody}, atts: []wantAtt{att("screenshot.png", "image/png", "image/png", "")}},
	"att-ics.eml":            {subject: "Files ics", from: "sender@example.org", lang: "en", text: []string{attBody}, atts: []wantAtt{att("invite.ics", "text/calendar", "text/plain", "")}},
	"att-docx-vba.eml":       {subject: "Files docx", from: "sender@example.org", lang: "en", text: []string{attBody}, atts: []wantAtt{att("report.docx", docxType, "application/zip", "macro document")}},
	"att-docx-clean.eml":     {subject: "Files docxok", from: "sender@example.org", lang: "en", text: []string{attBody}, atts: []wantAtt{att("letter.docx", docxType, "application/zip", "")}},
	"att-path-filename.eml":  {subject: "Files path", from: "sender@example.org", lang: "en", text: []string{attBody}, atts: []wantAtt{att("evil.bat", "application/octet-stream", "text/plain", "executable")}},
	"pgp-inline.eml":         {subject: "encrypted", from: "rami@example.org", flags: "encrypted", text: []string{pgpMessage}},
	"pgp-inline-signed.eml":  {subject: "clearsigned", from: "rami@example.org", flags: "signed", text: []string{pgpSigned, "Meet at the usual place."}},
	"pgp-signed.eml":         {subject: "signed", from: "rami@example.org", lang: "en", flags: "signed", text: []string{"signed so you know"}, atts: []wantAtt{att("signature.asc", "application/pgp-signature", "text/plain", "")}},
	"pgp-mime-encrypted.eml": {subject: "...", from: "rami@example.org", flags: "encrypted",
		atts: []wantAtt{att("attachment-1", "application/pgp-encrypted", "text/plain", ""),
			{name: "encrypted.asc", ctype: "application/octet-stream", sniffed: "text/plain", inline: true}}},
}

const docxType = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"

func reason(r string) func(*testing.T, *Parsed) {
	return func(t *testing.T, p *Parsed) { eq(t, "auto-reply reason", p.AutoReplyReason, r) }
}

func eq[T any](t *testing.T, what string, got, want T) {
	t.Helper()
	if !reflect.DeepEqual(got, want) {
		t.Errorf("%s = %#v, want %#v", what, got, want)
	}
}

func TestCorpus(t *testing.T) {
	names, err := filepath.Glob(filepath.Join(corpusDir, "*.eml"))
	if err != nil || len(names) < 45 {
		t.Fatalf("corpus has %d files (err %v), want at least 45", len(names), err)
	}
	for _, path := range names {
		name := filepath.Base(path)
		t.Run(name, func(t *testing.T) {
			w, ok := corpus[name]
			if !ok {
				t.Fatalf("no expectation for %s", name)
			}
			raw, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			p := Parse(raw)
			checkWant(t, p, w)
			checkInvariants(t, p)
			checkSafeHTML(t, "SanitizeHTML(raw)", SanitizeHTML(string(raw)))
		})
	}
	for name := range corpus {
		if _, err := os.Stat(filepath.Join(corpusDir, name)); err != nil {
			t.Errorf("expectation for missing file %s", name)
		}
	}
}

func checkWant(t *testing.T, p *Parsed, w want) {
	t.Helper()
	eq(t, "subject", p.Subject, w.subject)
	eq(t, "from", p.From.Addr, w.from)
	eq(t, "language", p.Language, w.lang)
	eq(t, "flags", flagsOf(p), w.flags)
	for _, s := range w.text {
		if !strings.Contains(p.Text, s) {
			t.Errorf("Text lacks %q:\n%s", s, p.Text)
		}
	}
	for _, s := range w.notText {
		if strings.Contains(p.Text, s) {
			t.Errorf("Text has %q:\n%s", s, p.Text)
		}
	}
	for _, s := range w.html {
		if !strings.Contains(p.HTML, s) {
			t.Errorf("HTML lacks %q:\n%s", s, p.HTML)
		}
	}
	eq(t, "attachment count", len(p.Attachments), len(w.atts))
	for i, a := range p.Attachments[:min(len(p.Attachments), len(w.atts))] {
		got := wantAtt{a.Filename, a.ContentType, a.Sniffed, a.SuspiciousReason, a.Inline}
		eq(t, "attachment", got, w.atts[i])
		eq(t, "suspicious", a.Suspicious, w.atts[i].reason != "")
		eq(t, "sha256", a.SHA256, sha256Hex(a.Data))
	}
	if w.check != nil {
		w.check(t, p)
	}
}

func flagsOf(p *Parsed) string {
	var f []string
	for _, x := range []struct {
		on   bool
		name string
	}{{p.Unparsed, "unparsed"}, {p.CharsetFallback, "fallback"}, {p.Encrypted, "encrypted"}, {p.Signed, "signed"}, {p.AutoReply, "auto"}} {
		if x.on {
			f = append(f, x.name)
		}
	}
	return strings.Join(f, " ")
}

// checkInvariants holds for every message, forwarded ones included.
func checkInvariants(t *testing.T, p *Parsed) {
	t.Helper()
	if p.recovered != "" {
		t.Errorf("Parse recovered from a panic: %s", p.recovered)
	}
	if DedupeKey(p) == "" || len(p.ContentHash) != 64 {
		t.Errorf("no dedupe key: %q", DedupeKey(p))
	}
	for what, s := range map[string]string{"Text": p.Text, "HTML": p.HTML, "Subject": p.Subject, "From": p.From.Name + p.From.Addr} {
		if !utf8.ValidString(s) || strings.ContainsRune(s, 0) {
			t.Errorf("%s is not clean UTF-8: %q", what, s)
		}
	}
	if p.AutoReply != (p.AutoReplyReason != "") {
		t.Errorf("AutoReply %v with reason %q", p.AutoReply, p.AutoReplyReason)
	}
	checkSafeHTML(t, "HTML", p.HTML)
	for _, f := range p.Forwarded {
		checkInvariants(t, f)
	}
}

var remoteImg = regexp.MustCompile(`(?i)<img[^>]*src\s*=\s*["']?\s*https?:`)

func checkSafeHTML(t *testing.T, what, s string) {
	t.Helper()
	lower := strings.ToLower(s)
	for _, bad := range []string{"<script", "javascript:", "onerror", "onload", "<iframe", "<form", "<style"} {
		if strings.Contains(lower, bad) {
			t.Errorf("%s contains %q: %s", what, bad, s)
		}
	}
	if remoteImg.MatchString(s) {
		t.Errorf("%s loads a remote image: %s", what, s)
	}
}
