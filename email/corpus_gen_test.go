package email

import (
	"archive/zip"
	"bytes"
	"encoding/base64"
	"flag"
	"fmt"
	"mime/quotedprintable"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/text/encoding/charmap"
)

// The corpus is generated from Go source so that files whose bytes matter
// (windows-1256, KOI8-R, NUL bytes, binary attachments) are reproducible and
// reviewable. Run `go test ./email -run TestCorpusGenerated -args -gen` after
// editing corpusFiles; the test otherwise checks the committed files match.
var regenerate = flag.Bool("gen", false, "rewrite testdata/corpus from corpusFiles")

const corpusDir = "testdata/corpus"

func TestCorpusGenerated(t *testing.T) {
	for name, data := range corpusFiles() {
		path := filepath.Join(corpusDir, name)
		if *regenerate {
			if err := os.WriteFile(path, data, 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		got, err := os.ReadFile(path)
		if err != nil || !bytes.Equal(got, data) {
			t.Errorf("%s differs from corpusFiles (err %v): regenerate with -gen", name, err)
		}
	}
}

// crlf normalises line endings to CRLF, as on the wire.
func crlf(s string) []byte {
	return []byte(strings.ReplaceAll(strings.ReplaceAll(s, "\r\n", "\n"), "\n", "\r\n"))
}

// b64 encodes data as a MIME base64 body (76-column lines).
func b64(data []byte) string {
	s := base64.StdEncoding.EncodeToString(data)
	var b strings.Builder
	for len(s) > 76 {
		b.WriteString(s[:76] + "\n")
		s = s[76:]
	}
	return b.String() + s + "\n"
}

func qp(data []byte) string {
	var b bytes.Buffer
	w := quotedprintable.NewWriter(&b)
	w.Write(data)
	w.Close()
	return b.String() + "\n"
}

// enc encodes s in a legacy charset; the corpus must really be in it.
func enc(cm *charmap.Charmap, s string) []byte {
	out, err := cm.NewEncoder().Bytes([]byte(s))
	if err != nil {
		panic(fmt.Sprintf("%q not encodable: %v", s, err))
	}
	return out
}

// wordB builds an RFC 2047 B encoded word from bytes already in charset cs.
func wordB(cs string, raw []byte) string {
	return "=?" + cs + "?B?" + base64.StdEncoding.EncodeToString(raw) + "?="
}

// wordQ builds an RFC 2047 Q encoded word from bytes already in charset cs.
func wordQ(cs string, raw []byte) string {
	var b strings.Builder
	for _, c := range raw {
		switch {
		case c == ' ':
			b.WriteByte('_')
		case c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9':
			b.WriteByte(c)
		default:
			fmt.Fprintf(&b, "=%02X", c)
		}
	}
	return "=?" + cs + "?Q?" + b.String() + "?="
}

func hdr(from, subject, id string) string {
	return "From: " + from + "\nTo: help@helpline.example\nSubject: " + subject +
		"\nDate: Mon, 5 Jan 2026 10:00:00 +0100\nMessage-ID: <" + id + ">\nMIME-Version: 1.0\n"
}

// Sample file contents.
var (
	tinyPNG, _ = base64.StdEncoding.DecodeString("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==")
	tinyJPEG   = []byte("\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00\xff\xdb\x00C\x00" + strings.Repeat("\x08", 64) + "\xff\xd9")
	tinyPDF    = []byte("%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n")
	fakePE     = func() []byte {
		b := make([]byte, 256)
		copy(b, "MZ\x90\x00\x03")
		b[0x3c] = 0x80
		copy(b[0x40:], "This program cannot be run in DOS mode.\r\r\n$")
		copy(b[0x80:], "PE\x00\x00\x4c\x01")
		return b
	}()
	fakeOLE = append([]byte("\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"), make([]byte, 504)...)
)

// zipOf builds a deterministic (stored, fixed-time) zip archive.
func zipOf(files ...string) []byte {
	var b bytes.Buffer
	w := zip.NewWriter(&b)
	for _, name := range files {
		fw, err := w.CreateHeader(&zip.FileHeader{Name: name, Method: zip.Store,
			Modified: time.Date(2026, 1, 5, 10, 0, 0, 0, time.UTC)})
		if err != nil {
			panic(err)
		}
		fmt.Fprintf(fw, "content of %s\n", name)
	}
	w.Close()
	return b.Bytes()
}

// withAttachment wraps a text body and one base64 attachment in multipart/mixed.
func withAttachment(head, text, ctype, disp string, data []byte) []byte {
	return crlf(head + "Content-Type: multipart/mixed; boundary=\"b1\"\n\n" +
		"--b1\nContent-Type: text/plain; charset=utf-8\n\n" + text + "\n" +
		"--b1\nContent-Type: " + ctype + "\nContent-Disposition: " + disp +
		"\nContent-Transfer-Encoding: base64\n\n" + b64(data) + "--b1--\n")
}

func corpusFiles() map[string][]byte {
	files := map[string][]byte{}
	for _, group := range []func(map[string][]byte){
		corpusLanguages, corpusHeaders, corpusClients, corpusBroken,
		corpusHTML, corpusForwards, corpusAuto, corpusAttachments, corpusCrypto,
	} {
		group(files)
	}
	return files
}
