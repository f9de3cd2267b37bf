package sqldb

import (
	"context"

	"github.com/haven-helpline/haven"
)

// InsertSavedView stores a view; a name the user already uses gives ECONFLICT.
func (tx *Tx) InsertSavedView(ctx context.Context, v *haven.SavedView) error {
	id, err := tx.insertID(ctx, "insert view", `INSERT INTO saved_views (user_id, name, query, created_at)
		VALUES ($1, $2, $3, $4) RETURNING id`, v.UserID, v.Name, v.Query, micros(v.CreatedAt))
	if haven.ErrorCode(err) == haven.ECONFLICT {
		return &haven.Error{Code: haven.ECONFLICT, Message: "you already have a view named " + v.Name,
			Fields: map[string]string{"name": "already used"}, Err: err}
	}
	v.ID = id
	return err
}

// UserSavedViews lists a user's views by name.
func (tx *Tx) UserSavedViews(ctx context.Context, userID int64) ([]*haven.SavedView, error) {
	return queryAll(ctx, tx, "views", `SELECT id, user_id, name, query, created_at FROM saved_views
		WHERE user_id = $1 ORDER BY name`, func(row rowScanner) (*haven.SavedView, error) {
		v := &haven.SavedView{}
		var at int64
		err := row.Scan(&v.ID, &v.UserID, &v.Name, &v.Query, &at)
		v.CreatedAt = fromMicros(at)
		return v, err
	}, userID)
}

// DeleteSavedView deletes one of a user's views.
func (tx *Tx) DeleteSavedView(ctx context.Context, userID, id int64) error {
	res, err := tx.exec(ctx, "delete view", `DELETE FROM saved_views WHERE user_id = $1 AND id = $2`, userID, id)
	if err != nil {
		return err
	}
	return expectOne(res, "view")
}

// RenameSavedView renames one of a user's views; a name they already use gives ECONFLICT.
func (tx *Tx) RenameSavedView(ctx context.Context, userID, id int64, name string) error {
	res, err := tx.exec(ctx, "rename view", `UPDATE saved_views SET name = $1 WHERE user_id = $2 AND id = $3`, name, userID, id)
	if haven.ErrorCode(err) == haven.ECONFLICT {
		return &haven.Error{Code: haven.ECONFLICT, Message: "you already have a view named " + name,
			Fields: map[string]string{"name": "already used"}, Err: err}
	}
	if err != nil {
		return err
	}
	return expectOne(res, "view")
}
