package service

import (
	"context"
	"strings"

	"github.com/haven-helpline/haven"
)

var _ haven.CategoryService = (*Service)(nil)

// Categories lists the taxonomy (every signed-in user); retired ones only when asked.
func (s *Service) Categories(ctx context.Context, retired bool) ([]*haven.Category, error) {
	if _, err := reader(ctx); err != nil {
		return nil, err
	}
	out, err := s.allCategories(ctx)
	if !retired {
		kept := out[:0]
		for _, c := range out {
			if c.RetiredAt == nil {
				kept = append(kept, c)
			}
		}
		out = kept
	}
	return out, err
}

// allCategories reads the taxonomy, kept until the next write where the store can tell (every
// inbox and case page reads it for the labels).
func (s *Service) allCategories(ctx context.Context) ([]*haven.Category, error) {
	var gen uint64
	if s.lists != nil {
		gen = s.lists.generation()
		if kept := s.lists.categories(gen); kept != nil {
			return kept, nil
		}
	}
	var out []*haven.Category
	err := s.store.View(ctx, func(tx haven.Tx) (err error) {
		out, err = tx.Categories(ctx)
		return err
	})
	if err == nil && s.lists != nil {
		s.lists.putCategories(gen, out)
	}
	return out, err
}

// CreateCategory adds a category (admins) under an existing, live parent.
func (s *Service) CreateCategory(ctx context.Context, in haven.CategoryInput) (*haven.Category, error) {
	u, err := admin(ctx)
	if err != nil {
		return nil, err
	}
	in.Slug = strings.TrimSpace(in.Slug)
	if err := in.Validate(); err != nil {
		return nil, err
	}
	c := &haven.Category{Slug: in.Slug, Parent: haven.CategoryParent(in.Slug), Labels: in.Labels, Name: in.Labels["en"]}
	if c.Name == "" {
		c.Name = c.Slug
	}
	if c.Labels == nil {
		c.Labels = map[string]string{}
	}
	err = s.store.Update(ctx, func(tx haven.Tx) error {
		if err := liveParent(ctx, tx, c.Parent, "slug"); err != nil {
			return err
		}
		if err := tx.InsertCategory(ctx, c); err != nil {
			return err
		}
		return record(ctx, tx, s.clock.Now(), u, "category.created", "category", c.Slug, 0, nil)
	})
	return c, err
}

// liveParent refuses a parent that does not exist or is retired.
func liveParent(ctx context.Context, tx haven.Tx, parent, field string) error {
	if parent == "" {
		return nil
	}
	p, err := tx.CategoryBySlug(ctx, parent)
	if haven.ErrorCode(err) == haven.ENOTFOUND || err == nil && p.RetiredAt != nil {
		return &haven.Error{Code: haven.EINVALID, Message: "no live parent category " + parent,
			Fields: map[string]string{field: "create " + parent + " first"}}
	}
	return err
}

// UpdateCategory relabels, renames (cases, sub-categories and retention follow) or retires a
// category (admins).
func (s *Service) UpdateCategory(ctx context.Context, slug string, up haven.CategoryUpdate) (*haven.Category, error) {
	u, err := admin(ctx)
	if err != nil {
		return nil, err
	}
	var out *haven.Category
	err = s.store.Update(ctx, func(tx haven.Tx) error {
		if _, err := tx.CategoryBySlug(ctx, slug); err != nil {
			return err
		}
		cur, err := s.changeCategory(ctx, tx, u, slug, up)
		if err != nil {
			return err
		}
		out, err = tx.CategoryBySlug(ctx, cur)
		return err
	})
	return out, err
}

// changeCategory applies up and returns the category's slug after it.
func (s *Service) changeCategory(ctx context.Context, tx haven.Tx, u *haven.User, slug string, up haven.CategoryUpdate) (string, error) {
	now := s.clock.Now()
	if up.Labels != nil {
		in := haven.CategoryInput{Slug: slug, Labels: *up.Labels}
		if err := in.Validate(); err != nil {
			return "", err
		}
		if err := tx.SetCategoryLabels(ctx, slug, *up.Labels); err != nil {
			return "", err
		}
	}
	if up.Retired != nil {
		at := &now
		if !*up.Retired {
			at = nil
		}
		if err := tx.SetCategoryRetired(ctx, slug, at); err != nil {
			return "", err
		}
	}
	if up.Emergency != nil {
		if err := tx.SetCategoryEmergency(ctx, slug, *up.Emergency); err != nil {
			return "", err
		}
	}
	if up.Slug == nil || *up.Slug == slug {
		return slug, record(ctx, tx, now, u, "category.updated", "category", slug, 0, nil)
	}
	return s.renameCategory(ctx, tx, u, slug, strings.TrimSpace(*up.Slug))
}

func (s *Service) renameCategory(ctx context.Context, tx haven.Tx, u *haven.User, from, to string) (string, error) {
	if !haven.ValidCategorySlug(to) || strings.HasPrefix(to, from+"/") {
		return "", &haven.Error{Code: haven.EINVALID, Message: "bad new slug", Fields: map[string]string{"slug": "a slug, not under the category itself"}}
	}
	if err := liveParent(ctx, tx, haven.CategoryParent(to), "slug"); err != nil {
		return "", err
	}
	moved, err := tx.RenameCategory(ctx, from, to)
	if err != nil {
		return "", err
	}
	return to, record(ctx, tx, s.clock.Now(), u, "category.renamed", "category", to, 0, map[string]any{"from": from, "cases": moved})
}
