package web

import (
	"context"
	"html"
	"net/http"
	"net/http/httptest"
	"net/url"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"github.com/haven-helpline/haven"
)

// adminSession signs the fake's session in as an admin (the fake's own user is a lead), in a
// chosen language, so that pages are checked in Arabic (RTL) too.
type adminSession struct {
	*fake
	lang string
}

func (a adminSession) SessionActor(ctx context.Context, token string) (haven.Actor, error) {
	act, err := a.fake.SessionActor(ctx, token)
	if err == nil {
		act.User.Role, act.User.Language = haven.RoleAdmin, a.lang
	}
	return act, err
}

// refusedUpdates answers UpdatePlatform with err, as the service does when it refuses the
// channels, while reads still succeed (the fake's err would refuse them too).
type refusedUpdates struct {
	*fake
	err error
}

func (p refusedUpdates) UpdatePlatform(ctx context.Context, slug string, up haven.PlatformUpdate) (*haven.Platform, error) {
	_, _ = p.fake.UpdatePlatform(ctx, slug, up) // records the call
	return nil, p.err
}

// platformServer is a test server whose session is an admin's when lang is not "", else the
// fake's lead.
func platformServer(t *testing.T, f *fake, lang string) *Server {
	t.Helper()
	s, _ := testServer(t, f)
	if lang != "" {
		s.svc.Auth = adminSession{fake: f, lang: lang}
	}
	return s
}

