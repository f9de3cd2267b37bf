package indicator

import (
	"strings"
	"unicode"

	"github.com/nyaruka/phonenumbers"
)

// phones records valid phone numbers in E.164. Digits in any script (Arabic-Indic ٠١٢, Persian
// ۰۱۲) count; a number without a country code needs the extractor's region.
func (f *found) phones(s string) {
	if !strings.ContainsFunc(s, unicode.IsDigit) {
		return
	}
	for _, c := range phoneCandidates(asciiDigits(s)) {
		region := f.e.region
		if strings.HasPrefix(c, "00") {
			c = "+" + c[2:]
		}
		if !strings.HasPrefix(c, "+") && region == "" {
			continue
		}
		if region == "" {
			region = "ZZ"
		}
		n, err := phonenumbers.Parse(c, region)
		if err != nil || !phonenumbers.IsValidNumber(n) {
			continue
		}
		f.add(Observable{Type: Phone, Value: phonenumbers.Format(n, phonenumbers.E164)})
	}
}

// phoneCandidates are the runs that may be phone numbers — an optional +, then 7 to 17 digits
// with the usual separators, not glued to a word — for libphonenumber to judge.
func phoneCandidates(s string) []string {
	var out []string
	for i := 0; i < len(s); i++ {
		if !isPhoneStart(s, i) {
			continue
		}
		j, digits := i+1, 0
		if s[i] != '+' {
			digits = 1
		}
		for ; j < len(s) && (isDigit(s[j]) || strings.IndexByte(phoneSeparators, s[j]) >= 0); j++ {
			if isDigit(s[j]) {
				digits++
			}
		}
		// Trailing separators are not part of the number ("call +961 3 123 456. Then…"): the
		// number is glued to a word only when a letter follows its last digit directly.
		run := strings.TrimRight(s[i:j], phoneSeparators)
		if end := i + len(run); 7 <= digits && digits <= 17 && (end == len(s) || !isWordByte(s[end])) {
			out = append(out, run)
		}
		i = j
	}
	return out
}

const phoneSeparators = " \t().-/"

func isPhoneStart(s string, i int) bool {
	if i > 0 && (isWordByte(s[i-1]) || s[i-1] == '+') {
		return false
	}
	if s[i] == '+' {
		return i+1 < len(s) && isDigit(s[i+1])
	}
	return isDigit(s[i])
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

func isWordByte(c byte) bool {
	return isDigit(c) || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || c == '_'
}

// digitZeros are the zeros of the digit sets people write numbers in besides ASCII: Arabic-Indic,
// Persian (Extended Arabic-Indic), Devanagari, Bengali and fullwidth.
var digitZeros = []rune{0x0660, 0x06F0, 0x0966, 0x09E6, 0xFF10}

// asciiDigits rewrites those digits as ASCII, keeping everything else.
func asciiDigits(s string) string {
	return strings.Map(func(r rune) rune {
		for _, z := range digitZeros {
			if z <= r && r <= z+9 {
				return '0' + (r - z)
			}
		}
		return r
	}, s)
}
