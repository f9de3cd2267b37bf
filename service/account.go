package service

import (
	"context"

	"github.com/haven-helpline/haven"
)

var _ haven.AccountService = (*Service)(nil)

// UpdateMe changes the signed-in user's own name, language or password (with the current one).
// An account with a one-time password may change only that (and its language, to read the page).
func (s *Service) UpdateMe(ctx context.Context, up haven.MeUpdate) (*haven.User, error) {
	u, err := ownAccount(ctx, up)
	if err != nil {
		return nil, err
	}
	if up.Language != nil && !validUILanguage(*up.Language) {
		return nil, &haven.Error{Code: haven.EINVALID, Message: "unknown language",
			Fields: map[string]string{"language": "one of en, ar, es, fr, pt, ru"}}
	}
	if up.Password != nil && u.MustChangePassword && *up.Password == up.CurrentPassword {
		return nil, &haven.Error{Code: haven.EINVALID, Message: "choose a password of your own, not the one you were given",
			Fields: map[string]string{"password": "the same as the one-time password"}}
	}
	if up.Password != nil {
		if err := s.reauthenticate(ctx, u, up.CurrentPassword, "current_password", "your current password is needed to set a new one"); err != nil {
			return nil, err
		}
	}
	return s.updateUser(ctx, u, u.Username, haven.UserUpdate{DisplayName: up.DisplayName, Language: up.Language, Password: up.Password})
}

// ownAccount is the signed-in user changing their own account (see writerOrAuditor); one who must
// replace a one-time password may only do that, or pick their language.
func ownAccount(ctx context.Context, up haven.MeUpdate) (*haven.User, error) {
	a, ok := haven.ActorFrom(ctx)
	if !ok || !a.User.MustChangePassword || a.ReadOnly || a.User.Disabled {
		return writerOrAuditor(ctx)
	}
	if up.DisplayName != nil {
		return nil, mustChangePassword()
	}
	return a.User, nil
}

// writerOrAuditor is the signed-in user changing their own account: auditors may (it changes no
// case), read-only tokens may not.
func writerOrAuditor(ctx context.Context) (*haven.User, error) {
	u, err := reader(ctx)
	if err != nil {
		return nil, err
	}
	if a, _ := haven.ActorFrom(ctx); a.ReadOnly {
		return nil, haven.Errorf(haven.EFORBIDDEN, "this API token is read-only")
	}
	return u, nil
}

// validUILanguage lists the interface's languages.
func validUILanguage(l string) bool {
	switch l {
	case "en", "ar", "es", "fr", "pt", "ru":
		return true
	}
	return false
}

// SavedViews lists the user's inbox views.
func (s *Service) SavedViews(ctx context.Context) ([]*haven.SavedView, error) {
	u, err := reader(ctx)
	if err != nil {
		return nil, err
	}
	gen, now := s.readGeneration(), s.clock.Now()
	if kept, ok := s.reads.savedViews.get(u.ID, gen, now); ok {
		return copyEach(kept), nil // keptreads.go
	}
	var out []*haven.SavedView
	err = s.store.View(ctx, func(tx haven.Tx) (err error) {
		out, err = tx.UserSavedViews(ctx, u.ID)
		return err
	})
	if err == nil {
		s.reads.savedViews.put(u.ID, gen, now, copyEach(out))
	}
	return out, err
}

// SaveView stores an inbox view of the user.
func (s *Service) SaveView(ctx context.Context, v haven.SavedView) (*haven.SavedView, error) {
	u, err := writerOrAuditor(ctx)
	if err != nil {
		return nil, err
	}
	if err := v.Validate(); err != nil {
		return nil, err
	}
	v.UserID, v.CreatedAt = u.ID, s.clock.Now()
	err = s.store.Update(ctx, func(tx haven.Tx) error { return tx.InsertSavedView(ctx, &v) })
	if err != nil {
		return nil, err
	}
	return &v, nil
}

// DeleteView deletes one of the user's views.
func (s *Service) DeleteView(ctx context.Context, id int64) error {
	u, err := writerOrAuditor(ctx)
	if err != nil {
		return err
	}
	return s.store.Update(ctx, func(tx haven.Tx) error { return tx.DeleteSavedView(ctx, u.ID, id) })
}

// RenameView renames one of the user's views; another user's view answers as missing.
func (s *Service) RenameView(ctx context.Context, id int64, name string) (*haven.SavedView, error) {
	u, err := writerOrAuditor(ctx)
	if err != nil {
		return nil, err
	}
	v := haven.SavedView{ID: id, UserID: u.ID, Name: name}
	if err := v.Validate(); err != nil {
		return nil, err
	}
	err = s.store.Update(ctx, func(tx haven.Tx) error {
		if err := tx.RenameSavedView(ctx, u.ID, id, v.Name); err != nil {
			return err
		}
		views, err := tx.UserSavedViews(ctx, u.ID)
		for _, got := range views {
			if got.ID == id {
				v = *got
			}
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	return &v, nil
}
