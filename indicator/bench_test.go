package indicator

import (
	"strings"
	"testing"
)

// benchMessage is about 5 KB of what a helpline receives: prose in three languages with a few
// links, addresses, a phone number and a hash, as text or as HTML.
func benchMessage(html bool) string {
	para := []string{
		"Hello, my account was taken over yesterday after I clicked a link that looked like my bank. ",
		"The message came from security-alert@account-verify.com and pointed to hxxps://account-verify[.]com/login?session=8f3a. ",
		"مرحباً، تلقيت رسالة تطلب مني تحديث كلمة المرور، والرابط كان غريباً. رقمي ‎+961 71 234 567. ",
		"Bonjour, j'ai reçu un SMS avec un lien https://bit.ly/3AbCdEf et depuis mon téléphone est lent. ",
		"The attachment hash was 44d88612fea8a8f36de82e1278abb02f and it connected to 185.220.101.4. ",
		"Please help, I am a journalist and I am worried my sources are exposed. ",
	}
	var b strings.Builder
	for i := 0; b.Len() < 5000; i++ {
		p := para[i%len(para)]
		if html {
			b.WriteString(`<p style="margin:0">` + p + `<a href="https://link-tracker.net/r?u=` + strings.Repeat("x", i%7) + `">here</a></p>`)
		} else {
			b.WriteString(p)
		}
	}
	return b.String()
}

// BenchmarkExtract: messages per second on one core, text and HTML (target ≥ 2,000/s).
func BenchmarkExtract(b *testing.B) {
	e := New(Options{Allow: []string{"gmail.com", "helpline.org"}})
	for _, kind := range []string{"text", "html"} {
		msg := benchMessage(kind == "html")
		b.Run(kind, func(b *testing.B) {
			b.SetBytes(int64(len(msg)))
			b.ReportAllocs()
			for b.Loop() {
				if kind == "html" {
					e.HTML(msg)
				} else {
					e.Text(msg)
				}
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "msgs/s")
		})
	}
}
