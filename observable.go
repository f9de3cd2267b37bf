package haven

import (
	"context"
	"slices"
	"strings"
	"time"
)

// Indicator verdicts a handler gives an observable; "" means not judged yet.
const (
	VerdictMalicious  = "malicious"
	VerdictSuspicious = "suspicious"
	VerdictBenign     = "benign"
)

// Verdicts lists the verdicts an observable may carry.
func Verdicts() []string { return []string{VerdictMalicious, VerdictSuspicious, VerdictBenign} }

// PAPs lists the Permissible Actions Protocol levels (what a recipient may do with an indicator).
func PAPs() []string { return []string{"clear", "green", "amber", "red"} }

// ObservableTypes lists the kinds of value Haven extracts and imports (MISP type names, with
// "email" for an address and "handle" for "platform/login").
func ObservableTypes() []string {
	return []string{"url", "domain", "ip-dst", "email", "phone-number", "md5", "sha1", "sha256", "filename", "handle"}
}

// Sighting roles: where in a message, note or file a value was seen.
const (
	RoleBody       = "body"
	RoleLink       = "link"
	RoleFrom       = "from"
	RoleReplyTo    = "reply-to"
	RoleReturnPath = "return-path"
	RoleAttachment = "attachment"
	RoleNote       = "note"
	RoleImport     = "import"
)

// Observable is a value seen in cases (a URL, a domain, an address, a file hash…) that a handler
// may judge as an indicator. Its value is personal data: encrypted at rest, found by a keyed
// blind index, and visible only to someone who may see a case it was seen in — or, for indicators
// taken in from a partner's feed, to every reader.
type Observable struct {
	ID         int64      `json:"id"`
	Type       string     `json:"type"`
	Value      string     `json:"value"`
	Unicode    string     `json:"unicode,omitempty"` // an internationalised domain as people read it
	Flags      []string   `json:"flags,omitempty"`   // mixed-script, look-alike:<brand>
	Verdict    string     `json:"verdict"`
	TLP        TLP        `json:"tlp"`
	PAP        string     `json:"pap"`
	Confidence int        `json:"confidence"` // 0 (unknown) … 100
	Comment    string     `json:"comment,omitempty"`
	Techniques []string   `json:"techniques"`
	Source     string     `json:"source,omitempty"` // the feed it was imported from
	KnownBad   bool       `json:"known_bad"`        // a partner's feed lists it as malicious
	FirstSeen  *time.Time `json:"first_seen,omitempty"`
	LastSeen   *time.Time `json:"last_seen,omitempty"`
	UpdatedAt  time.Time  `json:"updated_at"`
	// Cases counts the cases the reader may see that sighted it (capped at MaxAlsoSeen+1).
	Cases int `json:"cases"`
}

// IsIndicator reports whether a handler (or a feed) has judged the observable.
func (o *Observable) IsIndicator() bool { return o.Verdict != "" }

// TagKnownBad marks a case that sighted a value a partner's feed lists as malicious: the inbox
// shows it and can filter on it.
const TagKnownBad = "known-bad"

// MaxAlsoSeen is how many other cases the case page names per observable; beyond it, "and more".
const MaxAlsoSeen = 5

// Found is one value an extractor found, ready to be sighted.
type Found struct {
	Type    string
	Value   string
	Unicode string
	Flags   []string
	Role    string
}

// SightingSource names what a value was seen in: a message, a note, an attachment.
type SightingSource struct {
	Kind string // message, note, attachment
	ID   int64
}

// CaseRef names another case an observable was seen in, as far as the reader may see it.
type CaseRef struct {
	Number   string    `json:"number"`
	LastSeen time.Time `json:"last_seen"`
}

// CaseObservable is an observable as seen in one case, with the other visible cases sharing it.
type CaseObservable struct {
	Observable
	Roles       []string  `json:"roles"`
	SeenFirst   time.Time `json:"seen_first"` // in this case
	SeenLast    time.Time `json:"seen_last"`
	AlsoSeen    []CaseRef `json:"also_seen"`
	AlsoSeenMax bool      `json:"also_seen_more"` // more cases than listed
	// File is the attachment a hash or file name was read from ("attachment-12"): the values of
	// one file travel together (a MISP file object).
	File string `json:"-"`
}

// Sighting is one time a value was seen in a case.
type Sighting struct {
	ID           int64     `json:"id"`
	ObservableID int64     `json:"observable_id"`
	CaseID       int64     `json:"-"`
	CaseNumber   string    `json:"case"`
	Source       string    `json:"source"` // message, note, attachment
	SourceID     int64     `json:"source_id"`
	Role         string    `json:"role"`
	SeenAt       time.Time `json:"seen_at"`
}

// ObservableUpdate is a handler's judgement of an observable; nil fields stay as they are.
type ObservableUpdate struct {
	Verdict    *string   `json:"verdict"`
	TLP        *TLP      `json:"tlp"`
	PAP        *string   `json:"pap"`
	Confidence *int      `json:"confidence"`
	Comment    *string   `json:"comment"`
	Techniques *[]string `json:"techniques"`
}

