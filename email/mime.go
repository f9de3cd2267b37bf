package email

import (
	"bytes"
	"strings"

	"github.com/emersion/go-message"
)

// walk dispatches one MIME entity by media type.
func (ps *parser) walk(h message.Header, body []byte, depth int) {
	mt, params := contentType(h)
	switch {
	case strings.HasPrefix(mt, "multipart/"):
		ps.walkMultipart(h, mt, params, body, depth)
	case mt == "message/rfc822" || mt == "message/global":
		ps.forwarded(h, body)
	default:
		ps.leaf(h, mt, params, body)
	}
}

func (ps *parser) walkMultipart(h message.Header, mt string, params map[string]string, body []byte, depth int) {
	if depth >= maxMIMEDepth {
		ps.attach(h, mt, bytes.Clone(body))
		return
	}
	ps.noteMultipart(mt, params)
	parts, guessed := splitMultipart(body, params["boundary"])
	if guessed {
		ps.p.Unparsed = true
	}
	if parts == nil {
		// No boundary at all: show the body as text rather than lose it.
		ps.bodyText("text/plain", nil, bytes.Clone(body))
		return
	}
	for _, part := range parts {
		ph, pb, st := readHeader(part)
		if st != headerOK {
			ps.p.Unparsed = true // go-message refused the part's header
		}
		ps.walk(ph, pb, depth+1)
	}
}

// noteMultipart records what the multipart type itself says about the message.
func (ps *parser) noteMultipart(mt string, params map[string]string) {
	proto := strings.ToLower(params["protocol"])
	switch mt {
	case "multipart/encrypted":
		if proto == "application/pgp-encrypted" || proto == "" {
			ps.p.Encrypted = true
		}
	case "multipart/signed":
		ps.p.Signed = true
	case "multipart/report":
		switch strings.ToLower(params["report-type"]) {
		case "delivery-status":
			ps.report = dsnReport
		case "disposition-notification":
			ps.report = "read receipt"
		}
	}
}

// noteSMIME flags S/MIME bodies, which hide their content just like PGP/MIME.
func (ps *parser) noteSMIME(mt string, params map[string]string) {
	if mt != "application/pkcs7-mime" && mt != "application/x-pkcs7-mime" {
		return
	}
	switch strings.ToLower(params["smime-type"]) {
	case "signed-data", "certs-only":
		ps.p.Signed = true
	default: // enveloped-data, authEnveloped-data, or unstated
		ps.p.Encrypted = true
	}
}

// forwarded keeps a message/rfc822 part twice: parsed, for reading, and
// verbatim as a .eml attachment, as evidence a handler can download.
func (ps *parser) forwarded(h message.Header, body []byte) {
	data, known := decodeTransfer(h.Get("Content-Transfer-Encoding"), body)
	if !known {
		ps.p.Unparsed = true
	}
	if ps.fwdDepth < maxForwardDepth {
		ps.p.Forwarded = append(ps.p.Forwarded, parseMessage(data, ps.fwdDepth+1))
	}
	eh, _, _ := readHeader(skipMboxLine(data))
	ps.noteReturned(eh)
	ps.addAttachment(h, "message/rfc822", emlName(subjectOf(eh)), data)
}

// subjectOf reads the Subject of an embedded message's header.
func subjectOf(h message.Header) string {
	sub := &parser{p: &Parsed{}}
	return sub.headerText(h.Get("Subject"))
}

func (ps *parser) leaf(h message.Header, mt string, params map[string]string, body []byte) {
	ps.noteSMIME(mt, params)
	data, known := decodeTransfer(h.Get("Content-Transfer-Encoding"), body)
	if !known {
		ps.p.Unparsed = true
	}
	ps.noteReport(mt, data)
	disp, dparams := disposition(h)
	name := ps.filename(dparams, params)
	if isBodyText(mt, disp, name) {
		ps.bodyText(mt, params, data)
		return
	}
	ps.addAttachment(h, mt, name, data)
}

// isBodyText says whether a part is the message text rather than a file.
func isBodyText(mt, disp, filename string) bool {
	return (mt == "text/plain" || mt == "text/html") && disp != "attachment" && filename == ""
}

