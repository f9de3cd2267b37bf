package share

import (
	"errors"
	"strings"
)

type tokenKind int

const (
	tokEOF      tokenKind = iota
	tokLBracket           // [
	tokRBracket           // ]
	tokLParen             // (
	tokRParen             // )
	tokComma              // ,
	tokOperator           // = != < <= > >=
	tokString             // '…', unescaped
	tokLiteral            // numbers, booleans, h'…', b'…', t'…'
	tokWord               // OR, AND, NOT, LIKE, WITHIN, …
	tokPath               // domain-name:value, file:hashes.'SHA-256'
)

type token struct {
	kind tokenKind
	text string
}

var errLex = errors.New("pattern not understood")

// lexPattern splits a STIX pattern into tokens (STIX 2.1 §9, STIXPattern.g4).
func lexPattern(s string) ([]token, error) {
	var toks []token
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			i++
			continue
		case strings.IndexByte("[](),", c) >= 0:
			toks = append(toks, token{kind: map[byte]tokenKind{'[': tokLBracket, ']': tokRBracket, '(': tokLParen, ')': tokRParen, ',': tokComma}[c]})
			i++
			continue
		case strings.IndexByte("=!<>", c) >= 0:
			j := i + 1
			if j < len(s) && s[j] == '=' {
				j++
			}
			toks = append(toks, token{kind: tokOperator, text: s[i:j]})
			i = j
			continue
		case c == '\'':
			v, n, err := readString(s[i:])
			if err != nil {
				return nil, err
			}
			toks = append(toks, token{kind: tokString, text: v})
			i += n
			continue
		}
		t, n, err := readWord(s[i:])
		if err != nil {
			return nil, err
		}
		toks = append(toks, t)
		i += n
	}
	return append(toks, token{kind: tokEOF}), nil
}

// readString reads a quoted string at the start of s, undoing the two escapes STIX allows
// (\' and \\). It returns the value and the bytes consumed.
func readString(s string) (string, int, error) {
	var b strings.Builder
	for i := 1; i < len(s); i++ {
		switch s[i] {
		case '\'':
			return b.String(), i + 1, nil
		case '\\':
			if i+1 >= len(s) || (s[i+1] != '\'' && s[i+1] != '\\') {
				return "", 0, errLex
			}
			i++
			b.WriteByte(s[i])
		default:
			b.WriteByte(s[i])
		}
	}
	return "", 0, errLex // unterminated
}

// readWord reads a keyword, a literal or an object path.
func readWord(s string) (token, int, error) {
	i := 0
	for i < len(s) && isWordByte(s[i]) {
		i++
	}
	if i == 0 {
		return token{}, 0, errLex
	}
	word := s[:i]
	switch {
	case i < len(s) && s[i] == '\'' && (word == "h" || word == "b" || word == "t"):
		_, n, err := readString(s[i:]) // hex, binary and timestamp literals
		return token{kind: tokLiteral}, i + n, err
	case i < len(s) && s[i] == ':':
		return readPath(s, i)
	case strings.ToUpper(word) == word && word[0] >= 'A' && word[0] <= 'Z':
		return token{kind: tokWord, text: word}, i, nil
	}
	return token{kind: tokLiteral, text: word}, i, nil // numbers, true, false
}

// readPath reads an object path from s, whose object type ends at colon: the property path
// goes on through dots, quoted keys and [index] steps.
func readPath(s string, colon int) (token, int, error) {
	var b strings.Builder
	b.WriteString(s[:colon+1])
	i := colon + 1
	for i < len(s) {
		c := s[i]
		switch {
		case isWordByte(c) || c == '.' || c == '*':
			b.WriteByte(c)
			i++
		case c == '[' && i > colon+1 && s[i-1] != '.': // a list index, not an observation
			j := strings.IndexByte(s[i:], ']')
			if j < 0 {
				return token{}, 0, errLex
			}
			b.WriteString(s[i : i+j+1])
			i += j + 1
		case c == '\'' && s[i-1] == '.':
			v, n, err := readString(s[i:])
			if err != nil {
				return token{}, 0, err
			}
			b.WriteString(v)
			i += n
		default:
			return token{kind: tokPath, text: b.String()}, i, nil
		}
	}
	return token{kind: tokPath, text: b.String()}, i, nil
}

func isWordByte(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '_' || c == '-'
}
