package email

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"path"
	"strings"

	"github.com/emersion/go-message"
)

// Attachment is one file carried by a message, including inline images and
// forwarded messages (kept verbatim as .eml).
type Attachment struct {
	Filename         string // decoded (RFC 2231/2047), path components stripped, "" -> "attachment-N"
	ContentType      string // declared, lower-case, no params
	Sniffed          string // type detected from the bytes, no params
	Data             []byte
	Inline           bool // Content-Disposition inline, or an image with a Content-ID
	ContentID        string
	SHA256           string // hex
	Suspicious       bool
	SuspiciousReason string // "executable", "macro document", "archive", "type mismatch"
}

// attach stores a whole entity (a multipart subtree past the depth limit)
// under its declared name.
func (ps *parser) attach(h message.Header, mt string, data []byte) {
	_, params := contentType(h)
	_, dparams := disposition(h)
	ps.addAttachment(h, mt, ps.filename(dparams, params), data)
}

func (ps *parser) addAttachment(h message.Header, mt, name string, data []byte) {
	if name == "" {
		name = fmt.Sprintf("attachment-%d", len(ps.p.Attachments)+1)
	}
	disp, _ := disposition(h)
	cid := strings.Trim(cleanText(h.Get("Content-Id")), "<> ")
	a := Attachment{
		Filename:    name,
		ContentType: mt,
		Sniffed:     sniff(data),
		Data:        data,
		Inline:      disp == "inline" || (cid != "" && strings.HasPrefix(mt, "image/")),
		ContentID:   truncateUTF8(cid, maxIDLen),
		SHA256:      sha256Hex(data),
	}
	a.Suspicious, a.SuspiciousReason = SuspiciousAttachment(name, mt, data)
	ps.p.Attachments = append(ps.p.Attachments, a)
}

