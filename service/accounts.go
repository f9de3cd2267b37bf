package service

import (
	"context"

	"github.com/haven-helpline/haven"
)

// Tokens lists username's API tokens, revoked ones included: one's own, or anyone's for admins.
func (s *Service) Tokens(ctx context.Context, username string) ([]*haven.APIToken, error) {
	me, err := reader(ctx)
	if err != nil {
		return nil, err
	}
	if me.Username != username && !me.IsAdmin() {
		return nil, haven.Errorf(haven.EFORBIDDEN, "only admins can list the tokens of others")
	}
	return s.tokens(ctx, username)
}

// TokensAsSystem lists a user's tokens for the console operator (`haven token list`).
func (s *Service) TokensAsSystem(ctx context.Context, username string) ([]*haven.APIToken, error) {
	return s.tokens(ctx, username)
}

func (s *Service) tokens(ctx context.Context, username string) ([]*haven.APIToken, error) {
	var list []*haven.APIToken
	err := s.store.View(ctx, func(tx haven.Tx) error {
		u, err := tx.UserByUsername(ctx, username)
		if err != nil {
			return err
		}
		list, err = tx.UserAPITokens(ctx, u.ID)
		return err
	})
	return list, err
}

// RevokeToken revokes one of the caller's tokens, or anyone's for an admin. Another user's
// token is "not found" for non-admins, so token ids reveal nothing. Revoking twice is harmless.
func (s *Service) RevokeToken(ctx context.Context, username string, id int64) error {
	me, err := credentialsActor(ctx)
	if err != nil {
		return err
	}
	return s.revokeToken(ctx, me, username, id)
}

// RevokeTokenAsSystem revokes a token from the console (`haven token revoke`).
func (s *Service) RevokeTokenAsSystem(ctx context.Context, username string, id int64) error {
	return s.revokeToken(ctx, nil, username, id)
}

func (s *Service) revokeToken(ctx context.Context, actor *haven.User, username string, id int64) error {
	return s.store.Update(ctx, func(tx haven.Tx) error {
		missing := haven.Errorf(haven.ENOTFOUND, "token %d not found", id)
		t, err := tx.APITokenByID(ctx, id)
		if haven.ErrorCode(err) == haven.ENOTFOUND {
			return missing
		}
		if err != nil {
			return err
		}
		if actor != nil && actor.ID != t.UserID && !actor.IsAdmin() || username != "" && t.Username != username {
			return missing
		}
		if t.Revoked {
			return nil
		}
		if err := tx.RevokeAPIToken(ctx, id); err != nil {
			return err
		}
		now := s.clock.Now()
		if actor == nil || actor.ID != t.UserID {
			owner, err := tx.UserByID(ctx, t.UserID)
			if err != nil {
				return err
			}
			if err := notifyAccount(ctx, tx, now, actor, owner, haven.NoticeTokenRevoked); err != nil {
				return err
			}
		}
		return record(ctx, tx, now, actor, "token.revoked", "user", t.Username, 0, map[string]any{"token_id": id})
	})
}

// SignOutEverywhere ends every browser session of username, and their API tokens unless
// configured otherwise: one's own, or anyone's for admins (who tell the user so).
func (s *Service) SignOutEverywhere(ctx context.Context, username string) error {
	me, err := credentialsActor(ctx)
	if err != nil {
		return err
	}
	if me.Username != username && !me.IsAdmin() {
		return haven.Errorf(haven.EFORBIDDEN, "only admins can sign others out")
	}
	now := s.clock.Now()
	return s.store.Update(ctx, func(tx haven.Tx) error {
		u, err := tx.UserByUsername(ctx, username)
		if err != nil {
			return err
		}
		data, err := s.endCredentials(ctx, tx, u)
		if err != nil {
			return err
		}
		if err := notifyAccount(ctx, tx, now, me, u, haven.NoticeSignedOut); err != nil {
			return err
		}
		return record(ctx, tx, now, me, "user.signed_out_everywhere", "user", u.Username, 0, data)
	})
}

// credentialsActor returns the acting user for ending credentials (tokens, sessions). Any role may
// end its own (an auditor too: taking access away is always allowed), but not through a
// read-only token, which changes nothing.
func credentialsActor(ctx context.Context) (*haven.User, error) {
	me, err := reader(ctx)
	if err != nil {
		return nil, err
	}
	if a, _ := haven.ActorFrom(ctx); a.ReadOnly {
		return nil, haven.Errorf(haven.EFORBIDDEN, "this API token is read-only")
	}
	return me, nil
}
