// Package share writes what a helpline has learnt — indicators, the cases they were seen in,
// campaigns, actors and ATT&CK techniques — as STIX 2.1 bundles and MISP events for partners,
// and reads partners' STIX 2.1 bundles and MISP events back into observables. It knows nothing
// of cases or storage: the caller maps its records onto the neutral model below and decides what
// may be shared; the package still drops whatever ranks above the export's TLP ceiling.
package share

import (
	"time"

	"github.com/haven-helpline/haven/indicator"
)

// Identity is the helpline that exports.
type Identity struct {
	Name    string
	Contact string
}

// Verdicts an indicator can carry. NoVerdict marks a plain observable: it is shared as what was
// seen (a STIX cyber-observable in observed-data, a MISP attribute not meant for detection),
// never as a detection rule.
const (
	Malicious  = "malicious"
	Suspicious = "suspicious"
	Benign     = "benign"
	NoVerdict  = ""
)

// Indicator is one observable the helpline shares, with what it thinks of it.
type Indicator struct {
	Key        string // stable key from the caller ("obs-42"): object ids derive from it, so re-exports are stable
	Observable indicator.Observable
	Verdict    string // Malicious, Suspicious, Benign or NoVerdict
	TLP        TLP
	Confidence int // 0..100; 0 = unknown (omitted)
	FirstSeen  time.Time
	LastSeen   time.Time
	Comment    string   // already vetted by the caller for sharing
	Techniques []string // ATT&CK ids ("T1566.002") this indicator is linked to
	// File groups hashes of the same file: indicators with the same non-empty File are written
	// as one MISP file object. STIX keeps one file object per hash (their ids derive from the hash).
	File string
}

// Technique is an ATT&CK technique, as plain data from the caller.
type Technique struct {
	ID         string // "T1566" or "T1566.002"
	Name       string
	SourceName string // "mitre-attack" or "mitre-mobile-attack"; "" = "mitre-attack"
	URL        string
}

// Group is what was observed together: a case, or one case of a campaign.
type Group struct {
	Key        string
	Name       string
	TLP        TLP
	FirstSeen  time.Time
	LastSeen   time.Time
	Indicators []string // Indicator keys
	Techniques []string
}

// Actor kinds.
const (
	ThreatActor  = "threat-actor"
	IntrusionSet = "intrusion-set"
)

// Actor is who is behind a campaign, as far as the helpline can tell.
type Actor struct {
	Key         string
	Name        string
	Description string
	Aliases     []string
	TLP         TLP
	Kind        string // ThreatActor or IntrusionSet; "" = ThreatActor
}

// Campaign is a set of cases the helpline sees as one operation.
type Campaign struct {
	Key         string
	Name        string
	Description string
	Aliases     []string
	TLP         TLP
	FirstSeen   time.Time
	LastSeen    time.Time
	ActorKeys   []string
	GroupKeys   []string
	Techniques  []string
}

// Export is everything one export carries.
type Export struct {
	Identity Identity
	// Key names what is exported (a case, a campaign): the MISP event's uuid derives from it, so a
	// re-export updates the partner's event instead of adding one. "" = derived from the keys of
	// the groups and campaigns.
	Key        string
	Created    time.Time // the export's time: every object's created/modified; required
	TLPMax     TLP       // nothing ranked above it is written; required
	Indicators []Indicator
	Techniques []Technique // names and links for the ids used; unknown ids are written with the id as name
	Groups     []Group
	Actors     []Actor
	Campaigns  []Campaign
}

// Imported is one observable read from a partner's feed.
type Imported struct {
	Observable  indicator.Observable
	Verdict     string // Malicious, Suspicious, Benign or NoVerdict
	TLP         TLP    // the feed's marking; TLPAmber when unmarked
	Confidence  int
	Name        string
	Description string
	ValidFrom   time.Time
	Techniques  []string // ATT&CK ids linked to this observable (relationships, galaxy tags)
}

// Feed is what Parse read.
type Feed struct {
	Format     string // "stix" or "misp"
	Indicators []Imported
	// Techniques are the ATT&CK ids the feed names as a whole: a MISP event's own galaxy tags,
	// attack patterns of a STIX bundle that no indicator points at.
	Techniques []string
	Skipped    int // patterns, objects or attributes not understood, and values that did not normalise
}
