package pgp

import (
	"bytes"
	"fmt"
	"io"
	"strings"

	"github.com/emersion/go-message/charset"
)

// Armor markers of inline PGP. They count only at the start of a line, so
// a quoted ("> -----BEGIN ...") earlier message is not mistaken for this one.
const (
	beginMessage = "-----BEGIN PGP MESSAGE-----"
	endMessage   = "-----END PGP MESSAGE-----"
	beginSigned  = "-----BEGIN PGP SIGNED MESSAGE-----"
	endSignature = "-----END PGP SIGNATURE-----"
)

// openInline handles inline PGP in a text part: the first encrypted or
// cleartext-signed block is opened; text around it is not returned.
func (op *opener) openInline(e *entity) (*Result, error) {
	body, err := e.decodedBody()
	if err != nil {
		return nil, err
	}
	begin, end, ok := findBlock(body)
	if !ok {
		return nil, ErrNotPGP
	}
	block, err := extractBlock(body, begin, end)
	if err != nil {
		return nil, err
	}
	if begin == beginSigned {
		res := op.verifyCleartext(block)
		res.Plain = toUTF8(res.Plain, e.params["charset"])
		return res, nil
	}
	res, err := op.decrypt(block)
	if err != nil {
		return nil, err
	}
	res.Inline = true
	return res, nil
}

// findBlock returns the markers of the first inline PGP block in body.
func findBlock(body []byte) (begin, end string, ok bool) {
	for off := 0; off < len(body); {
		next := lineEnd(body, off)
		switch strings.TrimRight(string(body[off:next]), " \t\r\n") {
		case beginMessage:
			return beginMessage, endMessage, true
		case beginSigned:
			return beginSigned, endSignature, true
		}
		off = next
	}
	return "", "", false
}

// extractBlock returns the lines from the begin marker to the end marker,
// with trailing blanks removed and LF line breaks: mail transport adds and
// strips both, and neither armor nor cleartext signatures depend on them
// (RFC 4880 §7.1).
func extractBlock(body []byte, begin, end string) ([]byte, error) {
	var out bytes.Buffer
	inside := false
	for off := 0; off < len(body); {
		next := lineEnd(body, off)
		line := strings.TrimRight(string(body[off:next]), " \t\r\n")
		off = next
		if !inside && line != begin {
			continue
		}
		inside = true
		out.WriteString(line)
		out.WriteByte('\n')
		if line == end {
			return out.Bytes(), nil
		}
	}
	return nil, fmt.Errorf("pgp: inline %s block has no %s line (truncated message?)", begin, end)
}

// toUTF8 converts cleartext from the part's charset. The signature was
// checked on the original bytes first; only the text shown is converted.
func toUTF8(text []byte, label string) []byte {
	label = strings.ToLower(strings.TrimSpace(label))
	if label == "" || label == "utf-8" || label == "us-ascii" || label == "utf8" {
		return text
	}
	r, err := charset.Reader(label, bytes.NewReader(text))
	if err != nil {
		return text
	}
	converted, err := io.ReadAll(r)
	if err != nil {
		return text
	}
	return converted
}
