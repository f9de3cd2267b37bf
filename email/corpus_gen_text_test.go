package email

import (
	"fmt"
	"strings"

	"golang.org/x/text/encoding/charmap"
)

// pct percent-encodes every byte, as RFC 2231 values do.
func pct(raw []byte) string {
	var b strings.Builder
	for _, c := range raw {
		fmt.Fprintf(&b, "%%%02X", c)
	}
	return b.String()
}

// Texts reused by the corpus and its expectations.
const (
	textFR  = "Bonjour, je suis journaliste et mon compte a été piraté hier soir. Je ne peux plus accéder à ma messagerie. Merci de votre aide très rapide."
	textES  = "Hola, soy periodista en México y necesito ayuda urgente. Mi cuenta de correo fue bloqueada y no puedo entrar. Creo que alguien tiene mi contraseña. Gracias."
	textPT  = "Olá, eu sou ativista e preciso de ajuda. Minha conta foi invadida e não consigo mais entrar. Você pode me ajudar? Muito obrigada."
	textRU1 = "Здравствуйте! Мой аккаунт в Телеграме взломали, и я не могу войти. Пожалуйста, помогите мне."
	textRU2 = "Добрый день. Я журналист, мне угрожают и, кажется, следят за моим телефоном."
	textAR1 = "مرحبا، أنا صحفية وأعتقد أن هاتفي مخترق. أرجو المساعدة في أسرع وقت ممكن."
	textAR2 = "السلام عليكم، تم اختراق حسابي على فيسبوك وأحتاج إلى مساعدة عاجلة."
	textAR3 = "أحتاج مساعدة بخصوص رسائل تهديد وصلتني على البريد الإلكتروني"
	textEN  = "Hello, I think my phone has been hacked. Please can you help me? The battery drains fast and I see messages I did not send."
)

