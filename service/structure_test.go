package service_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/haven-helpline/haven"
)

// The one visibility rule must be used by every read that returns or links a case, a requester,
// a report, an event, an attachment, a notification, a message, a note, a task or a case's
// correspondent. These tests make that structural: every store method that returns one of
// those nouns is either filtered by the rule in SQL (it takes a haven.Viewer) or is listed in
// guardedReads with the checks that must precede it; and every call of it in the service layer
// (and the console) is preceded by one of those checks, in the same function or in every
// function that leads to it, or is one of the few system paths named in systemPaths.

// guardedNouns are the types whose reads need-to-know governs.
var guardedNouns = []reflect.Type{
	reflect.TypeFor[haven.Case](), reflect.TypeFor[haven.CasePage](), reflect.TypeFor[haven.Requester](),
	reflect.TypeFor[haven.RequesterPage](), reflect.TypeFor[haven.Report](), reflect.TypeFor[haven.Event](),
	reflect.TypeFor[haven.EventPage](), reflect.TypeFor[haven.Attachment](), reflect.TypeFor[haven.Notification](),
	reflect.TypeFor[haven.Message](), reflect.TypeFor[haven.Note](), reflect.TypeFor[haven.Task](),
	reflect.TypeFor[haven.Correspondent](), reflect.TypeFor[haven.Citation](), reflect.TypeFor[haven.CaseCitation](),
	reflect.TypeFor[haven.PlaybookRun](), reflect.TypeFor[haven.Escalation](), reflect.TypeFor[haven.EscalationPage](),
	reflect.TypeFor[haven.Alert](), reflect.TypeFor[haven.AlertEntry](),
	reflect.TypeFor[haven.Observable](), reflect.TypeFor[haven.CaseObservable](), reflect.TypeFor[haven.Sighting](),
	reflect.TypeFor[haven.CaseRef](), reflect.TypeFor[haven.CaseIntel](), reflect.TypeFor[haven.GroupView](),
}

// Checks that establish need-to-know (service functions and store predicates). person checks
// every case of a data-subject request.
var (
	caseChecks      = []string{"caseByNumber", "editCase", "readCase", "changeCase", "CaseVisible", "person", "alertCase", "escalationCase", "exportedCase"}
	requesterChecks = []string{"requesterByID", "RequesterVisible", "person"}
	reportChecks    = []string{"reportVisible"}
	ownChecks       = []string{"reader", "writer", "credentialsActor"} // the actor's own records
)

// guardedReads are the noun-returning store methods without a viewer, and the checks one of
// which must come first. Keyed by case id: the case was checked. By requester id: the requester
// (or the case that names them). By report id or key: the report's case.
var guardedReads = map[string][]string{
	"CaseByNumber":      caseChecks,
	"CaseByID":          caseChecks,
	"CaseNotes":         caseChecks,
	"CaseMessages":      caseChecks,
	"CaseEvents":        caseChecks,
	"CaseReports":       caseChecks,
	"CaseAttachments":   caseChecks,
	"CaseTasks":         caseChecks,
	"CaseCorrespondent": caseChecks,
	"TaskByID":          caseChecks,
	"MessageByID":       caseChecks,
	"AttachmentByID":    caseChecks,
	"RequesterByID":     append(slices.Clone(requesterChecks), caseChecks...),
	"ReportByID":        reportChecks,
	"ReportByDedupeKey": reportChecks,
	"RequesterEvents":   requesterChecks,
	"UserNotifications": ownChecks,
	"NotificationByID":  ownChecks,
	"CaseCitations":     caseChecks,
	"CasePlaybookRuns":  caseChecks,
	// An escalation is read after its case: by case, or by id once the case its id names was checked.
	"CaseEscalations":        caseChecks,
	"EscalationByID":         caseChecks,
	"EscalationByToken":      caseChecks,
	"DueEscalationReminders": caseChecks,
	"AlertByID":              caseChecks,
	"OpenCaseAlert":          caseChecks,
	"LatestCaseAlert":        caseChecks,
	"AlertHistory":           caseChecks,
	// An observable is read once ObservableVisible (sighted in a case the reader may see, or from
	// a feed) said so; a case's observables and tagging after its case.
	"ObservableByID":   {"ObservableVisible"},
	"CaseObservables":  caseChecks,
	"SightObservables": caseChecks, // returns the known-bad values the checked case just sighted
	"CaseIntel":        caseChecks,
}

