package service

import (
	"context"
	"maps"
	"slices"
	"time"

	"github.com/haven-helpline/haven"
)

var _ haven.TemplateService = (*Service)(nil)

// Templates lists the templates (every signed-in user: they are know-how, not personal data).
func (s *Service) Templates(ctx context.Context, f haven.TemplateFilter) ([]*haven.Template, error) {
	if _, err := reader(ctx); err != nil {
		return nil, err
	}
	var out []*haven.Template
	err := s.store.View(ctx, func(tx haven.Tx) (err error) {
		out, err = tx.FindTemplates(ctx, f)
		return err
	})
	return out, err
}

// Template reads one template.
func (s *Service) Template(ctx context.Context, id int64) (*haven.Template, error) {
	if _, err := reader(ctx); err != nil {
		return nil, err
	}
	var t *haven.Template
	err := s.store.View(ctx, func(tx haven.Tx) (err error) {
		t, err = tx.TemplateByID(ctx, id)
		return err
	})
	return t, err
}

// TemplateVersions lists a template's history, newest first.
func (s *Service) TemplateVersions(ctx context.Context, id int64) ([]*haven.Template, error) {
	if _, err := reader(ctx); err != nil {
		return nil, err
	}
	var out []*haven.Template
	err := s.store.View(ctx, func(tx haven.Tx) (err error) {
		if _, err = tx.TemplateByID(ctx, id); err != nil {
			return err
		}
		out, err = tx.TemplateVersions(ctx, id)
		return err
	})
	return out, err
}

// templateEditor returns the acting user, who must be a lead or an admin: templates speak for
// the helpline.
func templateEditor(ctx context.Context) (*haven.User, error) {
	u, err := writer(ctx)
	if err != nil {
		return nil, err
	}
	if !u.CanWriteTemplates() {
		return nil, haven.Errorf(haven.EFORBIDDEN, "only leads and admins can write templates")
	}
	return u, nil
}

// CreateTemplate adds a template as its version 1.
func (s *Service) CreateTemplate(ctx context.Context, in haven.TemplateInput) (*haven.Template, error) {
	u, err := templateEditor(ctx)
	if err != nil {
		return nil, err
	}
	var t *haven.Template
	err = s.store.Update(ctx, func(tx haven.Tx) (err error) {
		t, err = s.createTemplate(ctx, tx, u, in, s.clock.Now())
		return err
	})
	return t, err
}

func (s *Service) createTemplate(ctx context.Context, tx haven.Tx, u *haven.User, in haven.TemplateInput, now time.Time) (*haven.Template, error) {
	in.Normalize()
	if err := in.Validate(); err != nil {
		return nil, err
	}
	t := &haven.Template{Name: in.Name, Kind: in.Kind, Categories: nonNilStrings(in.Categories), Variants: in.Variants,
		CreatedAt: now, UpdatedAt: now}
	if err := tx.InsertTemplate(ctx, t, userID(u)); err != nil {
		return nil, err
	}
	return t, record(ctx, tx, now, u, "template.created", "template", t.ID, 0, map[string]any{"version": t.Version})
}

// UpdateTemplate makes the input the template's next version; the previous ones are kept.
func (s *Service) UpdateTemplate(ctx context.Context, id int64, in haven.TemplateInput) (*haven.Template, error) {
	u, err := templateEditor(ctx)
	if err != nil {
		return nil, err
	}
	var t *haven.Template
	err = s.store.Update(ctx, func(tx haven.Tx) error {
		cur, err := tx.TemplateByID(ctx, id)
		if err != nil {
			return err
		}
		t, _, err = s.nextTemplateVersion(ctx, tx, u, cur, in, s.clock.Now())
		return err
	})
	return t, err
}

// nextTemplateVersion stores in as cur's next version unless nothing changed.
func (s *Service) nextTemplateVersion(ctx context.Context, tx haven.Tx, u *haven.User, cur *haven.Template, in haven.TemplateInput, now time.Time) (*haven.Template, bool, error) {
	in.Normalize()
	if err := in.Validate(); err != nil {
		return nil, false, err
	}
	next := *cur
	next.Name, next.Kind, next.Categories, next.Variants = in.Name, in.Kind, nonNilStrings(in.Categories), in.Variants
	if sameTemplate(cur, &next) {
		return cur, false, nil
	}
	next.Version, next.UpdatedAt = cur.Version+1, now
	if err := tx.UpdateTemplate(ctx, &next, userID(u)); err != nil {
		return nil, false, err
	}
	return &next, true, record(ctx, tx, now, u, "template.updated", "template", next.ID, 0, map[string]any{"version": next.Version})
}