func corpusLanguages(f map[string][]byte) {
	f["plain-ascii.eml"] = crlf("Return-Path: <amal@example.org>\n" +
		"Received: from mx.example.org by helpline.example; Mon, 5 Jan 2026 10:00:00 +0000\n" +
		hdr("Amal Haddad <amal@Example.ORG>", "Need help with my phone", "plain-1@example.org") +
		"Content-Type: text/plain; charset=us-ascii\nContent-Transfer-Encoding: 7bit\n\n" + textEN + "\n")

	f["fr-utf8-qp.eml"] = crlf(hdr("Claire <claire@exemple.fr>", "Compte piraté", "fr-1@exemple.fr") +
		"Content-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: quoted-printable\n\n" + qp([]byte(textFR)))

	// LF line endings on purpose: many exported messages use them.
	f["es-utf8.eml"] = []byte(hdr("Lucía <lucia@ejemplo.mx>", "Cuenta bloqueada", "es-1@ejemplo.mx") +
		"Content-Type: text/plain; charset=UTF-8\nContent-Transfer-Encoding: 8bit\n\n" + textES + "\n")

	f["pt-utf8-b64.eml"] = crlf(hdr("Ana <ana@exemplo.br>", "Conta invadida", "pt-1@exemplo.br") +
		"Content-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: base64\n\n" + b64([]byte(textPT)))

	f["ru-koi8r.eml"] = crlf(hdr("Ivan <ivan@example.ru>", wordB("koi8-r", enc(charmap.KOI8R, "Помогите, взлом аккаунта")), "ru-1@example.ru") +
		"Content-Type: text/plain; charset=koi8-r\nContent-Transfer-Encoding: 8bit\n\n" + string(enc(charmap.KOI8R, textRU1)) + "\n")

	f["ru-cp1251.eml"] = crlf(hdr("Olga <olga@example.ru>", wordQ("windows-1251", enc(charmap.Windows1251, "Угрозы")), "ru-2@example.ru") +
		"Content-Type: text/plain; charset=windows-1251\nContent-Transfer-Encoding: quoted-printable\n\n" + qp(enc(charmap.Windows1251, textRU2)))

	f["ar-utf8.eml"] = crlf(hdr("Leila <leila@example.org>", wordB("UTF-8", []byte("هاتفي مخترق")), "ar-1@example.org") +
		"Content-Type: text/plain; charset=UTF-8\nContent-Transfer-Encoding: 8bit\n\n" + textAR1 + "\n")

	f["ar-cp1256.eml"] = crlf(hdr("Omar <omar@example.org>", wordB("windows-1256", enc(charmap.Windows1256, "حساب مخترق")), "ar-2@example.org") +
		"Content-Type: text/plain; charset=\"windows-1256\"\nContent-Transfer-Encoding: 8bit\n\n" + string(enc(charmap.Windows1256, textAR2)) + "\n")

	f["ar-iso8859-6.eml"] = crlf(hdr("Samir <samir@example.org>", "Threats", "ar-3@example.org") +
		"Content-Type: text/plain; charset=ISO-8859-6\nContent-Transfer-Encoding: quoted-printable\n\n" + qp(enc(charmap.ISO8859_6, textAR3)))

	f["fr-iso8859-15.eml"] = crlf(hdr("Marc <marc@exemple.fr>", "Paiement", "fr-2@exemple.fr") +
		"Content-Type: text/plain; charset=iso-8859-15\nContent-Transfer-Encoding: 8bit\n\n" +
		string(enc(charmap.ISO8859_15, "Bonjour, le paiement de 50 € pour mon abonnement a été refusé et je ne sais pas pourquoi. Merci.")) + "\n")

	f["html-only-meta-charset.eml"] = crlf(hdr("Pavel <pavel@example.ru>", "Vopros", "ru-3@example.ru") +
		"Content-Type: text/html\nContent-Transfer-Encoding: 8bit\n\n" +
		"<html><head><meta http-equiv=\"Content-Type\" content=\"text/html; charset=windows-1251\"></head><body><p>" +
		string(enc(charmap.Windows1251, textRU2)) + "</p></body></html>\n")

	f["headerless-arabic.eml"] = []byte(textAR1 + "\n" + textAR2 + "\n")
}

