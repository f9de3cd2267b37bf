package indicator

import "strings"

// MISPAttribute is how an observable is written as a MISP attribute: its type and category
// (MISP's describeTypes), whether it is meant for detection (to_ids), and a comment for the
// kinds MISP has no type of their own for.
type MISPAttribute struct {
	Type     string `json:"type"`
	Category string `json:"category"`
	ToIDS    bool   `json:"to_ids"`
	Value    string `json:"value"`
	Comment  string `json:"comment,omitempty"`
}

// MISP maps an observable onto a MISP attribute. Email addresses are written as senders
// (email-src): a helpline meets them as the From of a phishing mail; accounts on GitHub and X
// have their own types, others are text with the platform in the comment.
func (o Observable) MISP() MISPAttribute {
	a := MISPAttribute{Type: string(o.Type), Category: "Network activity", ToIDS: true, Value: o.Value}
	switch o.Type {
	case Email:
		a.Type, a.Category = "email-src", "Payload delivery"
	case MD5, SHA1, SHA256, Filename:
		a.Category = "Payload delivery"
	case Phone:
		a.Category, a.ToIDS = "Person", false
	case Handle:
		platform, login, _ := strings.Cut(o.Value, "/")
		a.Value, a.Category, a.ToIDS = login, "Social network", false
		switch platform {
		case "github":
			a.Type = "github-username"
		case "x":
			a.Type = "twitter-id"
		default:
			a.Type, a.Category, a.Comment = "text", "Other", platform+" account"
		}
	}
	return a
}
