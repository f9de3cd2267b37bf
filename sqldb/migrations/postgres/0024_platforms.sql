-- The platforms whose Trust & Safety teams the helpline escalates to; names only at first, the
-- helpline fills in its own partner channels (issue 12).
CREATE TABLE platforms (
	slug       TEXT PRIMARY KEY,
	name       TEXT NOT NULL,
	kind       TEXT NOT NULL,
	retired_at BIGINT
);
INSERT INTO platforms (slug, name, kind) VALUES
	('facebook', 'Meta / Facebook', 'social'),
	('instagram', 'Instagram', 'social'),
	('whatsapp', 'WhatsApp', 'messaging'),
	('x', 'X (Twitter)', 'social'),
	('google', 'Google / Gmail', 'email'),
	('youtube', 'YouTube', 'social'),
	('tiktok', 'TikTok', 'social'),
	('telegram', 'Telegram', 'messaging'),
	('microsoft', 'Microsoft / Outlook', 'email'),
	('apple', 'Apple / iCloud', 'email'),
	('signal', 'Signal', 'messaging'),
	('linkedin', 'LinkedIn', 'social'),
	('hosting-abuse', 'Hosting provider or registrar (abuse desk)', 'hosting');
