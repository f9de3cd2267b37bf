package service_test

import (
	"testing"

	"github.com/haven-helpline/haven"
	"github.com/haven-helpline/haven/testenv"
)

// BenchmarkApplyPlaybook40Steps applies a 40-step playbook to a case (parse, run, 40 tasks, the
// event, one transaction) on SQLite. Target: ≤ 20 ms.
func BenchmarkApplyPlaybook40Steps(b *testing.B) {
	svc, actx := benchService(b)
	if _, _, err := svc.SavePlaybook(actx, testenv.Playbook40()); err != nil {
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
