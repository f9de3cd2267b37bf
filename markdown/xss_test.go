package markdown

import (
	"strings"
	"testing"
)

// xssPayloads are Markdown and raw-HTML attacks; none may survive rendering in a form that runs.
var xssPayloads = []string{
	"<script>alert(1)</script>",
	"text <script>alert(1)</script> text",
	"<SCRIPT SRC=//evil.example/x.js></SCRIPT>",
	"<<script>script>alert(1)<</script>/script>",
	"<img src=x onerror=alert(1)>",
	"para <img src=x onerror=alert(1)> inline",
	"[x](javascript:alert(1))",
	"[x](JaVaScRiPt:alert(1))",
	"[x](<javascript:alert(1)>)",
	"[x](javascript&colon;alert(1))",
	"[x](&#106;avascript:alert(1))",
	"[x](&#x6A;&#x61;&#x76;&#x61;&#x73;&#x63;&#x72;&#x69;&#x70;&#x74;&#x3A;alert(1))",
	"[x](%6A%61vascript:alert(1))",
	"[x](javascript://%0Aalert(1))",
	"[x](javascript\\:alert(1))",
	"[x](java&#x73;cript&#58;alert(1))",
	"[x](vbscript:msgbox(1))",
	"[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
	"[x][r]\n\n[r]: javascript:alert(1)",
	"<javascript:alert(1)>",
	"<a href=\"javascript:alert(1)\">x</a>",
	"<a href=\"data:text/html,<script>alert(1)</script>\">x</a>",
	"<a href=\"&#106;avascript:alert(1)\">x</a>",
	"![x](javascript:alert(1))",
	"![x\" onerror=\"alert(1)](https://evil.example/x.png)",
	"[a](https://x.example/\" onmouseover=\"alert(1))",
	"[a](https://x.example \"t\\\" onmouseover=\\\"alert(1)\")",
	"<https://x.example/\"onmouseover=\"alert(1)>",
	"www.example.org/<script>alert(1)</script>",
	"<svg onload=alert(1)>",
	"<svg><script>alert(1)</script></svg>",
	"<iframe src=\"https://evil.example\"></iframe>",
	"<iframe srcdoc=\"<script>alert(1)</script>\"></iframe>",
	"<p style=\"background:url(javascript:alert(1))\">x</p>",
	"<style>@import 'https://evil.example/x.css';</style>",
	"<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
	"<math href=\"javascript:alert(1)\">x</math>",
	"<math><maction actiontype=statusline xlink:href=javascript:alert(1)>x</maction></math>",
	"<object data=\"https://evil.example/x.swf\"></object>",
	"<embed src=\"https://evil.example/x.swf\">",
	"<form action=\"javascript:alert(1)\"><input type=submit></form>",
	"<details open ontoggle=alert(1)>x</details>",
	"<base href=\"https://evil.example/\">",
	"<meta http-equiv=\"refresh\" content=\"0;url=javascript:alert(1)\">",
	"<link rel=stylesheet href=\"https://evil.example/x.css\">",
	"<!--<script>alert(1)</script>-->",
	"<div>\n<script>alert(1)</script>\n</div>",
	"> <script>alert(1)</script>",
	"- <img src=x onerror=alert(1)>",
	"| a |\n|---|\n| <img src=x onerror=alert(1)> |",
	"\\<script>alert(1)\\</script>",
	"`<script>` and ```<iframe>```",
}

func TestHTMLXSS(t *testing.T) {
	r := New()
	for _, src := range xssPayloads {
		t.Run(src, func(t *testing.T) {
			got, err := r.HTML(src)
			if err != nil {
				t.Fatal(err)
			}
			if problem := unsafeOutput(got); problem != "" {
				t.Errorf("HTML(%q) = %q: %s", src, got, problem)
			}
			if strings.Contains(got, "javascript:") && strings.Contains(got, "href") {
				t.Errorf("HTML(%q) = %q: a javascript: URL next to an href", src, got)
			}
		})
	}
}

// Text that merely shows a payload is fine: the author may be writing a guide about phishing.
func TestHTMLShowsPayloadsAsText(t *testing.T) {
	got, err := New().HTML("Never click `javascript:alert(1)` links or \\<script> tags.")
	if err != nil {
		t.Fatal(err)
	}
	want := "<p dir=\"auto\">Never click <code>javascript:alert(1)</code> links or &lt;script&gt; tags.</p>\n"
	if got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}
