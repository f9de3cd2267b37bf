package share

import (
	"time"

	"github.com/haven-helpline/haven/indicator"
)

// sampleExport is a phishing campaign as a helpline meets it: look-alike domains and links,
// a sender, a dropped file's hashes, a phone number and an impersonating account, two cases,
// an actor; with items above an amber ceiling that must never leave.
func sampleExport() Export {
	day := func(d int) time.Time { return time.Date(2025, 3, d, 9, 30, 0, 0, time.UTC) }
	return Export{
		Identity: Identity{Name: "Helpline Example", Contact: "security@helpline.example.org"},
		Created:  time.Date(2025, 3, 20, 12, 0, 0, 0, time.UTC),
		TLPMax:   TLPAmber,
		Indicators: []Indicator{
			{Key: "obs-1", Observable: indicator.Observable{Type: indicator.Domain, Value: "paypa1-secure-login.com"}, Verdict: Malicious,
				TLP: TLPAmber, Confidence: 80, FirstSeen: day(2), LastSeen: day(9), Comment: "Look-alike of PayPal used in SMS lures", Techniques: []string{"T1566.002"}},
			{Key: "obs-2", Observable: indicator.Observable{Type: indicator.URL, Value: "https://paypa1-secure-login.com/verify?id=7&x='q'"}, Verdict: Malicious,
				TLP: TLPGreen, FirstSeen: day(2), Techniques: []string{"T1566.002", "T1598"}},
			{Key: "obs-3", Observable: indicator.Observable{Type: indicator.Email, Value: "support@paypa1-secure-login.com"}, Verdict: Suspicious, TLP: TLPAmber},
			{Key: "obs-4", Observable: indicator.Observable{Type: indicator.IP, Value: "203.0.113.7"}, TLP: TLPClear},
			{Key: "obs-5", Observable: indicator.Observable{Type: indicator.SHA256, Value: "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"},
				Verdict: Malicious, TLP: TLPAmber, File: "invoice.pdf.exe"},
			{Key: "obs-6", Observable: indicator.Observable{Type: indicator.MD5, Value: "098f6bcd4621d373cade4e832627b4f6"}, Verdict: Malicious, TLP: TLPAmber, File: "invoice.pdf.exe"},
			{Key: "obs-7", Observable: indicator.Observable{Type: indicator.Phone, Value: "+33612345678"}, Verdict: Suspicious, TLP: TLPAmber},
			{Key: "obs-8", Observable: indicator.Observable{Type: indicator.Handle, Value: "x/paypal_support_desk"}, Verdict: Malicious, TLP: TLPGreen},
			{Key: "obs-9", Observable: indicator.Observable{Type: indicator.Domain, Value: "victim-home-router.net"}, Verdict: Malicious, TLP: TLPRed},
			{Key: "obs-10", Observable: indicator.Observable{Type: indicator.Domain, Value: "strict-partner-only.com"}, Verdict: Malicious, TLP: TLPAmberStrict},
			{Key: "obs-11", Observable: indicator.Observable{Type: indicator.Domain, Value: "real-bank-help.org"}, Verdict: Benign, TLP: TLPClear},
			{Key: "obs-12", Observable: indicator.Observable{Type: indicator.IP, Value: "2001:db8::7"}, Verdict: Malicious, TLP: TLPGreen},
		},
		Techniques: []Technique{
			{ID: "T1566.002", Name: "Spearphishing Link", SourceName: "mitre-attack", URL: "https://attack.mitre.org/techniques/T1566/002/"},
			{ID: "T1598", Name: "Phishing for Information", SourceName: "mitre-attack", URL: "https://attack.mitre.org/techniques/T1598/"},
			{ID: "T1660", Name: "Phishing", SourceName: "mitre-mobile-attack", URL: "https://attack.mitre.org/techniques/T1660/"},
		},
		Groups: []Group{
			{Key: "case-101", Name: "SMS lure to a journalist", TLP: TLPAmber, FirstSeen: day(2), LastSeen: day(9),
				Indicators: []string{"obs-1", "obs-2", "obs-3", "obs-4", "obs-9"}, Techniques: []string{"T1660"}},
			{Key: "case-102", Name: "Fake invoice to an NGO", TLP: TLPGreen, FirstSeen: day(5),
				Indicators: []string{"obs-5", "obs-6", "obs-7", "obs-8", "obs-12"}},
			{Key: "case-103", Name: "Confidential", TLP: TLPRed, Indicators: []string{"obs-1"}},
		},
		Actors: []Actor{
			{Key: "actor-1", Name: "Fake Payments Crew", Description: "Financially motivated phishing group", Aliases: []string{"FPC"}, TLP: TLPGreen},
			{Key: "actor-2", Name: "Secret Sponsor", TLP: TLPRed, Kind: IntrusionSet},
			{Key: "actor-3", Name: "Lure Kit Operators", TLP: TLPAmber, Kind: IntrusionSet},
		},
		Campaigns: []Campaign{
			{Key: "camp-1", Name: "PayPal look-alikes, spring 2025", TLP: TLPGreen, FirstSeen: day(2), LastSeen: day(9),
				ActorKeys: []string{"actor-1", "actor-2", "actor-3"}, GroupKeys: []string{"case-101", "case-102", "case-103"}, Techniques: []string{"T1566.002"}},
			{Key: "camp-2", Name: "Hidden", TLP: TLPRed},
		},
	}
}
