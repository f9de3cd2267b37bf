package service_test

import (
	"fmt"
	"strings"
	"testing"

	"haven"
)

// playbook40 is a playbook whose 40 steps are all created when it is applied, each with a
// guidance text in three languages: the worst case of "apply" (every task at once).
func playbook40() string {
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
		fmt.Fprintf(&b, "    guidance: {en: \"%s\", fr: \"%s\", ar: \"%s\"}\n", strings.Repeat("Explain why. ", 20), strings.Repeat("Expliquer. ", 20), strings.Repeat("اشرح السبب. ", 20))
	}
	return b.String()
}

// BenchmarkApplyPlaybook40Steps applies a 40-step playbook to a case (parse, run, 40 tasks, the
// event, one transaction) on SQLite. Target: ≤ 20 ms.
func BenchmarkApplyPlaybook40Steps(b *testing.B) {
	svc, actx := benchService(b)
	if _, _, err := svc.SavePlaybook(actx, playbook40()); err != nil {
		b.Fatal(err)
	}
	c, err := svc.CreateCase(actx, haven.CaseCreate{Title: "bench", Language: "ar"})
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		tasks, err := svc.ApplyPlaybook(actx, c.Number, "forty")
		if err != nil || len(tasks) != 40 {
			b.Fatalf("%d tasks, %v", len(tasks), err)
		}
	}
}
