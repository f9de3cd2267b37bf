package pgp

import (
	"slices"
	"testing"
)

func TestSplitMultipart(t *testing.T) {
	for _, tc := range []struct {
		name, body string
		want       []string
	}{
		{"crlf", "preamble\r\n--b\r\nA: 1\r\n\r\none\r\n--b\r\n\r\ntwo\r\n--b--\r\nepilogue", []string{"A: 1\r\n\r\none", "\r\ntwo"}},
		{"lf and trailing blanks", "--b \n\nx\n\n--b--\t\n", []string{"\nx\n"}},
		{"no close delimiter", "--b\r\n\r\nlast\r\n", []string{"\r\nlast\r\n"}},
		{"longer boundary is content", "--b\r\n\r\n--bb\r\n--b--", []string{"\r\n--bb"}},
		{"no delimiter", "just text", nil},
	} {
		got := splitMultipart([]byte(tc.body), "b")
		var gotS []string
		for _, p := range got {
			gotS = append(gotS, string(p))
		}
		if !slices.Equal(gotS, tc.want) {
			t.Errorf("%s: got %q, want %q", tc.name, gotS, tc.want)
		}
	}
}

func TestCanonicalCRLF(t *testing.T) {
	if got := string(canonicalCRLF([]byte("a\nb\r\nc\n"))); got != "a\r\nb\r\nc\r\n" {
		t.Errorf("got %q", got)
	}
}
