package markdown

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// MaxSize is the largest article source accepted, in bytes. The longest policy a helpline keeps
// is a tenth of it; the bound is there so that one article cannot make rendering slow.
const MaxSize = 200 << 10

// goldmark takes time quadratic in some shapes of input: at MaxSize, a line of ">" took 13 s to
// render, 40,000 "![a](" 10 s, 60,000 "1. " 3.5 s. With these bounds the slowest shape found
// renders in about 0.3 s (most of it sanitising a deeply nested output); no real article comes
// near any of them.
const (
	// maxNesting bounds the quotes and list items one line opens ("> > - 1. …").
	maxNesting = 32
	// maxLinks bounds the link and image openings, "](": each one that does not close makes the
	// parser scan ahead for its end, up to the end of the line.
	maxLinks = 500
	// maxLine bounds each such scan (and the similar ones for raw HTML and emphasis).
	maxLine = 16 << 10
)

// checkSource refuses what no renderer call should get: too large, not UTF-8, or shaped to make
// the parser slow. HTML makes these checks too; Validate makes them first.
func checkSource(src string) error {
	if len(src) > MaxSize {
		return invalidBody(fmt.Sprintf("is %d KB, more than the %d KB an article may have", (len(src)+1023)>>10, MaxSize>>10))
	}
	if !utf8.ValidString(src) {
		return invalidBody(fmt.Sprintf("line %d: is not valid UTF-8 text", firstInvalidLine(src)))
	}
	if links := strings.Count(src, "]("); links > maxLinks {
		return invalidBody(fmt.Sprintf("has %d links and images, more than the %d an article may have", links, maxLinks))
	}
	n := 0
	for line := range strings.Lines(src) {
		n++
		line = strings.TrimSuffix(line, "\n")
		if len(line) > maxLine {
			return invalidBody(fmt.Sprintf("line %d: is %d KB long, more than the %d KB a line may have", n, (len(line)+1023)>>10, maxLine>>10))
		}
		if nestingDepth(line) > maxNesting {
			return invalidBody(fmt.Sprintf("line %d: quotes and lists are nested more than %d deep", n, maxNesting))
		}
	}
	return nil
}

func firstInvalidLine(src string) int {
	line := 1
	for i, r := range src {
		if r == utf8.RuneError {
			if _, size := utf8.DecodeRuneInString(src[i:]); size == 1 {
				return line
			}
		}
		if r == '\n' {
			line++
		}
	}
	return line
}

// nestingDepth counts the block-quote and list markers that open line.
func nestingDepth(line string) int {
	depth := 0
	for {
		line = strings.TrimLeft(line, " \t")
		n := containerMarkerLen(line)
		if n == 0 {
			return depth
		}
		line = line[n:]
		depth++
	}
}

// containerMarkerLen is the length of the ">", "-", "*", "+", "1." or "1)" at the start of s,
// 0 when s starts with none. A list marker must be followed by a blank or the line's end.
func containerMarkerLen(s string) int {
	if strings.HasPrefix(s, ">") {
		return 1
	}
	n := 0
	for n < len(s) && n < 9 && s[n] >= '0' && s[n] <= '9' {
		n++
	}
	switch {
	case n == 0 && s != "" && strings.IndexByte("-*+", s[0]) >= 0:
		n = 1
	case n > 0 && n < len(s) && (s[n] == '.' || s[n] == ')'):
		n++
	default:
		return 0
	}
	if n < len(s) && s[n] != ' ' && s[n] != '\t' {
		return 0
	}
	return n
}