// Validate checks the values given; techniques are checked by the service against the ATT&CK list.
func (u *ObservableUpdate) Validate() error {
	v := Validation{}
	if u.Verdict != nil {
		v.Check(*u.Verdict == "" || slices.Contains(Verdicts(), *u.Verdict), "verdict", "one of malicious, suspicious, benign, or empty")
	}
	if u.TLP != nil {
		v.Check(u.TLP.Valid(), "tlp", "one of clear, green, amber, amber+strict, red")
	}
	if u.PAP != nil {
		v.Check(slices.Contains(PAPs(), *u.PAP), "pap", "one of clear, green, amber, red")
	}
	if u.Confidence != nil {
		v.Check(*u.Confidence >= 0 && *u.Confidence <= 100, "confidence", "from 0 to 100")
	}
	if u.Comment != nil {
		*u.Comment = strings.TrimSpace(*u.Comment)
		v.Check(len(*u.Comment) <= 4000, "comment", "at most 4,000 characters")
	}
	return v.Err()
}

// Apply writes the update onto o and returns the names of the fields that changed.
func (u *ObservableUpdate) Apply(o *Observable) []string {
	var changed []string
	set := func(name string, differs bool, do func()) {
		if differs {
			do()
			changed = append(changed, name)
		}
	}
	if u.Verdict != nil {
		set("verdict", *u.Verdict != o.Verdict, func() { o.Verdict = *u.Verdict })
	}
	if u.TLP != nil {
		set("tlp", *u.TLP != o.TLP, func() { o.TLP = *u.TLP })
	}
	if u.PAP != nil {
		set("pap", *u.PAP != o.PAP, func() { o.PAP = *u.PAP })
	}
	if u.Confidence != nil {
		set("confidence", *u.Confidence != o.Confidence, func() { o.Confidence = *u.Confidence })
	}
	if u.Comment != nil {
		set("comment", *u.Comment != o.Comment, func() { o.Comment = *u.Comment })
	}
	if u.Techniques != nil {
		set("techniques", !slices.Equal(*u.Techniques, o.Techniques), func() { o.Techniques = *u.Techniques })
	}
	return changed
}

// ObservableFilter finds observables: by exact value (any form the extractor understands:
// defanged, Unicode) and type.
type ObservableFilter struct {
	Q     string `json:"q"`
	Type  string `json:"type"`
	Limit int    `json:"limit"`
}

// AllowList is the domains whose values are never observables: the helpline's own, the big
// webmail providers, the platforms. Default is true while nobody has edited Haven's starting list.
type AllowList struct {
	Domains   []string   `json:"domains"`
	Default   bool       `json:"default"`
	UpdatedAt *time.Time `json:"updated_at,omitempty"`
}

// ObservableStore keeps observables and their sightings.
type ObservableStore interface {
	// SightObservables records values seen in a case's message, note or file; it returns the
	// observables it touched that a partner's feed lists as known-bad.
	SightObservables(ctx context.Context, caseID int64, src SightingSource, found []Found, at time.Time) ([]*Observable, error)
	ObservableByID(ctx context.Context, id int64) (*Observable, error)
	// ObservableIDByValue finds an observable's id by type and normalised value (blind index);
	// what it is, is read through ObservableVisible and ObservableByID.
	ObservableIDByValue(ctx context.Context, typ, value string) (int64, error)
	UpdateObservable(ctx context.Context, o *Observable) error
	// ImportObservable creates or updates a feed's indicator; created is false when it existed.
	ImportObservable(ctx context.Context, o *Observable) (created bool, err error)
	// ObservableVisible reports whether v may see it: sighted in a case v may see, or from a feed.
	ObservableVisible(ctx context.Context, id int64, v Viewer) (bool, error)
	CaseObservables(ctx context.Context, caseID int64) ([]*CaseObservable, error)
	// AlsoSeen lists up to limit other cases v may see that sighted the observable, latest first.
	AlsoSeen(ctx context.Context, observableID, exceptCase int64, v Viewer, limit int) ([]CaseRef, error)
	// CaseCorrelations is AlsoSeen for every observable the case sighted, by observable id.
	CaseCorrelations(ctx context.Context, caseID int64, v Viewer, limit int) (map[int64][]CaseRef, error)
	// Sightings lists the sightings in cases v may see, newest first, after the keyset cursor.
	Sightings(ctx context.Context, observableID int64, v Viewer, before int64, limit int) ([]*Sighting, error)
	// CasesSighting lists the ids of cases that sighted the observable (for flagging, not shown).
	CasesSighting(ctx context.Context, observableID int64) ([]int64, error)
}

// ObservableService is what the web layer and the CLI ask about observables.
type ObservableService interface {
	CaseObservables(ctx context.Context, number string) ([]*CaseObservable, error)
	Observable(ctx context.Context, id int64) (*Observable, error)
	FindObservables(ctx context.Context, f ObservableFilter) ([]*Observable, error)
	UpdateObservable(ctx context.Context, id int64, up ObservableUpdate) (*Observable, error)
	Sightings(ctx context.Context, id int64, before int64) ([]*Sighting, error)
	AllowList(ctx context.Context) (*AllowList, error)
	SetAllowList(ctx context.Context, domains []string) (*AllowList, error)
}
