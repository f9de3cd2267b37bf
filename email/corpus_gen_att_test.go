package email

const phishBody = "From: Security Team <security@paypa1-support.example>\nTo: victim@example.org\n" +
	"Subject: Urgent: verify your account\nDate: Sun, 4 Jan 2026 22:00:00 +0000\nMessage-ID: <phish-2@paypa1-support.example>\n" +
	"MIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=\"inner\"\n\n--inner\nContent-Type: text/html; charset=utf-8\n\n" +
	`<p>Your account will be closed. <a href="https://paypa1-support.example/login">https://www.paypal.com/signin</a></p>` +
	`<form action="https://paypa1-support.example/steal"><input name="pw"></form>` + "\n" +
	"--inner\nContent-Type: application/pdf; name=\"invoice.pdf.exe\"\nContent-Disposition: attachment; filename=\"invoice.pdf.exe\"\n" +
	"Content-Transfer-Encoding: base64\n\n"

func corpusForwards(f map[string][]byte) {
	f["fwd-phishing.eml"] = crlf(hdr("Claire <claire@exemple.fr>", "Fwd: Urgent: verify your account", "fwd-1@exemple.fr") +
		"Content-Type: multipart/mixed; boundary=\"outer\"\n\n--outer\nContent-Type: text/plain; charset=utf-8\n\n" +
		"Bonjour, j'ai reçu ce message suspect, est-ce que c'est du phishing ? Je n'ai pas cliqué sur le lien.\n" +
		"--outer\nContent-Type: message/rfc822\nContent-Disposition: attachment\n\n" + phishBody + b64(fakePE) + "--inner--\n" +
		"--outer--\n")

	threat := "From: unknown@threat.example\nTo: julie@exemple.fr\nSubject: Original threat\nDate: Sat, 3 Jan 2026 01:00:00 +0000\n" +
		"Message-ID: <threat-1@threat.example>\n\nWe know where you live. Stop publishing.\n"
	middle := "From: Julie <julie@exemple.fr>\nTo: editor@journal.example\nSubject: Fwd: Original threat\n" +
		"Date: Sat, 3 Jan 2026 09:00:00 +0100\nMessage-ID: <fwd-mid@exemple.fr>\nMIME-Version: 1.0\n" +
		"Content-Type: multipart/mixed; boundary=\"m\"\n\n--m\nContent-Type: text/plain; charset=utf-8\n\nVoir ci-dessous, je suis inquiète.\n" +
		"--m\nContent-Type: message/rfc822\n\n" + threat + "--m--\n"
	f["fwd-nested-twice.eml"] = crlf(hdr("Editor <editor@journal.example>", "Fwd: Fwd: Original threat", "fwd-2@journal.example") +
		"Content-Type: multipart/mixed; boundary=\"o\"\n\n--o\nContent-Type: text/plain; charset=utf-8\n\nForwarding a threat one of our journalists received.\n" +
		"--o\nContent-Type: message/rfc822\n\n" + middle + "--o--\n")
}

func corpusAuto(f map[string][]byte) {
	f["auto-submitted.eml"] = crlf(hdr("helpdesk@example.com", "Re: your ticket", "auto-1@example.com") +
		"Auto-Submitted: auto-replied\n\nThank you, your ticket has been received and will be handled shortly.\n")
	f["precedence-bulk.eml"] = crlf(hdr("news@newsletter.example", "Weekly digest", "bulk-1@newsletter.example") +
		"Precedence: bulk\n\nThis week in digital security: ten tips to keep your accounts safe.\n")
	f["x-autoreply.eml"] = crlf(hdr("someone@example.net", "Autoreply: Need help", "xar-1@example.net") +
		"X-Autoreply: yes\n\nI am currently travelling with limited access to email.\n")
	f["out-of-office.eml"] = crlf(hdr("Nadia Karim <nadia.karim@ngo.example>", "Réponse automatique : Votre demande", "oof-1@ngo.example") +
		"Thread-Topic: Votre demande\nThread-Index: AQHaB2x3k4l5m6n7o8p9==\nX-Auto-Response-Suppress: All\n" +
		"Content-Type: text/plain; charset=utf-8\n\nJe suis absente du bureau jusqu'au 12 janvier avec un accès limité à mes messages. Merci.\n")
	f["bounce-dsn.eml"] = crlf("Return-Path: <>\nFrom: Mail Delivery Subsystem <MAILER-DAEMON@mx.example.org>\nTo: help@helpline.example\n" +
		"Subject: Undelivered Mail Returned to Sender\nDate: Mon, 5 Jan 2026 10:05:00 +0000\nMessage-ID: <dsn-1@mx.example.org>\nMIME-Version: 1.0\n" +
		"Content-Type: multipart/report; report-type=delivery-status; boundary=\"dsn\"\n\n" +
		"--dsn\nContent-Type: text/plain; charset=us-ascii\n\nThis is the mail system at host mx.example.org. Your message could not be delivered.\n" +
		"--dsn\nContent-Type: message/delivery-status\n\nReporting-MTA: dns; mx.example.org\n\nFinal-Recipient: rfc822; gone@example.org\nAction: failed\nStatus: 5.1.1\n" +
		"--dsn\nContent-Type: message/rfc822\n\nFrom: help@helpline.example\nTo: gone@example.org\nSubject: Your case\nMessage-ID: <sent-1@helpline.example>\n\nHello.\n" +
		"--dsn--\n")
	f["mailing-list.eml"] = crlf(hdr("Security List <list@lists.example>", "[seclist] New advisory", "list-1@lists.example") +
		"Precedence: list\nList-Id: <seclist.lists.example>\nList-Unsubscribe: <mailto:leave@lists.example>\n\nA new advisory was published today.\n")
}