func corpusHeaders(f map[string][]byte) {
	f["subject-ar-b.eml"] = crlf("From: " + wordB("UTF-8", []byte("نور")) + " <nour@example.org>\nTo: help@helpline.example\n" +
		"Subject: " + wordB("UTF-8", []byte("طلب مساعدة عاجل")) + "\nDate: Tue, 6 Jan 2026 08:00:00 +0300\nMessage-ID: <ar-4@example.org>\n" +
		"MIME-Version: 1.0\nContent-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: quoted-printable\n\n" + qp([]byte(textAR3)))

	f["subject-fr-q.eml"] = crlf("From: " + wordQ("utf-8", []byte("Hélène Dupré")) + " <helene@Exemple.FR>\nTo: help@helpline.example\n" +
		"Subject: " + wordQ("ISO-8859-1", enc(charmap.ISO8859_1, "Problème de sécurité sur mon téléphone")) +
		"\nDate: Tue, 6 Jan 2026 08:00:00 +0100\nMessage-ID: <fr-3@exemple.fr>\nMIME-Version: 1.0\n" +
		"Content-Type: text/plain; charset=iso-8859-1\nContent-Transfer-Encoding: 8bit\n\n" + string(enc(charmap.ISO8859_1, textFR)) + "\n")

	f["subject-mixed.eml"] = crlf("From: " + wordQ("windows-1256", enc(charmap.Windows1256, "سارة")) + " <sara@example.org>\n" +
		"To: help@helpline.example, " + wordB("koi8-r", enc(charmap.KOI8R, "Дежурный")) + " <duty@helpline.example>\n" +
		"Subject: Re: " + wordB("UTF-8", []byte("طلب مساعدة")) + " / " + wordQ("ISO-8859-1", []byte("caf\xe9")) + " /\n " +
		wordB("windows-1256", enc(charmap.Windows1256, "عاجل")) + " [HV-2026-000123]\n" +
		"Date: Tue, 6 Jan 2026 08:00:00 +0000\nMessage-ID: <mixed-1@example.org>\nMIME-Version: 1.0\n" +
		"Content-Type: text/plain; charset=utf-8\n\n" + textAR1 + "\n")

	f["rfc2231-ar-filename.eml"] = crlf(hdr("Huda <huda@example.org>", "Report", "2231-1@example.org") +
		"Content-Type: multipart/mixed; boundary=\"xyz\"\n\n--xyz\nContent-Type: text/plain; charset=utf-8\n\n" + textAR1 + "\n" +
		"--xyz\nContent-Type: application/pdf\nContent-Disposition: attachment;\n filename*=UTF-8''%D8%AA%D9%82%D8%B1%D9%8A%D8%B1.pdf\n" +
		"Content-Transfer-Encoding: base64\n\n" + b64(tinyPDF) +
		"--xyz\nContent-Type: image/jpeg\nContent-Disposition: attachment;\n filename*0*=windows-1256''" + pct(enc(charmap.Windows1256, "صورة")) + ";\n filename*1=\".jpg\"\n" +
		"Content-Transfer-Encoding: base64\n\n" + b64(tinyJPEG) + "--xyz--\n")

	f["rfc2047-filename.eml"] = crlf(hdr("Pavel <pavel@example.ru>", "Dogovor", "2047-1@example.ru") +
		"Content-Type: multipart/mixed; boundary=\"q\"\n\n--q\nContent-Type: text/plain; charset=utf-8\n\n" + textRU2 + "\n" +
		"--q\nContent-Type: application/pdf; name=\"" + wordB("UTF-8", []byte("Договор.pdf")) + "\"\n" +
		"Content-Disposition: attachment; filename=\"" + wordB("UTF-8", []byte("Договор.pdf")) + "\"\n" +
		"Content-Transfer-Encoding: base64\n\n" + b64(tinyPDF) + "--q--\n")

	f["reply-case-number.eml"] = crlf("From: Claire <claire@exemple.fr>\nTo: help@helpline.example\n" +
		"Subject: RE : Re: [HV-2026-000042] Votre demande\nDate: Wed, 7 Jan 2026 09:00:00 +0100\n" +
		"Message-ID: <reply-42@exemple.fr>\nIn-Reply-To: <case-42-ack@helpline.example>\n" +
		"References: <orig-42@exemple.fr>\n <case-42-ack@helpline.example>\nMIME-Version: 1.0\n" +
		"Content-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: 8bit\n\n" +
		"Merci pour votre réponse, je vous envoie les captures d'écran demain. Je suis toujours inquiète pour mon compte.\n\n" +
		"Le 6 janv. 2026, Helpline a écrit :\n> Thank you for contacting the helpline, we have opened case HV-2026-000042.\n> Please do not reply to the attacker.\n")

	f["no-message-id.eml"] = crlf("From: anon@example.net\nTo: help@helpline.example\nSubject: no id\n" +
		"Date: Wed, 7 Jan 2026 09:00:00 +0000\n\nThis message has no Message-ID header so the content hash must identify it.\n")

	f["missing-content-type.eml"] = []byte("From: Bob <bob@example.com>\nTo: help@helpline.example\nSubject: old mailer\n" +
		"Date: 7 Jan 2026 09:00:00 GMT\nMessage-ID: <old-1@example.com>\n\nNo MIME headers here, just plain text that should be read as us-ascii.\n")

	f["mbox-from-line.eml"] = crlf("From sender@example.org Mon Jan  5 10:00:00 2026\n" +
		hdr("sender@example.org", "Exported from mbox", "mbox-1@example.org") + "\nThe first line is an mbox separator, not a header.\n")
}