// systemPaths are functions that read without a user's need-to-know, on purpose, and why. They
// return nothing to a person that the rule would hide.
var systemPaths = map[string]string{
	"IngestEmail":        "email intake runs as the system; the sender learns nothing (transports answer only accepted/refused)",
	"duplicate":          "intake: a repeated Message-ID is stored once",
	"threadCase":         "intake: finds the case an email belongs to (tags only from the case's correspondent)",
	"bouncedMessage":     "intake: a delivery notice belongs to the message Haven sent",
	"knownCorrespondent": "intake: compares the sender with the case's correspondent",
	"adoptSenderKey":     "intake: adopts a key attached by the case's correspondent",
	"OutboundEmail":      "the sender job reads what it sends",
	"MessageSent":        "the sender job records delivery",
	"MessageFailed":      "the sender job records failure",
	"NotificationEmail":  "the sender job emails a notification to its own user",
	"BreakGlass":         "break-glass opens a case its actor may not see, on purpose, with a reason, notified",
	"followOnCase":       "a requester's new address is carried to each of their cases (pending on restricted ones); nothing is returned",
	"purgeCase":          "retention purges expired cases as the system",
	"escalationByMail":   "intake: a platform's answer belongs to the escalation its unguessable tag (or its In-Reply-To) names",
	"RemindEscalations":  "the job runner reminds each escalation's owner, who may see the case they escalated; nothing is returned to a person",
	"alertIfP1":          "a case its writer just created or raised to P1 raises its alert; nothing is returned",
	"PageDelivery":       "the sender job composes a page for a user page() checked against the case",
	"CheckSLAs":          "the job runner warns of and records each case's clocks; notices go to the case's assignee or team, who see it",
	"alertIfEmergency":   "a new case in an emergency category or from an emergency mailbox raises its alert; nothing is returned",
	"RunAlertStep":       "the job runner pages a level; each paged user is checked against the case (page skips those who may not see it)",
	"flagImported":       "a partner's feed flags every case that sighted a known-bad value; the answer counts only cases the importer may see",
	"exportedCase":       "the console (`haven export`) exports any case; a user's export reads through caseByNumber",
}

// returnsNoun reports whether t is, or points to, holds a slice of, a guarded noun.
func returnsNoun(t reflect.Type) bool {
	for t.Kind() == reflect.Pointer || t.Kind() == reflect.Slice {
		t = t.Elem()
	}
	return slices.Contains(guardedNouns, t)
}

// takesViewer reports whether m has a haven.Viewer parameter, or a struct parameter with one.
func takesViewer(m reflect.Method) bool {
	viewer := reflect.TypeFor[haven.Viewer]()
	for i := range m.Type.NumIn() {
		in := m.Type.In(i)
		if in == viewer {
			return true
		}
		if in.Kind() == reflect.Struct {
			if f, ok := in.FieldByName("Viewer"); ok && f.Type == viewer {
				return true
			}
		}
	}
	return false
}

// nounReads lists the store methods that return a guarded noun without taking a viewer.
func nounReads(t *testing.T) []string {
	tx := reflect.TypeFor[haven.Tx]()
	var out []string
	for i := range tx.NumMethod() {
		m := tx.Method(i)
		noun := false
		for j := range m.Type.NumOut() {
			noun = noun || returnsNoun(m.Type.Out(j))
		}
		if noun && !takesViewer(m) {
			out = append(out, m.Name)
		}
	}
	return out
}

func TestEveryNounReadIsClassified(t *testing.T) {
	reads := nounReads(t)
	if len(reads) < 10 {
		t.Fatalf("found only %d noun reads: the reflection is broken (%v)", len(reads), reads)
	}
	for _, name := range reads {
		if _, ok := guardedReads[name]; !ok {
			t.Errorf("store method %s returns a case, person, report, event, attachment, notification, message, note, task or correspondent "+
				"without a haven.Viewer: filter it by the visibility rule in SQL, or list it in guardedReads with the checks that must precede it", name)
		}
	}
}

// funcInfo is what one function (with its closures) calls.
type funcInfo struct {
	calls map[string]bool   // every called name (x.Name() and Name())
	reads map[string]string // store reads called on a Tx, with a position
}