func corpusAttachments(f map[string][]byte) {
	head := func(id string) string { return hdr("Sender <sender@example.org>", "Files "+id, id+"@example.org") }
	body := "Please find the file attached."
	f["att-exe.eml"] = withAttachment(head("exe"), body, "application/octet-stream; name=\"setup.exe\"", "attachment; filename=\"setup.exe\"", fakePE)
	f["att-double-ext.eml"] = withAttachment(head("dbl"), body, "application/pdf", "attachment; filename=\"invoice.pdf.exe\"", fakePE)
	f["att-docm.eml"] = withAttachment(head("docm"), body, "application/vnd.ms-word.document.macroEnabled.12",
		"attachment; filename=\"report.docm\"", zipOf("[Content_Types].xml", "word/document.xml", "word/vbaProject.bin"))
	f["att-ole-doc.eml"] = withAttachment(head("ole"), body, "application/msword", "attachment; filename=\"contract.doc\"", fakeOLE)
	f["att-zip.eml"] = withAttachment(head("zip"), body, "application/zip", "attachment; filename=\"photos.zip\"", zipOf("a.jpg", "b.jpg"))
	f["att-pdf-really-pe.eml"] = withAttachment(head("pdfpe"), body, "application/pdf", "attachment; filename=\"document.pdf\"", fakePE)
	f["att-pdf-genuine.eml"] = withAttachment(head("pdf"), body, "application/pdf", "attachment; filename=\"report.pdf\"", tinyPDF)
	f["att-png.eml"] = withAttachment(head("png"), body, "image/png", "attachment; filename=\"screenshot.png\"", tinyPNG)
	f["att-jpeg-really-pe.eml"] = withAttachment(head("jpgpe"), body, "image/jpeg", "attachment; filename=\"photo\"", fakePE)
	f["att-ics.eml"] = withAttachment(head("ics"), body, "text/calendar; method=REQUEST; charset=utf-8", "attachment; filename=\"invite.ics\"",
		[]byte("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nSUMMARY:Security training\r\nDTSTART:20260110T100000Z\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"))
	f["att-docx-vba.eml"] = withAttachment(head("docx"), body, "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
		"attachment; filename=\"report.docx\"", zipOf("[Content_Types].xml", "word/document.xml", "word/vbaProject.bin"))
	f["att-docx-clean.eml"] = withAttachment(head("docxok"), body, "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
		"attachment; filename=\"letter.docx\"", zipOf("[Content_Types].xml", "word/document.xml"))
	f["att-path-filename.eml"] = withAttachment(head("path"), body, "application/octet-stream",
		"attachment; filename=\"C:\\\\Users\\\\x\\\\..\\\\evil.bat\"", []byte("@echo off\r\ndel /q *\r\n"))
}

func corpusCrypto(f map[string][]byte) {
	armored := "-----BEGIN PGP MESSAGE-----\n\nhQEMA1234567890ABAQf/fake+ciphertext+for+tests\n=abcd\n-----END PGP MESSAGE-----\n"
	f["pgp-inline.eml"] = crlf(hdr("Rami <rami@example.org>", "encrypted", "pgp-1@example.org") +
		"Content-Type: text/plain; charset=utf-8\n\n" + armored)
	f["pgp-mime-encrypted.eml"] = crlf(hdr("Rami <rami@example.org>", "...", "pgp-2@example.org") +
		"Content-Type: multipart/encrypted; protocol=\"application/pgp-encrypted\"; boundary=\"enc\"\n\n" +
		"This is an OpenPGP/MIME encrypted message (RFC 4880 and 3156)\n--enc\nContent-Type: application/pgp-encrypted\n" +
		"Content-Description: PGP/MIME version identification\n\nVersion: 1\n\n--enc\nContent-Type: application/octet-stream; name=\"encrypted.asc\"\n" +
		"Content-Description: OpenPGP encrypted message\nContent-Disposition: inline; filename=\"encrypted.asc\"\n\n" + armored + "\n--enc--\n")
	f["pgp-signed.eml"] = crlf(hdr("Rami <rami@example.org>", "signed", "pgp-3@example.org") +
		"Content-Type: multipart/signed; micalg=pgp-sha256; protocol=\"application/pgp-signature\"; boundary=\"sig\"\n\n" +
		"--sig\nContent-Type: text/plain; charset=utf-8\n\nThis message is signed so you know it is me.\n" +
		"--sig\nContent-Type: application/pgp-signature; name=\"signature.asc\"\nContent-Disposition: attachment; filename=\"signature.asc\"\n\n" +
		"-----BEGIN PGP SIGNATURE-----\n\niQEzBAEBCAAdFiEEfake\n=wxyz\n-----END PGP SIGNATURE-----\n--sig--\n")
	f["pgp-inline-signed.eml"] = crlf(hdr("Rami <rami@example.org>", "clearsigned", "pgp-4@example.org") +
		"Content-Type: text/plain; charset=utf-8\n\n-----BEGIN PGP SIGNED MESSAGE-----\nHash: SHA256\n\nMeet at the usual place.\n" +
		"-----BEGIN PGP SIGNATURE-----\n\niQEzBAEBCAAdFiEEfake\n=wxyz\n-----END PGP SIGNATURE-----\n")
}
