package web

import (
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/haven-helpline/haven"
)

// taxonomyData is the admins' page for categories and platforms, or, with Platform set, one
// platform's own page (both are in taxonomy.html).
type taxonomyData struct {
	Categories []*haven.Category
	Platforms  []*haven.Platform
	Kinds      []string
	Platform   *platformData
}

// platformData is one platform's escalation channels and response targets, as form rows.
type platformData struct {
	Platform     *haven.Platform
	Channels     []channelRow
	ChannelKinds []string
	Targets      []targetRow
	DefaultHours int64 // the target of kinds the platform names none for, not even by default
}

// channelRow is one row of the channels form; N numbers its fields (ch_address_N…).
type channelRow struct {
	N int
	haven.PlatformChannel
}

// Number is the row's number as people count, for its legend.
func (c channelRow) Number() int64 { return int64(c.N + 1) }

// targetRow is one target field. Hours is text, and the field a numeric text field rather than
// type=number, so that a refused value comes back as typed: browsers empty a number field
// holding anything else.
type targetRow struct {
	Kind, Hours string
}

// blankChannelRows is how many empty rows the page offers for new channels: without
// JavaScript, rows cannot be added on the page itself.
const blankChannelRows = 2

func (s *Server) taxonomyRoutes() {
	for _, p := range []struct {
		pattern string
		h       uiFunc
	}{
		{"GET /admin/taxonomy", s.taxonomyPage},
		{"POST /admin/categories", s.categoryAdd},
		{"POST /admin/categories/edit", s.categoryEdit},
		{"POST /admin/platforms", s.platformAdd},
		{"POST /admin/platforms/edit", s.platformEdit},
		{"GET /admin/platforms/{slug}", s.platformPage},
		{"POST /admin/platforms/{slug}/channels", s.platformChannels},
	} {
		s.mux.Handle(p.pattern, s.page(false, p.h))
	}
}

// taxonomyPage lists categories (with their labels) and platforms, retired ones included, with
// the forms that change them; the services refuse non-admins whatever the page shows.
func (s *Server) taxonomyPage(w http.ResponseWriter, r *http.Request, v *view) error {
	flashFrom(r, v)
	return s.renderTaxonomy(w, r, v, http.StatusOK)
}

func (s *Server) renderTaxonomy(w http.ResponseWriter, r *http.Request, v *view, status int) error {
	if !v.User.IsAdmin() {
		return haven.Errorf(haven.EFORBIDDEN, "only admins administer the taxonomy")
	}
	d := &taxonomyData{Kinds: haven.PlatformKinds()}
	var err error
	if d.Categories, err = s.svc.Categories.Categories(r.Context(), true); err != nil {
		return err
	}
	if d.Platforms, err = s.svc.Platforms.Platforms(r.Context(), true); err != nil {
		return err
	}
	v.Nav, v.Title, v.Data = "admin", v.L.T("taxonomy.title"), d
	return s.render(w, r, status, "taxonomy", v)
}

// afterTaxonomy goes back to the page, or shows it again with the refusal beside its form.
func (s *Server) afterTaxonomy(w http.ResponseWriter, r *http.Request, v *view, err error, prefix string) error {
	if err == nil {
		return redirect(w, r, "/admin/taxonomy", "saved")
	}
	if code := haven.ErrorCode(err); code != haven.EINVALID && code != haven.ECONFLICT && code != haven.ENOTFOUND {
		return err
	}
	v.Form, v.Errors, v.Alert = r.PostForm, map[string]string{}, v.L.T("form.invalid")
	if he, ok := err.(*haven.Error); ok {
		v.Errors[prefix] = fieldMessage(v.L, he.Message)
		for k, m := range he.Fields {
			v.Errors[prefix] = fieldMessage(v.L, k+": "+m)
		}
	}
	return s.renderTaxonomy(w, r, v, http.StatusUnprocessableEntity)
}

// labelsOf reads "label-<lang>" fields.
func labelsOf(r *http.Request, v *view) map[string]string {
	out := map[string]string{}
	for _, l := range languageTags(v) {
		if x := strings.TrimSpace(r.PostForm.Get("label-" + l)); x != "" {
			out[l] = x
		}
	}
	return out
}