// parseFuncs reads the non-test Go files of dir into per-function call summaries.
func parseFuncs(t *testing.T, dir string) map[string]*funcInfo {
	t.Helper()
	fset := token.NewFileSet()
	files, err := filepath.Glob(filepath.Join(dir, "*.go"))
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]*funcInfo{}
	for _, path := range files {
		if strings.HasSuffix(path, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, path, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range f.Decls {
			fd, ok := d.(*ast.FuncDecl)
			if !ok || fd.Body == nil {
				continue
			}
			info := &funcInfo{calls: map[string]bool{}, reads: map[string]string{}}
			ast.Inspect(fd.Body, func(n ast.Node) bool {
				call, ok := n.(*ast.CallExpr)
				if !ok {
					return true
				}
				switch fn := call.Fun.(type) {
				case *ast.Ident:
					info.calls[fn.Name] = true
				case *ast.SelectorExpr:
					info.calls[fn.Sel.Name] = true
					if _, guarded := guardedReads[fn.Sel.Name]; guarded {
						info.reads[fn.Sel.Name] = fset.Position(call.Pos()).String()
					}
				case *ast.IndexExpr: // generic calls: readCase[T](…)
					if id, ok := fn.X.(*ast.Ident); ok {
						info.calls[id.Name] = true
					}
				}
				return true
			})
			out[fd.Name.Name] = info // method and function names are unique enough within a package
		}
	}
	return out
}

// guarded reports whether every path into fn checks one of checks first: fn itself calls one,
// or fn is a system path, or fn has callers and each of them is guarded.
func guarded(funcs map[string]*funcInfo, fn string, checks []string, seen map[string]bool) bool {
	if _, ok := systemPaths[fn]; ok {
		return true
	}
	info := funcs[fn]
	if info == nil {
		return false
	}
	for _, c := range checks {
		if info.calls[c] || fn == c {
			return true
		}
	}
	if seen[fn] {
		return true // a cycle adds no unchecked entry of its own
	}
	seen[fn] = true
	callers := 0
	for name, other := range funcs {
		if name == fn || !other.calls[fn] {
			continue
		}
		callers++
		if !guarded(funcs, name, checks, seen) {
			return false
		}
	}
	return callers > 0
}

func TestEveryNounReadIsGuarded(t *testing.T) {
	funcs := parseFuncs(t, ".")
	var unguarded []string
	reads := 0
	for name, info := range funcs {
		for method, pos := range info.reads {
			reads++
			if !guarded(funcs, name, guardedReads[method], map[string]bool{}) {
				unguarded = append(unguarded, pos+": "+name+" calls "+method+" without one of "+strings.Join(guardedReads[method], ", "))
			}
		}
	}
	if reads < 20 {
		t.Fatalf("found only %d guarded reads in service/: the parser is broken", reads)
	}
	sort.Strings(unguarded)
	for _, u := range unguarded {
		t.Error(u)
	}
}

// consolePaths may read past the visibility rule, and why: EscalationsAsSystem (`haven escalation
// list`), BriefingAsSystem (`haven report` and the scheduled report: aggregate counts), and
// PublicCounts (counts of consented cases, suppressed before publishing).
var consolePaths = map[string]bool{filepath.Join("..", "service", "escalation.go"): true,
	filepath.Join("..", "service", "briefing.go"): true, filepath.Join("..", "service", "public_stats.go"): true,
	filepath.Join("..", "storetest", "escalation.go"): true} // the conformance suite tests the filter itself

// TestOnlyTheConsoleReadsEverything: the audit trail's bypass of the visibility rule is for the
// operator at the console (who holds the database and its key), nowhere else.
func TestOnlyTheConsoleReadsEverything(t *testing.T) {
	allowed := map[string]bool{filepath.Join("..", "cmd", "haven", "audit.go"): true}
	var found []string
	err := filepath.WalkDir("..", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return err
		}
		src, err := os.ReadFile(path)
		if err == nil && (strings.Contains(string(src), "Console = true") || strings.Contains(string(src), "Console: true")) && !consolePaths[path] {
			t.Errorf("%s reads past the visibility rule (a Console filter): only the console's paths may (%v)", path, consolePaths)
		}
		if err == nil && strings.Contains(string(src), "Everything: true") {
			found = append(found, path)
			if !allowed[path] {
				t.Errorf("%s reads events past the visibility rule (EventFilter.Everything): only the console may", path)
			}
		}
		return err
	})
	if err != nil || len(found) == 0 {
		t.Fatalf("the console's export was not found (%v): the check is broken", err)
	}
}
