package haven

import (
	"context"
	"slices"
	"strings"
	"time"
)

// Threat group kinds: an actor (who) and a campaign (a set of attacks by them).
const (
	GroupActor    = "actor"
	GroupCampaign = "campaign"
)

// ActorKinds lists how STIX names an actor: a threat-actor (a person or group) or an intrusion-set
// (the infrastructure and behaviour attributed to one).
func ActorKinds() []string { return []string{"threat-actor", "intrusion-set"} }

// ThreatGroup is a threat actor or a campaign that cases are grouped under. Its description may
// name people: it is sealed at rest. The groups themselves are intelligence every reader may see;
// the cases under them only as far as the reader may see each case.
type ThreatGroup struct {
	ID          int64      `json:"id"`
	Kind        string     `json:"kind"` // actor or campaign
	Name        string     `json:"name"`
	Aliases     []string   `json:"aliases"`
	Description string     `json:"description,omitempty"`
	TLP         TLP        `json:"tlp"`
	ActorKind   string     `json:"actor_kind,omitempty"` // an actor's: threat-actor or intrusion-set
	Actors      []int64    `json:"actors,omitempty"`     // a campaign's attributed actors
	Techniques  []string   `json:"techniques"`
	FirstSeen   *time.Time `json:"first_seen,omitempty"`
	LastSeen    *time.Time `json:"last_seen,omitempty"`
	CreatedAt   time.Time  `json:"created_at"`
	UpdatedAt   time.Time  `json:"updated_at"`
}

// GroupInput creates or changes an actor or a campaign.
type GroupInput struct {
	Name        string     `json:"name"`
	Aliases     []string   `json:"aliases"`
	Description string     `json:"description"`
	TLP         TLP        `json:"tlp"`
	ActorKind   string     `json:"actor_kind"`
	Actors      []int64    `json:"actors"`
	Techniques  []string   `json:"techniques"`
	FirstSeen   *time.Time `json:"first_seen"`
	LastSeen    *time.Time `json:"last_seen"`
}

// Validate checks a group's fields for kind and fills the defaults.
func (in *GroupInput) Validate(kind string) error {
	in.Name, in.Description = strings.TrimSpace(in.Name), strings.TrimSpace(in.Description)
	if in.TLP == "" {
		in.TLP = "amber"
	}
	if kind == GroupActor && in.ActorKind == "" {
		in.ActorKind = "threat-actor"
	}
	v := Validation{}
	v.Check(in.Name != "" && len(in.Name) <= 200, "name", "required, at most 200 characters")
	v.Check(len(in.Aliases) <= 50, "aliases", "at most 50")
	v.Check(len(in.Description) <= 20000, "description", "at most 20,000 characters")
	v.Check(in.TLP.Valid(), "tlp", "one of clear, green, amber, amber+strict, red")
	v.Check(kind != GroupActor || slices.Contains(ActorKinds(), in.ActorKind), "actor_kind", "threat-actor or intrusion-set")
	v.Check(kind == GroupCampaign || len(in.Actors) == 0, "actors", "only a campaign is attributed to actors")
	v.Check(in.FirstSeen == nil || in.LastSeen == nil || !in.LastSeen.Before(*in.FirstSeen), "last_seen", "before first_seen")
	for i, a := range in.Aliases {
		in.Aliases[i] = strings.TrimSpace(a)
		v.Check(in.Aliases[i] != "" && len(in.Aliases[i]) <= 200, "aliases", "non-empty, at most 200 characters each")
	}
	return v.Err()
}

// GroupView is a group's page: the group, the cases under it the reader may see, their ATT&CK
// techniques and the indicators sighted in them.
type GroupView struct {
	ThreatGroup
	Cases      []CaseRef     `json:"cases"`
	Techniques []string      `json:"case_techniques"`
	Indicators []*Observable `json:"indicators"`
}

// CaseIntel is a case's threat-intelligence tagging: ATT&CK techniques and the groups it is under.
type CaseIntel struct {
	Techniques []string `json:"techniques"`
	Groups     []int64  `json:"groups"`
}

// Share formats and the largest body taken in.
const (
	FormatSTIX = "stix"
	FormatMISP = "misp"
	MaxImport  = 20 << 20
)

// ExportRequest asks for a STIX bundle or a MISP event of cases or of a campaign, with nothing
// marked above TLPMax.
type ExportRequest struct {
	Cases    []string `json:"cases"`
	Campaign int64    `json:"campaign"`
	Format   string   `json:"format"`
	TLPMax   TLP      `json:"tlp_max"`
}

// Validate checks the request and fills the defaults (STIX, TLP:AMBER).
func (r *ExportRequest) Validate() error {
	if r.Format == "" {
		r.Format = FormatSTIX
	}
	if r.TLPMax == "" {
		r.TLPMax = "amber"
	}
	v := Validation{}
	v.Check(r.Format == FormatSTIX || r.Format == FormatMISP, "format", "stix or misp")
	v.Check(r.TLPMax.Valid() && r.TLPMax != "red", "tlp_max", "one of clear, green, amber, amber+strict (TLP:RED never leaves)")
	v.Check((len(r.Cases) > 0) != (r.Campaign > 0), "cases", "name cases or a campaign, not both")
	v.Check(len(r.Cases) <= 500, "cases", "at most 500")
	return v.Err()
}

// Export is what leaves: the document and what it holds, for the preview.
type Export struct {
	Format     string `json:"format"`
	Filename   string `json:"filename"`
	Indicators int    `json:"indicators"`
	Withheld   int    `json:"withheld"` // indicators left out for their TLP
	Body       []byte `json:"-"`
}

// ImportResult says what a partner's feed brought.
type ImportResult struct {
	Format     string `json:"format"`
	Source     string `json:"source"`
	Indicators int    `json:"indicators"`
	Skipped    int    `json:"skipped"`       // entries Haven could not read as an observable
	Flagged    int    `json:"flagged_cases"` // cases (that the importer may see) that had already sighted a malicious one
}

// IntelStore keeps threat groups and the cases' tagging.
type IntelStore interface {
	InsertGroup(ctx context.Context, g *ThreatGroup) error
	UpdateGroup(ctx context.Context, g *ThreatGroup) error
	GroupByID(ctx context.Context, id int64) (*ThreatGroup, error)
	Groups(ctx context.Context, kind string) ([]*ThreatGroup, error)
	CaseIntel(ctx context.Context, caseID int64) (*CaseIntel, error)
	SetCaseIntel(ctx context.Context, caseID int64, in *CaseIntel) error
	// GroupCases lists the cases under a group that v may see, latest first.
	GroupCases(ctx context.Context, groupID int64, v Viewer, limit int) ([]CaseRef, error)
}

// IntelService is threat intelligence beyond observables: groups, tagging, sharing.
type IntelService interface {
	CreateGroup(ctx context.Context, kind string, in GroupInput) (*ThreatGroup, error)
	UpdateGroup(ctx context.Context, id int64, in GroupInput) (*ThreatGroup, error)
	Groups(ctx context.Context, kind string) ([]*ThreatGroup, error)
	Group(ctx context.Context, kind string, id int64) (*GroupView, error)
	CaseIntel(ctx context.Context, number string) (*CaseIntel, error)
	SetCaseIntel(ctx context.Context, number string, in CaseIntel) (*CaseIntel, error)
	Export(ctx context.Context, r ExportRequest) (*Export, error)
	Import(ctx context.Context, source string, body []byte) (*ImportResult, error)
}
