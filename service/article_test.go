package service_test

import (
	"strings"
	"testing"

	"github.com/haven-helpline/haven"
)

func policyInput() haven.ArticleInput {
	return haven.ArticleInput{Slug: "declining-requests", State: haven.ArticlePublished, Categories: []string{"harassment"},
		Variants: map[string]haven.ArticleVariant{
			"en": {Title: "When we decline a request", Body: "We **decline** requests outside our *mandate*.\n\n- impersonation of officials"},
			"ar": {Title: "متى نعتذر عن طلب", Body: "نعتذر عن الطلبات التي تقع خارج نطاق **عملنا**."}}}
}

func TestKnowledgeBaseArticlesAndCitations(t *testing.T) {
	f := newFixture(t)
	in := policyInput()
	_, err := f.svc.CreateArticle(f.users["amira"], in)
	wantCode(t, err, haven.EFORBIDDEN)
	bad := policyInput()
	bad.Variants["en"] = haven.ArticleVariant{Title: "x", Body: "ok\n\n[click](javascript:alert(1))"}
	_, err = f.svc.CreateArticle(f.users["fatou"], bad)
	if he, ok := err.(*haven.Error); !ok || !strings.Contains(he.Fields["variants.en.body"], "line 3") {
		t.Fatalf("a javascript: link is refused with its line: %v", err)
	}
	a, err := f.svc.CreateArticle(f.users["fatou"], in)
	if err != nil || a.Version != 1 {
		t.Fatalf("create: %+v %v", a, err)
	}
	got, err := f.svc.Article(f.users["amira"], "declining-requests")
	if err != nil || !strings.Contains(got.Variants["en"].HTML, "<strong>decline</strong>") || !strings.Contains(got.Variants["ar"].HTML, `dir="auto"`) {
		t.Fatalf("rendered: %+v %v", got, err)
	}
	for _, q := range []string{"عملنا", "عمل", "MANDATE", "declin"} {
		if found, err := f.svc.Articles(f.users["amira"], haven.ArticleFilter{Text: q}); err != nil || len(found) != 1 {
			t.Fatalf("search %q: %d %v", q, len(found), err)
		}
	}
	draft := policyInput()
	draft.Slug, draft.State = "draft-policy", haven.ArticleDraft
	if _, err := f.svc.CreateArticle(f.users["fatou"], draft); err != nil {
		t.Fatal(err)
	}
	_, err = f.svc.Article(f.users["amira"], "draft-policy")
	wantCode(t, err, haven.ENOTFOUND) // a draft is for those who write
	if err := f.svc.SetCitationRules(f.users["fatou"], []haven.Outcome{"out-of-scope"}); haven.ErrorCode(err) != haven.EFORBIDDEN {
		t.Fatalf("a lead set the citation rules: %v", err)
	}
	if err := f.svc.SetCitationRules(f.admin, []haven.Outcome{"out-of-scope"}); err != nil {
		t.Fatal(err)
	}
	c, _ := f.svc.CreateCase(f.users["amira"], haven.CaseCreate{Title: "Not for us", Team: "mena"})
	if _, err := f.svc.TransitionCase(f.users["amira"], c.Number, haven.Transition{To: haven.StatusTriage}); err != nil {
		t.Fatal(err)
	}
	closing := haven.Transition{To: haven.StatusClosed, Outcome: "out-of-scope"}
	_, err = f.svc.TransitionCase(f.users["amira"], c.Number, closing)
	wantCode(t, err, haven.EINVALID) // the rule: cite a policy
	closing.Citations = []haven.Citation{{Article: "draft-policy", Version: 1}}
	_, err = f.svc.TransitionCase(f.users["amira"], c.Number, closing)
	wantCode(t, err, haven.EINVALID) // not a published version
	closing.Citations = []haven.Citation{{Article: "declining-requests", Version: 1}}
	if _, err := f.svc.TransitionCase(f.users["amira"], c.Number, closing); err != nil {
		t.Fatal(err)
	}
	up := policyInput()
	up.Variants["en"] = haven.ArticleVariant{Title: "When we decline", Body: "Rewritten."}
	if a, err = f.svc.UpdateArticle(f.users["fatou"], "declining-requests", up); err != nil || a.Version != 2 {
		t.Fatalf("update: %+v %v", a, err)
	}
	cited, err := f.svc.CaseCitations(f.users["amira"], c.Number)
	if err != nil || len(cited) != 1 || cited[0].Version != 1 || cited[0].Title != "When we decline a request" {
		t.Fatalf("the case cites version 1, as it was: %+v %v", cited, err)
	}
	if cs, err := f.svc.ArticleCitations(f.users["amira"], "declining-requests"); err != nil || len(cs) != 1 || cs[0].CaseNumber != c.Number {
		t.Fatalf("the article lists the decision: %+v %v", cs, err)
	}
	hidden, _ := f.svc.CreateCase(f.users["fatou"], haven.CaseCreate{Title: "hidden", Team: "mena", RestrictedTo: []string{"fatou"}})
	f.svc.TransitionCase(f.users["fatou"], hidden.Number, haven.Transition{To: haven.StatusTriage})
	if _, err := f.svc.TransitionCase(f.users["fatou"], hidden.Number, closing); err != nil {
		t.Fatal(err)
	}
	if cs, _ := f.svc.ArticleCitations(f.users["lucas"], "declining-requests"); len(cs) != 1 {
		t.Fatalf("a decision on a case lucas may not see is listed to him: %+v", cs)
	}
	if vs, err := f.svc.ArticleVersions(f.users["amira"], "declining-requests"); err != nil || len(vs) != 2 || vs[1].UpdatedBy != "fatou" {
		t.Fatalf("history: %+v %v", vs, err)
	}
}

