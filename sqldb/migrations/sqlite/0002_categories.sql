-- The default incident taxonomy. Admins may add more; cases reference categories by slug.
INSERT INTO categories (slug, name, parent) VALUES
	('account-compromise', 'Account compromise', NULL),
	('phishing', 'Phishing', NULL),
	('spyware', 'Spyware and stalkerware', NULL),
	('harassment', 'Online harassment', NULL),
	('doxxing', 'Doxxing', NULL),
	('impersonation', 'Impersonation', NULL),
	('threats', 'Threats of violence', NULL),
	('self-harm', 'Self-harm risk', NULL),
	('child-safety', 'Child safety', NULL),
	('device-security', 'Device security', NULL),
	('website-attack', 'Website attack (DDoS, defacement)', NULL),
	('other', 'Other', NULL);
