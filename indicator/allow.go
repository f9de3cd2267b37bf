package indicator

// DefaultAllow is the allow-list a helpline starts from: the big webmail providers (whose domain
// says nothing about a sender) and the platforms people are attacked on (whose domains are in
// every report). Accounts on those platforms and addresses at those providers are still found;
// only the bare domains and links to them are left out. Admins add their own domains.
var DefaultAllow = []string{
	// webmail
	"gmail.com", "googlemail.com", "outlook.com", "hotmail.com", "live.com", "msn.com", "yahoo.com",
	"icloud.com", "me.com", "proton.me", "protonmail.com", "pm.me", "tutanota.com", "tuta.io",
	"riseup.net", "gmx.com", "gmx.net", "gmx.de", "web.de", "mail.ru", "yandex.ru", "yandex.com",
	"orange.fr", "free.fr", "laposte.net", "uol.com.br", "bol.com.br", "terra.com.br",
	// platforms
	"google.com", "youtube.com", "facebook.com", "fb.com", "instagram.com", "whatsapp.com", "meta.com",
	"threads.net", "x.com", "twitter.com", "t.me", "telegram.org", "signal.org", "tiktok.com",
	"linkedin.com", "github.com", "microsoft.com", "apple.com", "vk.com", "snapchat.com",
}
