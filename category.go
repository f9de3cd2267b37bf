package haven

import "context"

// Category is one entry of the incident taxonomy (seeded by migration; cases reference slugs).
type Category struct {
	Slug   string `json:"slug"`
	Name   string `json:"name"`
	Parent string `json:"parent,omitempty"`
}

// CategoryStore is what the service layer needs from storage for the taxonomy.
type CategoryStore interface {
	Categories(ctx context.Context) ([]*Category, error)
	CategoryBySlug(ctx context.Context, slug string) (*Category, error)
}
