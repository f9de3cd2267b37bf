package haven

import (
	"context"
	"net/url"
	"regexp"
	"strings"
	"time"
)

// PageChannel is one way to page a user besides the app: an email address, or a webhook (a JSON
// POST signed with HMAC-SHA256, for a Matrix, Slack, Signal or SMS gateway). A channel is used
// only once verified with the code its test message carried. Addresses and secrets are sealed.
type PageChannel struct {
	ID         int64      `json:"id"`
	UserID     int64      `json:"-"`
	Kind       string     `json:"kind"`             // email, webhook
	Address    string     `json:"address"`          // an email address, or the webhook's https:// URL
	Secret     string     `json:"secret,omitempty"` // the webhook's signing key: shown once, when added
	QuietStart string     `json:"quiet_start,omitempty"`
	QuietEnd   string     `json:"quiet_end,omitempty"`
	TimeZone   string     `json:"time_zone,omitempty"`
	VerifiedAt *time.Time `json:"verified_at,omitempty"`
	CreatedAt  time.Time  `json:"created_at"`
	// CodeHash and CodeExpires are the pending verification code's (hashed).
	CodeHash    string     `json:"-"`
	CodeExpires *time.Time `json:"-"`
}

// PageChannelInput adds a channel. Quiet hours ("22:00"–"07:00" in TimeZone) hold pages back,
// except for P1 cases.
type PageChannelInput struct {
	Kind       string `json:"kind"`
	Address    string `json:"address"`
	QuietStart string `json:"quiet_start"`
	QuietEnd   string `json:"quiet_end"`
	TimeZone   string `json:"time_zone"`
}

var clockRE = regexp.MustCompile(`^([01][0-9]|2[0-3]):[0-5][0-9]$`)

// Validate checks the input.
func (in *PageChannelInput) Validate() error {
	in.Address = strings.TrimSpace(in.Address)
	v := Validation{}
	switch in.Kind {
	case "email":
		v.Check(validEmail(in.Address), "address", "an email address")
	case "webhook":
		u, err := url.Parse(in.Address)
		v.Check(err == nil && (u.Scheme == "https" || u.Scheme == "http") && u.Host != "" && len(in.Address) <= 2000,
			"address", "an http(s):// URL")
	default:
		v.Add("kind", "email or webhook")
	}
	quiet := in.QuietStart != "" || in.QuietEnd != ""
	v.Check(!quiet || clockRE.MatchString(in.QuietStart) && clockRE.MatchString(in.QuietEnd), "quiet_start", "HH:MM, both or neither")
	if quiet {
		_, err := time.LoadLocation(in.TimeZone)
		v.Check(in.TimeZone != "" && err == nil, "time_zone", "an IANA time zone, e.g. Europe/Paris")
	}
	return v.Err()
}

// InQuietHours reports whether t falls in the channel's quiet hours.
func (c *PageChannel) InQuietHours(t time.Time) bool {
	if c.QuietStart == "" {
		return false
	}
	loc, err := time.LoadLocation(c.TimeZone)
	if err != nil {
		return false
	}
	now := t.In(loc).Format("15:04")
	if c.QuietStart <= c.QuietEnd {
		return now >= c.QuietStart && now < c.QuietEnd
	}
	return now >= c.QuietStart || now < c.QuietEnd // overnight
}

// PageDelivery is one message to send on a channel: a page (with its acknowledge link) or a
// channel's test (with its verification code). References only: no case title, no message.
type PageDelivery struct {
	ID        int64  `json:"id"`
	AlertID   int64  `json:"alert_id,omitempty"`
	ChannelID int64  `json:"channel_id"`
	Kind      string `json:"kind"` // page, test
	Channel   *PageChannel
	Subject   string
	Text      string
	JSON      []byte // the webhook's body
}

// Job kinds of paging channels.
const (
	// JobPageDeliver sends one PageDelivery; its payload is {"delivery_id": N}.
	JobPageDeliver = "page.deliver"
)

// PageChannelService keeps a user's own channels and delivers pages on them.
type PageChannelService interface {
	PageChannels(ctx context.Context) ([]*PageChannel, error)
	AddPageChannel(ctx context.Context, in PageChannelInput) (*PageChannel, error)
	VerifyPageChannel(ctx context.Context, id int64, code string) (*PageChannel, error)
	DeletePageChannel(ctx context.Context, id int64) error
	// TestPageChannel sends a channel a test message again, with a fresh code (for a channel not
	// verified yet, the code that verifies it).
	TestPageChannel(ctx context.Context, id int64) error
	// PageDelivery is what the sender job sends (run as the system); PageDelivered records the
	// attempt's result on the alert's history.
	PageDelivery(ctx context.Context, id int64) (*PageDelivery, error)
	PageDelivered(ctx context.Context, id int64, result string, ok bool) error
	// AcknowledgeByLink acknowledges an alert with a link's token, as the user it was sent to:
	// once, before it expires.
	AcknowledgeByLink(ctx context.Context, token string) (*Alert, error)
}

// PageChannelStore keeps channels, deliveries and acknowledge links.
type PageChannelStore interface {
	UserPageChannels(ctx context.Context, userID int64) ([]*PageChannel, error)
	PageChannelByID(ctx context.Context, id int64) (*PageChannel, error)
	InsertPageChannel(ctx context.Context, c *PageChannel) error
	UpdatePageChannel(ctx context.Context, c *PageChannel) error
	DeletePageChannel(ctx context.Context, id int64) error
	InsertPageDelivery(ctx context.Context, d *PageDelivery, userID int64, at time.Time) error
	PageDeliveryByID(ctx context.Context, id int64) (d *PageDelivery, userID int64, err error)
	InsertAckLink(ctx context.Context, hash string, alertID, userID int64, expires time.Time) error
	// UseAckLink marks the link used and returns its alert and user; ENOTFOUND when unknown,
	// used or expired.
	UseAckLink(ctx context.Context, hash string, at time.Time) (alertID, userID int64, err error)
}
