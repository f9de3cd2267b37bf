package indicator

import (
	"net/url"
	"strings"
)

// Handle is an account on a platform, read from a link to its profile: "instagram/fake.rania".
// (MISP has no single type for it; exports write it as the platform's account object.)
const Handle Type = "handle"

// Filename is the name of a file received (an attachment): not found in text, but recorded and
// shared like the file's hashes.
const Filename Type = "filename"

// profileHosts maps the hosts whose first path segment names an account to the platform's name.
var profileHosts = map[string]string{
	"instagram.com": "instagram", "facebook.com": "facebook", "fb.com": "facebook", "x.com": "x",
	"twitter.com": "x", "t.me": "telegram", "telegram.me": "telegram", "tiktok.com": "tiktok",
	"youtube.com": "youtube", "github.com": "github", "threads.net": "threads", "linkedin.com": "linkedin",
	"snapchat.com": "snapchat", "vk.com": "vk",
}

// notAccounts are first path segments that are pages of the platform, not accounts.
var notAccounts = map[string]bool{"p": true, "reel": true, "reels": true, "stories": true, "share": true,
	"watch": true, "login": true, "intent": true, "home": true, "explore": true, "hashtag": true, "i": true,
	"search": true, "settings": true, "help": true, "joinchat": true, "s": true, "c": true, "channel": true,
	"shorts": true, "groups": true, "events": true, "pages": true, "profile.php": true, "in": true,
	"add": true, "video": true, "tag": true, "messages": true, "privacy": true, "legal": true, "about": true}

// handle reads the account a profile link points at; "" when the link is not to a profile.
// linkedin.com/in/NAME and snapchat.com/add/NAME name the account in the second segment.
func handle(u *url.URL, host string) string {
	platform, ok := profileHosts[strings.TrimPrefix(strings.TrimPrefix(host, "www."), "m.")]
	if !ok {
		return ""
	}
	segments := strings.FieldsFunc(u.Path, func(r rune) bool { return r == '/' })
	if len(segments) >= 2 && (platform == "linkedin" && segments[0] == "in" || platform == "snapchat" && segments[0] == "add") {
		segments = segments[1:]
	} else if len(segments) == 0 || notAccounts[strings.ToLower(segments[0])] {
		return ""
	}
	name := strings.ToLower(strings.TrimPrefix(segments[0], "@"))
	if name == "" || len(name) > 100 || strings.ContainsAny(name, "?#%") {
		return ""
	}
	return platform + "/" + name
}