func (s *Server) categoryAdd(w http.ResponseWriter, r *http.Request, v *view) error {
	if err := r.ParseForm(); err != nil {
		return haven.Errorf(haven.EINVALID, "bad form")
	}
	_, err := s.svc.Categories.CreateCategory(r.Context(), haven.CategoryInput{Slug: r.PostForm.Get("slug"), Labels: labelsOf(r, v)})
	return s.afterTaxonomy(w, r, v, err, "category")
}

// categoryEdit renames, retires or brings back a category.
func (s *Server) categoryEdit(w http.ResponseWriter, r *http.Request, v *view) error {
	if err := r.ParseForm(); err != nil {
		return haven.Errorf(haven.EINVALID, "bad form")
	}
	up := haven.CategoryUpdate{}
	if to := strings.TrimSpace(r.PostForm.Get("rename")); to != "" {
		up.Slug = &to
	}
	if x := r.PostForm.Get("retired"); x != "" {
		retired := x == "true"
		up.Retired = &retired
	}
	_, err := s.svc.Categories.UpdateCategory(r.Context(), r.PostForm.Get("slug"), up)
	return s.afterTaxonomy(w, r, v, err, "category")
}

func (s *Server) platformAdd(w http.ResponseWriter, r *http.Request, v *view) error {
	if err := r.ParseForm(); err != nil {
		return haven.Errorf(haven.EINVALID, "bad form")
	}
	in := haven.PlatformInput{Slug: r.PostForm.Get("slug"), Name: r.PostForm.Get("name"), Kind: r.PostForm.Get("kind")}
	_, err := s.svc.Platforms.CreatePlatform(r.Context(), in)
	return s.afterTaxonomy(w, r, v, err, "platform")
}

// platformEdit retires or brings back a platform.
func (s *Server) platformEdit(w http.ResponseWriter, r *http.Request, v *view) error {
	if err := r.ParseForm(); err != nil {
		return haven.Errorf(haven.EINVALID, "bad form")
	}
	retired := r.PostForm.Get("retired") == "true"
	_, err := s.svc.Platforms.UpdatePlatform(r.Context(), r.PostForm.Get("slug"), haven.PlatformUpdate{Retired: &retired})
	return s.afterTaxonomy(w, r, v, err, "platform")
}

// platformPage shows one platform with the form for its escalation channels and targets.
func (s *Server) platformPage(w http.ResponseWriter, r *http.Request, v *view) error {
	flashFrom(r, v)
	return s.renderPlatform(w, r, v, http.StatusOK)
}

// renderPlatform shows the platform page: the stored channels and targets, or those of a refused
// form (v.Form) as typed. The admin check comes first because channel notes may name partner
// contacts, and the service lets every signed-in user read a platform.
func (s *Server) renderPlatform(w http.ResponseWriter, r *http.Request, v *view, status int) error {
	if !v.User.IsAdmin() {
		return haven.Errorf(haven.EFORBIDDEN, "only admins administer platforms")
	}
	p, err := s.svc.Platforms.Platform(r.Context(), r.PathValue("slug"))
	if err != nil {
		return err
	}
	d := &platformData{Platform: p, ChannelKinds: haven.ChannelKinds(), Targets: targetRows(p, v.Form),
		DefaultHours: haven.DefaultTargetHours}
	if v.Form != nil {
		d.Channels = postedChannels(v.Form)
	} else {
		for i, c := range p.Channels {
			d.Channels = append(d.Channels, channelRow{N: i, PlatformChannel: c})
		}
		for i := range blankChannelRows {
			d.Channels = append(d.Channels, channelRow{N: len(p.Channels) + i})
		}
	}
	v.Nav, v.Title, v.Data = "admin", v.L.T("platform.title", "Name", p.Name), &taxonomyData{Platform: d}
	return s.render(w, r, status, "taxonomy", v)
}

// targetKinds are the kinds a target may be set for: "default" first, as the others refine it.
func targetKinds() []string {
	return append([]string{"default"}, haven.EscalationKinds()...)
}

