package haven

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"time"
)

// Category is one entry of the incident taxonomy. Slugs form a hierarchy with "/"
// (account-compromise/facebook is a kind of account-compromise); each has a label per language.
// Renaming a category moves its cases and sub-categories with it; retiring one keeps it on the
// cases that have it (history) but offers it to no new case.
type Category struct {
	Slug   string            `json:"slug"`
	Name   string            `json:"name"` // the English label (else the slug), for logs and the API's older clients
	Parent string            `json:"parent,omitempty"`
	Labels map[string]string `json:"labels"`
	// Emergency: a case opened in this category (or a sub-category) pages on-call at once.
	Emergency bool       `json:"emergency"`
	RetiredAt *time.Time `json:"retired_at,omitempty"`
}

// Label names the category in lang, else in English, else by its slug.
func (c *Category) Label(lang string) string {
	if l := c.Labels[lang]; l != "" {
		return l
	}
	if c.Name != "" {
		return c.Name
	}
	return c.Slug
}

// CategoryInput creates a category.
type CategoryInput struct {
	Slug   string            `json:"slug"`
	Labels map[string]string `json:"labels"`
}

// CategoryUpdate changes a category; nil leaves a field as it is.
type CategoryUpdate struct {
	Slug      *string            `json:"slug"` // a rename: its cases, sub-categories and retention policy follow
	Labels    *map[string]string `json:"labels"`
	Retired   *bool              `json:"retired"`
	Emergency *bool              `json:"emergency"`
}

var categorySlugRE = regexp.MustCompile(`^[a-z0-9][a-z0-9-]*(/[a-z0-9][a-z0-9-]*){0,3}$`)

// ValidCategorySlug reports whether s can name a category (at most four levels, 64 bytes).
func ValidCategorySlug(s string) bool { return len(s) <= MaxTag && categorySlugRE.MatchString(s) }

// CategoryParent is the category a slug sits under ("" at the top).
func CategoryParent(slug string) string {
	if i := strings.LastIndexByte(slug, '/'); i > 0 {
		return slug[:i]
	}
	return ""
}

// validateCategories checks a case's categories: known shapes of slug (existence is the
// service's check).
func validateCategories(v Validation, categories []string) {
	v.Check(len(categories) <= MaxTags, "categories", fmt.Sprintf("at most %d", MaxTags))
	for _, c := range categories {
		if !ValidCategorySlug(c) {
			v.Add("categories", fmt.Sprintf("%q: lower-case letters, digits and -, with / between levels", c))
		}
	}
}

// Validate checks the input.
func (in *CategoryInput) Validate() error {
	v := Validation{}
	v.Check(ValidCategorySlug(in.Slug), "slug", "lower-case letters, digits and -, with / between levels (at most 4)")
	validateLabels(v, in.Labels)
	return v.Err()
}

func validateLabels(v Validation, labels map[string]string) {
	for lang, l := range labels {
		v.Check(lang != "" && validLanguage(lang), "labels."+lang, "not a language tag")
		v.Check(strings.TrimSpace(l) != "" && len(l) <= 200, "labels."+lang, "required, at most 200 bytes")
	}
}

// CategoryService administers the taxonomy.
type CategoryService interface {
	Categories(ctx context.Context, retired bool) ([]*Category, error)
	CreateCategory(ctx context.Context, in CategoryInput) (*Category, error)
	UpdateCategory(ctx context.Context, slug string, up CategoryUpdate) (*Category, error)
}

// CategoryStore is what the service layer needs from storage for the taxonomy.
type CategoryStore interface {
	Categories(ctx context.Context) ([]*Category, error)
	CategoryBySlug(ctx context.Context, slug string) (*Category, error)
	InsertCategory(ctx context.Context, c *Category) error
	SetCategoryLabels(ctx context.Context, slug string, labels map[string]string) error
	SetCategoryRetired(ctx context.Context, slug string, at *time.Time) error
	SetCategoryEmergency(ctx context.Context, slug string, emergency bool) error
	// AnyEmergencyCategory reports whether one of the slugs is an emergency category.
	AnyEmergencyCategory(ctx context.Context, slugs []string) (bool, error)
	// RenameCategory renames a category and its sub-categories, on every case, label and
	// retention policy that names them, and returns how many cases moved.
	RenameCategory(ctx context.Context, from, to string) (int, error)
}
