package haven

import (
	"context"
	"strings"
	"time"
)

// SavedView is a user's named inbox view: the query string of the inbox (queue, filters, sort).
type SavedView struct {
	ID        int64     `json:"id"`
	UserID    int64     `json:"-"`
	Name      string    `json:"name"`
	Query     string    `json:"query"`
	CreatedAt time.Time `json:"created_at"`
}

// Validate checks a view.
func (v *SavedView) Validate() error {
	v.Name, v.Query = strings.TrimSpace(v.Name), strings.TrimPrefix(strings.TrimSpace(v.Query), "?")
	val := Validation{}
	val.Check(v.Name != "" && len(v.Name) <= 100, "name", "1 to 100 bytes")
	val.Check(len(v.Query) <= 2000, "query", "at most 2000 bytes")
	return val.Err()
}

// MeUpdate is what a user may change of their own account. Changing the password needs the
// current one.
type MeUpdate struct {
	DisplayName     *string `json:"display_name"`
	Language        *string `json:"language"`
	Password        *string `json:"password"`
	CurrentPassword string  `json:"current_password"`
}

// AccountService is what every user does with their own account and views.
type AccountService interface {
	UpdateMe(ctx context.Context, up MeUpdate) (*User, error)
	SavedViews(ctx context.Context) ([]*SavedView, error)
	SaveView(ctx context.Context, v SavedView) (*SavedView, error)
	DeleteView(ctx context.Context, id int64) error
	// RenameView renames one of the user's views.
	RenameView(ctx context.Context, id int64, name string) (*SavedView, error)
}

// SavedViewStore is what the service layer needs from storage for saved views.
type SavedViewStore interface {
	InsertSavedView(ctx context.Context, v *SavedView) error
	UserSavedViews(ctx context.Context, userID int64) ([]*SavedView, error)
	// DeleteSavedView deletes a view of the user; ENOTFOUND when they have none with this id.
	DeleteSavedView(ctx context.Context, userID, id int64) error
	// RenameSavedView renames a view of the user; ENOTFOUND when they have none with this id,
	// ECONFLICT when they already use the name.
	RenameSavedView(ctx context.Context, userID, id int64, name string) error
}
