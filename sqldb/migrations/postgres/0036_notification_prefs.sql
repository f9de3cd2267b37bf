-- Each user's choice, per kind of notification, of being emailed as well as told in the app
-- (issue 16). A kind without a row keeps its default (haven.EmailByDefault).
CREATE TABLE notification_prefs (
	user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
	kind    TEXT NOT NULL,
	email   BOOLEAN NOT NULL,
	PRIMARY KEY (user_id, kind)
);
