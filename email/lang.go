package email

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Detection thresholds: below them a guess would route a requester to the
// wrong-language handler, which is worse than no guess.
const (
	maxLangInput   = 16 << 10 // enough text to decide, bounded cost
	minScriptChars = 6        // letters needed to call a script
	minWords       = 3        // words needed for stopword scoring
	minHits        = 2        // stopword hits needed
	minHitRatio    = 0.08     // share of words that must be stopwords
)

// stopwords are frequent words that tell the Latin-script languages apart.
// Words shared by several of them ("de", "que", "a") are left out.
var stopwords = map[string]map[string]bool{
	"fr": setOfWords(`le les des du une est et je j ai pas qui dans pour sur avec mon ma mes nous
		vous il elle ce cette sont été être au aux ne plus où très bonjour merci aide compte mot
		passe aussi leur suis avons avez`),
	"es": setOfWords(`el los las del una es y yo no con mi mis nosotros usted ustedes están pero muy
		hola gracias ayuda cuenta contraseña también cuando qué ese fue hay estoy tengo puede
		necesito ella sus`),
	"pt": setOfWords(`o os do da dos das uma é e eu não em com meu minha nós você vocês estão mas
		muito olá obrigado obrigada ajuda conta senha também quando isso isto foi são há estou tenho
		pode preciso ela seu`),
	"en": setOfWords(`the an is are was and i you we they it to of in for with my our your this that
		not but please help account password have has be can from hello thanks been am need would`),
}

func setOfWords(s string) map[string]bool { return setOf(strings.Fields(s)...) }

// scored lists the stopword languages; stopwordMask maps each stopword to
// the bit set of scored languages it belongs to, so scoring is one lookup
// per word.
var (
	scored       = []string{"en", "fr", "es", "pt"}
	stopwordMask = func() map[string]uint8 {
		m := map[string]uint8{}
		for i, lang := range scored {
			for w := range stopwords[lang] {
				m[w] |= 1 << i
			}
		}
		return m
	}()
)

// DetectLanguage guesses the language of a message: "ar" or "ru" when that
// script dominates, else the best stopword score among fr/es/pt/en. It
// returns "" when the text is too short or the evidence ambiguous — including
// Persian (Arabic script) and Ukrainian (Cyrillic), which must not be
// mistaken for Arabic or Russian. Quoted lines ("> ") are ignored so a
// quoted reply does not outweigh the new text.
func DetectLanguage(text string) string {
	text = unquoted(truncateUTF8(text, maxLangInput))
	if lang, decided := byScript(text); decided {
		return lang
	}
	return byStopwords(text)
}

func unquoted(text string) string {
	lines := strings.Split(text, "\n")
	kept := lines[:0]
	for _, l := range lines {
		if !strings.HasPrefix(strings.TrimSpace(l), ">") {
			kept = append(kept, l)
		}
	}
	return strings.Join(kept, "\n")
}

// byScript decides when a non-Latin script dominates; decided is false when
// the text is mostly Latin and stopwords must decide.
func byScript(text string) (lang string, decided bool) {
	var arabic, persian, cyrillic, ukrainian, letters int
	for w := range strings.FieldsSeq(text) {
		if strings.Contains(w, "://") || strings.Contains(w, "@") {
			continue // URLs and addresses are Latin whatever the language
		}
		for _, r := range w {
			switch {
			case r < utf8.RuneSelf:
				if 'a' <= r|0x20 && r|0x20 <= 'z' {
					letters++
				}
			case !unicode.IsLetter(r):
			case unicode.Is(unicode.Arabic, r):
				letters++
				arabic++
				if strings.ContainsRune("پچژگکی", r) {
					persian++
				}
			case unicode.Is(unicode.Cyrillic, r):
				letters++
				cyrillic++
				if strings.ContainsRune("іїєґІЇЄҐ", r) {
					ukrainian++
				}
			default:
				letters++
			}
		}
	}
	switch {
	case letters < minScriptChars:
		return "", true
	case arabic*2 > letters:
		return pick("ar", persian*30 > arabic), true
	case cyrillic*2 > letters:
		return pick("ru", ukrainian*50 > cyrillic), true
	}
	return "", false
}

// pick returns lang unless a sibling language was detected.
func pick(lang string, other bool) string {
	if other {
		return ""
	}
	return lang
}

func byStopwords(text string) string {
	var hits [4]int
	words := 0
	for w := range strings.FieldsFuncSeq(text, isNotLetter) {
		words++
		mask := stopwordMask[strings.ToLower(w)]
		for i := range hits {
			if mask&(1<<i) != 0 {
				hits[i]++
			}
		}
	}
	if words < minWords {
		return ""
	}
	best, second, lang := 0, 0, ""
	for i, n := range hits {
		switch {
		case n > best:
			best, second, lang = n, best, scored[i]
		case n > second:
			second = n
		}
	}
	if best < minHits || float64(best) < minHitRatio*float64(words) || best*2 < second*3 {
		return ""
	}
	return lang
}

func isNotLetter(r rune) bool { return !unicode.IsLetter(r) }