func TestTaxonomyAdministration(t *testing.T) {
	f := newFixture(t)
	in := haven.CategoryInput{Slug: "account-compromise/facebook", Labels: map[string]string{"en": "Facebook account", "ar": "حساب فيسبوك"}}
	_, err := f.svc.CreateCategory(f.users["fatou"], in)
	wantCode(t, err, haven.EFORBIDDEN)
	_, err = f.svc.CreateCategory(f.admin, haven.CategoryInput{Slug: "nowhere/else"})
	wantCode(t, err, haven.EINVALID) // no parent
	if _, err := f.svc.CreateCategory(f.admin, in); err != nil {
		t.Fatal(err)
	}
	c, err := f.svc.CreateCase(f.users["amira"], haven.CaseCreate{Title: "FB", Categories: []string{"account-compromise/facebook"}})
	if err != nil {
		t.Fatal(err)
	}
	to := "account-takeover"
	if _, err := f.svc.UpdateCategory(f.admin, "account-compromise", haven.CategoryUpdate{Slug: &to}); err != nil {
		t.Fatal(err)
	}
	got, _ := f.svc.Case(f.users["amira"], c.Number)
	if len(got.Categories) != 1 || got.Categories[0] != "account-takeover/facebook" {
		t.Fatalf("the case did not follow the rename: %v", got.Categories)
	}
	if page, _ := f.svc.Cases(f.users["amira"], haven.CaseFilter{Category: "account-takeover/facebook"}); len(page.Items) != 1 {
		t.Fatalf("filtering by the new slug: %d", len(page.Items))
	}
	yes := true
	if _, err := f.svc.UpdateCategory(f.admin, "phishing", haven.CategoryUpdate{Retired: &yes}); err != nil {
		t.Fatal(err)
	}
	_, err = f.svc.CreateCase(f.users["amira"], haven.CaseCreate{Title: "P", Categories: []string{"phishing"}})
	wantCode(t, err, haven.EINVALID)
	live, _ := f.svc.Categories(f.users["amira"], false)
	all, _ := f.svc.Categories(f.users["amira"], true)
	if len(all) != len(live)+1 {
		t.Fatalf("retired categories: %d live, %d in all", len(live), len(all))
	}
}
