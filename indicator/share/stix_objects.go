package share

// The STIX 2.1 objects Haven writes, as structs so that each carries exactly the properties the
// specification names (and in a readable order: type and id first).

type stixCommon struct {
	Type              string   `json:"type"`
	SpecVersion       string   `json:"spec_version"`
	ID                string   `json:"id"`
	CreatedByRef      string   `json:"created_by_ref,omitempty"`
	Created           string   `json:"created"`
	Modified          string   `json:"modified"`
	ObjectMarkingRefs []string `json:"object_marking_refs,omitempty"`
}

type stixIdentity struct {
	stixCommon
	Name               string `json:"name"`
	IdentityClass      string `json:"identity_class"`
	ContactInformation string `json:"contact_information,omitempty"`
}

type stixIndicator struct {
	stixCommon
	Name           string   `json:"name,omitempty"`
	Description    string   `json:"description,omitempty"`
	IndicatorTypes []string `json:"indicator_types,omitempty"`
	Pattern        string   `json:"pattern"`
	PatternType    string   `json:"pattern_type"`
	PatternVersion string   `json:"pattern_version"`
	ValidFrom      string   `json:"valid_from"`
	Confidence     int      `json:"confidence,omitempty"`
}

type stixExternalRef struct {
	SourceName string `json:"source_name"`
	ExternalID string `json:"external_id,omitempty"`
	URL        string `json:"url,omitempty"`
}

type stixAttackPattern struct {
	stixCommon
	Name               string            `json:"name"`
	ExternalReferences []stixExternalRef `json:"external_references"`
}

type stixObservedData struct {
	stixCommon
	FirstObserved  string   `json:"first_observed"`
	LastObserved   string   `json:"last_observed"`
	NumberObserved int      `json:"number_observed"`
	ObjectRefs     []string `json:"object_refs"`
}

type stixSighting struct {
	stixCommon
	SightingOfRef    string   `json:"sighting_of_ref"`
	FirstSeen        string   `json:"first_seen,omitempty"`
	LastSeen         string   `json:"last_seen,omitempty"`
	ObservedDataRefs []string `json:"observed_data_refs,omitempty"`
	WhereSightedRefs []string `json:"where_sighted_refs,omitempty"`
}

// stixActor serves threat-actor and intrusion-set, which share these properties.
type stixActor struct {
	stixCommon
	Name        string   `json:"name"`
	Description string   `json:"description,omitempty"`
	Aliases     []string `json:"aliases,omitempty"`
}

type stixCampaign struct {
	stixCommon
	Name        string   `json:"name"`
	Description string   `json:"description,omitempty"`
	Aliases     []string `json:"aliases,omitempty"`
	FirstSeen   string   `json:"first_seen,omitempty"`
	LastSeen    string   `json:"last_seen,omitempty"`
}

type stixGrouping struct {
	stixCommon
	Name       string   `json:"name"`
	Context    string   `json:"context"`
	ObjectRefs []string `json:"object_refs"`
}

type stixRelationship struct {
	stixCommon
	RelationshipType string `json:"relationship_type"`
	SourceRef        string `json:"source_ref"`
	TargetRef        string `json:"target_ref"`
}

type stixBundle struct {
	Type    string `json:"type"`
	ID      string `json:"id"`
	Objects []any  `json:"objects"`
}
