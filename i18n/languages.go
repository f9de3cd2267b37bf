package i18n

import "strings"

// Language describes one language of the user interface.
type Language struct {
	Tag  string // BCP 47 tag, also the catalog's file name: "ar" -> locales/ar.json
	Name string // the language's own name for itself, for a language picker
	Dir  string // "ltr" or "rtl", for the html element's dir attribute
}

// Plural form names as go-i18n's JSON catalogs spell them.
const (
	formZero  = "zero"
	formOne   = "one"
	formTwo   = "two"
	formFew   = "few"
	formMany  = "many"
	formOther = "other"
)

// allForms is every CLDR plural category, in CLDR order (also the order a
// plural message's forms are written in the catalog files).
var allForms = []string{formZero, formOne, formTwo, formFew, formMany, formOther}

// langInfo is everything the package knows about a language beyond its catalog.
// The tables below are read-only after package initialisation.
type langInfo struct {
	Language
	// forms are the plural forms go-i18n v2.7's CLDR rule for the language can
	// select (internal/plural/rule_gen.go); a plural message needs exactly these.
	// TestPluralFormsTable checks this against go-i18n itself.
	forms []string
	// months are the medium-width month names, January first.
	months [12]string
	// datePattern takes day, month name and year, in that order.
	datePattern string
	// minGrouped is the smallest magnitude shown with group separators:
	// CLDR's minimumGroupingDigits = 2 for Spanish writes 1234 but 12.345.
	minGrouped int64
	// fixNumber corrects x/text's number output where its CLDR data is older
	// than current usage (nil when nothing needs correcting).
	fixNumber *strings.Replacer
}

// languages is in the order a language picker shows them: English first as the
// default, then the others sorted by tag. Index 0 is the fallback language.
var languages = []langInfo{
	{
		Language:    Language{Tag: "en", Name: "English", Dir: "ltr"},
		forms:       []string{formOne, formOther},
		months:      [12]string{"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"},
		datePattern: "%s %s %s",
	},
	{
		Language:    Language{Tag: "ar", Name: "العربية", Dir: "rtl"},
		forms:       allForms,
		months:      [12]string{"يناير", "فبراير", "مارس", "أبريل", "مايو", "يونيو", "يوليو", "أغسطس", "سبتمبر", "أكتوبر", "نوفمبر", "ديسمبر"},
		datePattern: "%s %s %s",
	},
	{
		Language:    Language{Tag: "es", Name: "Español", Dir: "ltr"},
		forms:       []string{formOne, formMany, formOther},
		months:      [12]string{"ene", "feb", "mar", "abr", "may", "jun", "jul", "ago", "sept", "oct", "nov", "dic"},
		datePattern: "%s %s %s",
		minGrouped:  10000,
	},
	{
		Language:    Language{Tag: "fr", Name: "Français", Dir: "ltr"},
		forms:       []string{formOne, formMany, formOther},
		months:      [12]string{"janv.", "févr.", "mars", "avr.", "mai", "juin", "juil.", "août", "sept.", "oct.", "nov.", "déc."},
		datePattern: "%s %s %s",
		// CLDR has used U+202F (narrow no-break space) as the French group
		// separator since v34; x/text's tables still give U+00A0.
		fixNumber: strings.NewReplacer("\u00a0", "\u202f"),
	},
	{
		Language:    Language{Tag: "pt", Name: "Português", Dir: "ltr"},
		forms:       []string{formOne, formMany, formOther},
		months:      [12]string{"jan.", "fev.", "mar.", "abr.", "mai.", "jun.", "jul.", "ago.", "set.", "out.", "nov.", "dez."},
		datePattern: "%s de %s de %s",
	},
	{
		Language:    Language{Tag: "ru", Name: "Русский", Dir: "ltr"},
		forms:       []string{formOne, formFew, formMany, formOther},
		months:      [12]string{"янв.", "февр.", "мар.", "апр.", "мая", "июн.", "июл.", "авг.", "сент.", "окт.", "нояб.", "дек."},
		datePattern: "%s %s %s",
	},
}

// defaultTag is the language used when nothing better matches, and the
// reference catalog every other one is checked against.
const defaultTag = "en"