func (ps *parser) bodyText(mt string, params map[string]string, data []byte) {
	var s string
	var ok bool
	if mt == "text/html" && params["charset"] == "" {
		s, ok = decodeHTMLCharset(data)
	} else {
		s, ok = decodeCharset(data, params["charset"])
	}
	if !ok {
		ps.p.CharsetFallback = true
	}
	if mt == "text/html" {
		ps.htmls = append(ps.htmls, s)
		return
	}
	if strings.EqualFold(params["format"], "flowed") {
		s = unflow(s, strings.EqualFold(params["delsp"], "yes"))
	}
	ps.texts = append(ps.texts, s)
}

// splitMultipart cuts a multipart body into its parts. When the declared
// boundary never occurs it tries the boundary the body actually uses and
// reports guessed=true; parts is nil when no boundary could be found.
func splitMultipart(body []byte, boundary string) (parts [][]byte, guessed bool) {
	if boundary != "" {
		if parts := splitOn(body, boundary); parts != nil {
			return parts, false
		}
	}
	if b := guessBoundary(body); b != "" && b != boundary {
		return splitOn(body, b), true
	}
	return nil, true
}

// splitOn returns the parts delimited by boundary, nil when the boundary
// never occurs. A missing closing delimiter is tolerated: the last part runs
// to the end of the body.
func splitOn(body []byte, boundary string) [][]byte {
	delim := []byte("--" + boundary)
	var parts [][]byte
	start := -1
	for pos := 0; pos < len(body); {
		i := bytes.Index(body[pos:], delim)
		if i < 0 {
			break
		}
		i += pos
		pos = i + len(delim)
		rest, next := restOfLine(body, pos)
		closing := bytes.HasPrefix(rest, []byte("--"))
		if (i > 0 && body[i-1] != '\n') || (!closing && len(bytes.TrimSpace(rest)) > 0) {
			continue // the boundary string inside a line, or a longer boundary
		}
		if start >= 0 {
			parts = append(parts, trimLineEnd(body[start:i]))
		} else if parts == nil {
			parts = [][]byte{}
		}
		if closing {
			return parts
		}
		start, pos = next, next
	}
	if start >= 0 {
		parts = append(parts, body[start:])
	}
	return parts
}

// restOfLine returns body[pos:] up to the line end, and the index of the
// next line.
func restOfLine(body []byte, pos int) ([]byte, int) {
	j := bytes.IndexByte(body[pos:], '\n')
	if j < 0 {
		return body[pos:], len(body)
	}
	return body[pos : pos+j], pos + j + 1
}

// trimLineEnd drops the line break that belongs to the following delimiter.
func trimLineEnd(b []byte) []byte {
	b = bytes.TrimSuffix(b, []byte("\n"))
	return bytes.TrimSuffix(b, []byte("\r"))
}

// guessBoundary finds a "--token" line followed by a header line, the shape
// of a real delimiter, for messages whose declared boundary is wrong.
func guessBoundary(body []byte) string {
	for pos := 0; pos < len(body); {
		line, next := restOfLine(body, pos)
		line = bytes.TrimRight(line, " \t\r")
		pos = next
		if len(line) < 3 || len(line) > 200 || !bytes.HasPrefix(line, []byte("--")) {
			continue
		}
		token := line[2:]
		if bytes.ContainsAny(token, " \t") {
			continue
		}
		following, _ := restOfLine(body, next)
		if _, _, ok := splitField(following); ok {
			return string(token)
		}
	}
	return ""
}

// unflow joins format=flowed soft line breaks (RFC 3676) so paragraphs read
// as written.
func unflow(s string, delsp bool) string {
	lines := strings.Split(strings.ReplaceAll(s, "\r\n", "\n"), "\n")
	var b strings.Builder
	b.Grow(len(s))
	for i, line := range lines {
		line = strings.TrimPrefix(line, " ") // space-stuffing
		soft := strings.HasSuffix(line, " ") && line != "-- " && !strings.HasPrefix(line, ">")
		if soft && delsp {
			line = line[:len(line)-1]
		}
		b.WriteString(line)
		if !soft && i < len(lines)-1 {
			b.WriteByte('\n')
		}
	}
	return b.String()
}