// browse sends a same-origin browser request with the session cookie; a form, when given, is
// posted url-encoded.
func browse(t *testing.T, s *Server, method, path string, form url.Values) *httptest.ResponseRecorder {
	t.Helper()
	r := httptest.NewRequest(method, path, strings.NewReader(form.Encode()))
	if form != nil {
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	r.Header.Set("Sec-Fetch-Site", "same-origin")
	r.AddCookie(&http.Cookie{Name: SessionCookie, Value: goodSession})
	w := httptest.NewRecorder()
	s.Handler().ServeHTTP(w, r)
	return w
}

// channelForm is what the platform page posts: four channel rows (two of them blank, one only
// blanks) and target fields for every kind, most left empty.
func channelForm() url.Values {
	form := url.Values{}
	for _, k := range append([]string{"default"}, haven.EscalationKinds()...) {
		form.Set("target_"+k, "")
	}
	rows := [][4]string{
		{"email", "abuse@platform.example", "Ask for Sam", "-----BEGIN PGP PUBLIC KEY BLOCK-----\nxx\n-----END PGP PUBLIC KEY BLOCK-----"},
		{"web-form", "https://platform.example/report", "", ""},
		{"phone", "", "notes without an address", ""},
		{"email", "   ", "", ""},
	}
	for i, row := range rows {
		n := strconv.Itoa(i)
		form.Set("ch_kind_"+n, row[0])
		form.Set("ch_address_"+n, row[1])
		form.Set("ch_notes_"+n, row[2])
		form.Set("ch_key_"+n, row[3])
	}
	return form
}

// lastUpdate is the PlatformUpdate of the fake's last call, if that call was UpdatePlatform.
func lastUpdate(f *fake) (string, *haven.PlatformUpdate) {
	args := f.lastArgs()
	if len(args) != 2 {
		return "", nil
	}
	slug, _ := args[0].(string)
	up, ok := args[1].(haven.PlatformUpdate)
	if !ok {
		return "", nil
	}
	return slug, &up
}

// TestPlatformPageForm: the page offers the stored channels plus blank rows and a target field
// per escalation kind and "default", with a label for each field, in English and in Arabic.
func TestPlatformPageForm(t *testing.T) {
	for _, lang := range []string{"en", "ar"} {
		f := &fake{}
		s := platformServer(t, f, lang)
		w := browse(t, s, "GET", "/admin/platforms/x", nil)
		body := w.Body.String()
		if w.Code != http.StatusOK {
			t.Fatalf("%s: GET platform page: %d %s", lang, w.Code, body)
		}
		for _, want := range []string{`action="/admin/platforms/x/channels"`, `name="ch_kind_0"`, `name="ch_address_0"`,
			`name="ch_notes_1"`, `name="ch_key_1"`, `for="ch-address-1"`, `name="target_default"`, `for="target-default"`,
			`name="target_hacked-account"`, `autocapitalize="none"`} {
			if !strings.Contains(body, want) {
				t.Errorf("%s: page lacks %s", lang, want)
			}
		}
		if strings.Contains(body, `name="ch_address_2"`) {
			t.Errorf("%s: a platform without channels gets two blank rows, not more", lang)
		}
		w = browse(t, s, "GET", "/admin/taxonomy", nil)
		if w.Code != http.StatusOK || !strings.Contains(w.Body.String(), `href="/admin/platforms/x"`) {
			t.Errorf("%s: taxonomy page does not link the platform: %d", lang, w.Code)
		}
	}
}

// TestPlatformChannelsSubmit: the form becomes one PlatformUpdate with channels and targets;
// rows without an address are dropped, empty targets are not set, and the admin goes back to
// the platform's page.
func TestPlatformChannelsSubmit(t *testing.T) {
	f := &fake{}
	s := platformServer(t, f, "en")
	form := channelForm()
	form.Set("target_default", "48")
	form.Set("target_hacked-account", " 24 ")
	w := browse(t, s, "POST", "/admin/platforms/x/channels", form)
	if w.Code != http.StatusSeeOther || w.Header().Get("Location") != "/admin/platforms/x?flash=saved" {
		t.Fatalf("submit: %d to %q: %s", w.Code, w.Header().Get("Location"), w.Body.String())
	}
	slug, up := lastUpdate(f)
	if slug != "x" || up == nil || up.Channels == nil || up.Targets == nil {
		t.Fatalf("update: %q %+v", slug, up)
	}
	want := []haven.PlatformChannel{
		{Kind: "email", Address: "abuse@platform.example", Notes: "Ask for Sam", PGPKey: form.Get("ch_key_0")},
		{Kind: "web-form", Address: "https://platform.example/report"},
	}
	if !reflect.DeepEqual(*up.Channels, want) {
		t.Errorf("channels = %+v, want %+v", *up.Channels, want)
	}
	if !reflect.DeepEqual(*up.Targets, map[string]int{"default": 48, "hacked-account": 24}) {
		t.Errorf("targets = %v", *up.Targets)
	}
	if up.Name != nil || up.Kind != nil || up.Retired != nil {
		t.Errorf("the form changed more than channels and targets: %+v", up)
	}
}

// TestPlatformChannelsCleared: clearing every address and target removes them all (an empty
// list and map, not nil, which would leave them as they are).
func TestPlatformChannelsCleared(t *testing.T) {
	f := &fake{}
	s := platformServer(t, f, "en")
	form := channelForm()
	for _, n := range []string{"0", "1"} {
		form.Set("ch_address_"+n, "")
	}
	if w := browse(t, s, "POST", "/admin/platforms/x/channels", form); w.Code != http.StatusSeeOther {
		t.Fatalf("submit: %d", w.Code)
	}
	_, up := lastUpdate(f)
	if up == nil || up.Channels == nil || len(*up.Channels) != 0 || *up.Channels == nil || up.Targets == nil || len(*up.Targets) != 0 {
		t.Fatalf("update: %+v", up)
	}
}

// TestPlatformChannelsRefused: a target that is not a number, or channels the service refuses,
// show the page again with 422, what was typed still in the fields, and no save.
func TestPlatformChannelsRefused(t *testing.T) {
	for _, tc := range []struct {
		name, target, errID string
		refuse              error
	}{
		{"target not a number", "soon", "err-targets", nil},
		{"service refuses", "48", "err-channels", &haven.Error{Code: haven.EINVALID, Message: "some fields are not valid",
			Fields: map[string]string{"channels": "an email channel needs an email address"}}},
		{"conflict", "48", "", haven.Errorf(haven.ECONFLICT, "changed meanwhile")},
	} {
		f := &fake{}
		s := platformServer(t, f, "en")
		if tc.refuse != nil {
			s.svc.Platforms = refusedUpdates{fake: f, err: tc.refuse}
		}
		form := channelForm()
		form.Set("target_default", tc.target)
		form.Set("ch_address_2", "not-an-address")
		f.last = nil
		w := browse(t, s, "POST", "/admin/platforms/x/channels", form)
		body := html.UnescapeString(w.Body.String())
		if w.Code != http.StatusUnprocessableEntity {
			t.Fatalf("%s: %d %s", tc.name, w.Code, body)
		}
		for _, want := range []string{`value="` + tc.target + `"`, `value="not-an-address"`, `value="abuse@platform.example"`,
			"notes without an address", `name="ch_address_3"`, `<option value="phone" selected>`} {
			if !strings.Contains(body, want) {
				t.Errorf("%s: typed value lost: %s", tc.name, want)
			}
		}
		if tc.errID != "" && !strings.Contains(body, `id="`+tc.errID+`"`) {
			t.Errorf("%s: no message beside the fieldset (%s)", tc.name, tc.errID)
		}
		if _, up := lastUpdate(f); tc.refuse == nil && up != nil {
			t.Errorf("%s: saved despite the refusal: %+v", tc.name, up)
		}
	}
}

// TestPlatformPageAdminsOnly: anyone else gets 403 and no form, whether reading or posting;
// posting is refused by the service, which the fake stands for here with its error.
func TestPlatformPageAdminsOnly(t *testing.T) {
	f := &fake{}
	s := platformServer(t, f, "")
	w := browse(t, s, "GET", "/admin/platforms/x", nil)
	if w.Code != http.StatusForbidden || strings.Contains(w.Body.String(), "ch_address_") {
		t.Fatalf("GET as a lead: %d", w.Code)
	}
	form := channelForm()
	form.Set("target_default", "soon") // refused before the service: still no page for them
	if w := browse(t, s, "POST", "/admin/platforms/x/channels", form); w.Code != http.StatusForbidden ||
		strings.Contains(w.Body.String(), "ch_address_") {
		t.Fatalf("bad POST as a lead: %d", w.Code)
	}
	f.err = haven.Errorf(haven.EFORBIDDEN, "only admins change platforms")
	if w := browse(t, s, "POST", "/admin/platforms/x/channels", channelForm()); w.Code != http.StatusForbidden ||
		strings.Contains(w.Body.String(), "ch_address_") {
		t.Fatalf("POST as a lead: %d", w.Code)
	}
}
