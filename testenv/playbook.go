package testenv

import (
	"fmt"
	"strings"
)

// Playbook40 is the YAML of a playbook named "forty" whose 40 steps are all created when it is
// applied, each with guidance in three languages: the worst case of applying a playbook and of
// the case page that shows its checklist (the benchmarks' fixture).
func Playbook40() string {
	var b strings.Builder
	b.WriteString("name: forty\ntitle: {en: Forty, fr: Quarante, ar: أربعون}\nlanguages: [en, fr, ar]\nstart: [")
	for i := range 40 {
		if i > 0 {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, "s%d", i)
	}
	b.WriteString("]\nsteps:\n")
	for i := range 40 {
		fmt.Fprintf(&b, "  - id: s%d\n    text: {en: \"Step %d: check the account settings\", fr: \"Étape %d : vérifier les réglages\", ar: \"الخطوة %d: راجع إعدادات الحساب\"}\n", i, i, i, i)
		fmt.Fprintf(&b, "    guidance: {en: \"%s\", fr: \"%s\", ar: \"%s\"}\n", strings.Repeat("Explain why. ", 20),
			strings.Repeat("Expliquer. ", 20), strings.Repeat("اشرح السبب. ", 20))
	}
	return b.String()
}
