package email

import (
	"strings"
	"testing"
)

// typicalMessage is a ~5 KB multipart/alternative message in French, the
// shape of most requests the helpline receives.
func typicalMessage() []byte {
	para := "Bonjour, je suis journaliste indépendante et depuis hier je reçois des messages étranges sur mon téléphone. " +
		"Mon compte de messagerie a été utilisé pour envoyer des courriels à mes sources, et je ne sais pas quoi faire. "
	text := strings.Repeat(para, 10)
	html := "<html><body><div dir=\"ltr\"><p>" + strings.Repeat(para+"</p><p>", 5) +
		`Voir <a href="https://example.org/guide">le guide</a>.</p></div></body></html>`
	return crlf(hdr("Claire Dupont <claire@exemple.fr>", "=?utf-8?q?Compte_pirat=C3=A9?=", "bench-1@exemple.fr") +
		"Content-Type: multipart/alternative; boundary=\"000000000000bench\"\n\n" +
		"--000000000000bench\nContent-Type: text/plain; charset=\"UTF-8\"\nContent-Transfer-Encoding: quoted-printable\n\n" + qp([]byte(text)) +
		"--000000000000bench\nContent-Type: text/html; charset=\"UTF-8\"\nContent-Transfer-Encoding: quoted-printable\n\n" + qp([]byte(html)) +
		"--000000000000bench--\n")
}

func BenchmarkParse5KB(b *testing.B) {
	raw := typicalMessage()
	if n := len(raw); n < 4500 || n > 6000 {
		b.Fatalf("message is %d bytes, want about 5 KB", n)
	}
	b.SetBytes(int64(len(raw)))
	b.ReportAllocs()
	for b.Loop() {
		if p := Parse(raw); p.Language != "fr" || p.HTML == "" {
			b.Fatalf("unexpected parse: %q %q", p.Language, p.Subject)
		}
	}
}