// targetRows lists one field per target kind, with the stored hours or, on a refused form, the
// typed text.
func targetRows(p *haven.Platform, form url.Values) []targetRow {
	var rows []targetRow
	for _, k := range targetKinds() {
		row := targetRow{Kind: k}
		if h, ok := p.Targets[k]; ok {
			row.Hours = strconv.Itoa(h)
		}
		if form != nil {
			row.Hours = form.Get("target_" + k)
		}
		rows = append(rows, row)
	}
	return rows
}

// postedChannels reads the form's channel rows in order, blank ones included. A row exists when
// its address field was sent: every row of the page sends one, filled in or not.
func postedChannels(form url.Values) []channelRow {
	var rows []channelRow
	for i := 0; ; i++ {
		n := strconv.Itoa(i)
		if _, ok := form["ch_address_"+n]; !ok {
			return rows
		}
		rows = append(rows, channelRow{N: i, PlatformChannel: haven.PlatformChannel{Kind: form.Get("ch_kind_" + n),
			Address: form.Get("ch_address_" + n), Notes: form.Get("ch_notes_" + n), PGPKey: form.Get("ch_key_" + n)}})
	}
}

// keptChannels drops the rows without an address: the blank rows offered for new channels, and
// channels whose address the admin cleared to remove them. Never nil, so that clearing every
// row removes every channel rather than leaving them as they are.
func keptChannels(rows []channelRow) []haven.PlatformChannel {
	out := []haven.PlatformChannel{}
	for _, row := range rows {
		if strings.TrimSpace(row.Address) != "" {
			out = append(out, row.PlatformChannel)
		}
	}
	return out
}

// postedTargets reads the target hours; an empty field sets no target. A value that is not a
// whole number is refused here, as the service only ever sees numbers.
func postedTargets(form url.Values) (map[string]int, error) {
	out := map[string]int{}
	for _, k := range targetKinds() {
		x := strings.TrimSpace(form.Get("target_" + k))
		if x == "" {
			continue
		}
		h, err := strconv.Atoi(x)
		if err != nil {
			return nil, &haven.Error{Code: haven.EINVALID, Message: "some fields are not valid",
				Fields: map[string]string{"targets": "hours are whole numbers (" + k + ")"}}
		}
		out[k] = h
	}
	return out, nil
}

// platformChannels replaces a platform's channels and targets with the form's: the page always
// sends both whole, so what the admin sees is what is stored.
func (s *Server) platformChannels(w http.ResponseWriter, r *http.Request, v *view) error {
	if err := r.ParseForm(); err != nil {
		return haven.Errorf(haven.EINVALID, "bad form")
	}
	slug := r.PathValue("slug")
	channels := keptChannels(postedChannels(r.PostForm))
	targets, err := postedTargets(r.PostForm)
	if err == nil {
		up := haven.PlatformUpdate{Channels: &channels, Targets: &targets}
		_, err = s.svc.Platforms.UpdatePlatform(r.Context(), slug, up)
	}
	if err == nil {
		return redirect(w, r, "/admin/platforms/"+url.PathEscape(slug), "saved")
	}
	var he *haven.Error
	if !errors.As(err, &he) || (he.Code != haven.EINVALID && he.Code != haven.ECONFLICT) {
		return err
	}
	v.Form, v.Errors, v.Alert = r.PostForm, platformErrors(v, he), v.L.T("form.invalid")
	return s.renderPlatform(w, r, v, http.StatusUnprocessableEntity)
}

// platformErrors places a refusal's messages: those about channels and targets beside their
// fieldset, anything else (a conflict, a field this form does not show) above the form.
func platformErrors(v *view, he *haven.Error) map[string]string {
	out := map[string]string{}
	if len(he.Fields) == 0 {
		out["platform"] = fieldMessage(v.L, he.Message)
	}
	for k, m := range he.Fields {
		switch k {
		case "channels", "targets":
			out[k] = fieldMessage(v.L, m)
		default:
			out["platform"] = fieldMessage(v.L, k+": "+m)
		}
	}
	return out
}