func sameTemplate(a, b *haven.Template) bool {
	return a.Name == b.Name && a.Kind == b.Kind && slices.Equal(a.Categories, b.Categories) && maps.Equal(a.Variants, b.Variants)
}

// RetireTemplate takes a template out of the composer; messages keep naming its versions.
func (s *Service) RetireTemplate(ctx context.Context, id int64) error {
	u, err := templateEditor(ctx)
	if err != nil {
		return err
	}
	now := s.clock.Now()
	return s.store.Update(ctx, func(tx haven.Tx) error {
		if err := tx.RetireTemplate(ctx, id, now); err != nil {
			return err
		}
		return record(ctx, tx, now, u, "template.retired", "template", id, 0, nil)
	})
}

// RenderTemplate fills a template in for a case the caller may see, in the case's language or
// the nearest variant (haven.Template.TemplateLanguage), and says which.
func (s *Service) RenderTemplate(ctx context.Context, number string, templateID int64, platform string) (*haven.Rendered, error) {
	return readCase(ctx, s, number, func(tx haven.Tx, c *haven.Case) (*haven.Rendered, error) {
		t, err := tx.TemplateByID(ctx, templateID)
		if haven.ErrorCode(err) == haven.ENOTFOUND {
			return nil, &haven.Error{Code: haven.EINVALID, Message: "no such template", Fields: map[string]string{"template": "no such template"}}
		}
		if err != nil {
			return nil, err
		}
		u, _ := reader(ctx)
		return s.render(t, c, u, platform), nil
	})
}

// render fills t in for case c as written by u.
func (s *Service) render(t *haven.Template, c *haven.Case, u *haven.User, platform string) *haven.Rendered {
	lang, exact := t.TemplateLanguage(c.Language)
	handler := u.DisplayName
	if handler == "" {
		handler = u.Username
	}
	values := map[string]string{"requester_name": c.RequesterName, "case_number": c.Number, "handler_name": handler,
		"helpline_name": s.cfg.HelplineName, "today": s.clock.Now().Format(time.DateOnly), "platform": platform}
	v := t.Variants[lang]
	return &haven.Rendered{TemplateID: t.ID, Version: t.Version, Subject: haven.Fill(v.Subject, values),
		Body: haven.Fill(v.Body, values), Language: lang, Fallback: !exact}
}

// ImportTemplatesAsSystem creates or updates templates by name, as the console's operator.
func (s *Service) ImportTemplatesAsSystem(ctx context.Context, ins []haven.TemplateInput) (map[string]string, error) {
	out := map[string]string{}
	now := s.clock.Now()
	err := s.store.Update(ctx, func(tx haven.Tx) error {
		for _, in := range ins {
			what, err := s.importTemplate(ctx, tx, in, now)
			if err != nil {
				return &haven.Error{Code: haven.ErrorCode(err), Message: "template " + in.Name + ": " + haven.ErrorMessage(err), Err: err}
			}
			out[in.Name] = what
		}
		return nil
	})
	return out, err
}

func (s *Service) importTemplate(ctx context.Context, tx haven.Tx, in haven.TemplateInput, now time.Time) (string, error) {
	in.Normalize()
	cur, err := tx.TemplateByName(ctx, in.Name)
	if haven.ErrorCode(err) == haven.ENOTFOUND {
		_, err = s.createTemplate(ctx, tx, nil, in, now)
		return "added", err
	}
	if err != nil {
		return "", err
	}
	_, changed, err := s.nextTemplateVersion(ctx, tx, nil, cur, in, now)
	if changed {
		return "updated", err
	}
	return "unchanged", err
}

// userID is u's id, 0 for the console.
func userID(u *haven.User) int64 {
	if u == nil {
		return 0
	}
	return u.ID
}

func nonNilStrings(xs []string) []string {
	if xs == nil {
		return []string{}
	}
	return xs
}
