package service_test

import (
	"fmt"
	"testing"

	"github.com/haven-helpline/haven"
)

// BenchmarkCaseRead reads what a case page shows: the case, its timeline (5 notes and 3 messages,
// decrypted) and its requester (decrypted), from a database of 2,000 such cases.
func BenchmarkCaseRead(b *testing.B) {
	svc, actx := benchService(b)
	var numbers []string
	for i := 0; i < 2000; i++ {
		c, err := svc.CreateCase(actx, haven.CaseCreate{Title: fmt.Sprintf("Account %d hijacked", i), Summary: "SIM swap suspected after a phishing SMS",
			Requester: &haven.RequesterInput{Name: fmt.Sprintf("Person %d", i), Email: fmt.Sprintf("p%d@example.org", i)}})
		if err != nil {
			b.Fatal(err)
		}
		for j := 0; j < 5; j++ {
			if _, err := svc.AddNote(actx, c.Number, haven.NoteCreate{Body: "Called back on Signal; she confirms the recovery email was changed"}); err != nil {
				b.Fatal(err)
			}
		}
		for j := 0; j < 3; j++ {
			if _, err := svc.AddMessage(actx, c.Number, haven.MessageCreate{To: []string{"p@example.org"}, Subject: "Your account", Text: "Please reset your password from a clean device."}); err != nil {
				b.Fatal(err)
			}
		}
		numbers = append(numbers, c.Number)
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		number := numbers[i%len(numbers)]
		c, err := svc.Case(actx, number)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := svc.Timeline(actx, number); err != nil {
			b.Fatal(err)
		}
		if _, err := svc.Requester(actx, c.RequesterID); err != nil {
			b.Fatal(err)
		}
	}
}
