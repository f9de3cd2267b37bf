-- Notifications for one user each (e.g. a break-glass opening of a restricted case of theirs).
CREATE TABLE notifications (
	id         BIGSERIAL PRIMARY KEY,
	user_id    INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
	kind       TEXT NOT NULL,
	case_id    INTEGER REFERENCES cases(id),
	actor_id   INTEGER REFERENCES users(id),
	text       TEXT NOT NULL,
	created_at BIGINT NOT NULL,
	read_at    BIGINT
);
CREATE INDEX notifications_user ON notifications(user_id, id);