func sha256Hex(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// magic lists signatures http.DetectContentType does not know.
var magic = []struct {
	prefix string
	typ    string
}{
	{"MZ", "application/x-msdownload"},
	{"\x7fELF", "application/x-elf"},
	{"\xfe\xed\xfa\xce", "application/x-mach-binary"},
	{"\xfe\xed\xfa\xcf", "application/x-mach-binary"},
	{"\xce\xfa\xed\xfe", "application/x-mach-binary"},
	{"\xcf\xfa\xed\xfe", "application/x-mach-binary"},
	{"\xca\xfe\xba\xbe", "application/x-mach-binary"},
	{"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "application/x-ole-storage"},
	{"7z\xbc\xaf\x27\x1c", "application/x-7z-compressed"},
	{"BZh", "application/x-bzip2"},
	{"\xfd7zXZ\x00", "application/x-xz"},
	{"MSCF", "application/vnd.ms-cab-compressed"},
}

// sniff identifies content from its first bytes.
func sniff(data []byte) string {
	for _, m := range magic {
		if bytes.HasPrefix(data, []byte(m.prefix)) {
			return m.typ
		}
	}
	t := http.DetectContentType(data[:min(len(data), 512)])
	t, _, _ = strings.Cut(t, ";")
	return t
}

// Extension tables (with the dot, lower-case).
var (
	execExts = setOf(".exe", ".scr", ".com", ".bat", ".cmd", ".ps1", ".vbs", ".vbe", ".js", ".jse",
		".wsf", ".wsh", ".msi", ".jar", ".apk", ".dll", ".lnk", ".hta", ".iso", ".img", ".sh", ".cpl", ".pif", ".reg")
	macroExts = setOf(".docm", ".xlsm", ".pptm", ".dotm", ".xlam", ".xltm", ".potm", ".ppam", ".ppsm", ".sldm",
		".doc", ".xls", ".ppt", ".dot", ".xlt", ".pps", ".xla")
	archiveExts = setOf(".zip", ".rar", ".7z", ".gz", ".tar", ".tgz", ".bz2", ".xz", ".cab", ".ace", ".arj", ".lzh")
	zipDocExts  = setOf(".docx", ".xlsx", ".pptx", ".odt", ".ods", ".odp", ".epub")
	execTypes   = setOf("application/x-msdownload", "application/x-msdos-program", "application/x-dosexec",
		"application/x-executable", "application/vnd.microsoft.portable-executable", "application/x-sh",
		"application/java-archive", "application/vnd.android.package-archive", "application/x-ms-shortcut",
		"application/hta", "application/x-msi", "application/x-ms-installer")
	archiveTypes = setOf("application/zip", "application/x-zip-compressed", "application/x-rar-compressed",
		"application/vnd.rar", "application/x-7z-compressed", "application/gzip", "application/x-gzip",
		"application/x-tar", "application/x-bzip2", "application/x-xz", "application/vnd.ms-cab-compressed")
)

func setOf(s ...string) map[string]bool {
	m := make(map[string]bool, len(s))
	for _, v := range s {
		m[v] = true
	}
	return m
}

// SuspiciousAttachment says whether a file deserves a warning before a
// handler opens it, and why. What the name or declared type admits to is
// checked first ("invoice.pdf.exe" is an executable); then whether the bytes
// keep the name's promise (a ".pdf" that is a PE is a type mismatch); then
// what the bytes alone reveal (executables, OLE or VBA-carrying Office files,
// archives).
func SuspiciousAttachment(filename, declaredType string, data []byte) (bool, string) {
	name := strings.ToLower(sanitizeFilename(filename))
	ext := path.Ext(name)
	declared, _, _ := strings.Cut(strings.ToLower(strings.TrimSpace(declaredType)), ";")
	declared = strings.TrimSpace(declared)
	sniffed := sniff(data)
	for _, reason := range []string{
		byName(ext, declared),
		typeMismatch(ext, declared, sniffed, data),
		byContent(ext, sniffed, data),
	} {
		if reason != "" {
			return true, reason
		}
	}
	return false, ""
}

// byName judges what the sender admits: extension and declared type.
func byName(ext, declared string) string {
	switch {
	case execExts[ext], execTypes[declared]:
		return "executable"
	case macroExts[ext]:
		return "macro document"
	case archiveExts[ext], archiveTypes[declared] && !zipDocExts[ext]:
		return "archive"
	}
	return ""
}

// byContent judges the bytes: native executables, OLE2 compound files (which
// can carry macros), OOXML smuggling a vbaProject.bin, and archives.
func byContent(ext, sniffed string, data []byte) string {
	switch {
	case sniffed == "application/x-msdownload", sniffed == "application/x-elf", sniffed == "application/x-mach-binary":
		return "executable"
	case sniffed == "application/x-ole-storage" && ext == ".msg":
		return "archive" // an Outlook message carries its own attachments
	case sniffed == "application/x-ole-storage":
		return "macro document"
	case sniffed == "application/zip" && bytes.Contains(data, []byte("vbaProject.bin")):
		return "macro document"
	case sniffed == "application/zip" && !zipDocExts[ext], archiveTypes[sniffed] && sniffed != "application/zip":
		return "archive"
	}
	return ""
}

// expectedSniff maps names and declared types that promise a harmless format
// to the sniffed types that keep that promise.
var expectedSniff = map[string][]string{
	".pdf": {"application/pdf"}, "application/pdf": {"application/pdf"},
	".jpg": {"image/jpeg"}, ".jpeg": {"image/jpeg"}, "image/jpeg": {"image/jpeg"},
	".png": {"image/png"}, "image/png": {"image/png"},
	".gif": {"image/gif"}, "image/gif": {"image/gif"},
	".txt":  {"text/plain"},
	".docx": {"application/zip"}, ".xlsx": {"application/zip"}, ".pptx": {"application/zip"},
}

func typeMismatch(ext, declared, sniffed string, data []byte) string {
	if len(data) == 0 {
		return ""
	}
	for _, key := range []string{ext, declared} {
		want, ok := expectedSniff[key]
		if !ok {
			continue
		}
		if key == ".pdf" || key == "application/pdf" {
			if bytes.Contains(data[:min(len(data), 1024)], []byte("%PDF-")) {
				continue // PDF allows junk before the header
			}
			return "type mismatch"
		}
		if !matchesAny(sniffed, want) {
			return "type mismatch"
		}
	}
	return ""
}

func matchesAny(s string, list []string) bool {
	for _, v := range list {
		if s == v {
			return true
		}
	}
	return false
}
