package share

import (
	"fmt"
	"strings"
)

// TLP is a Traffic Light Protocol 2.0 level.
type TLP string

// The TLP 2.0 levels, least restrictive first.
const (
	TLPClear       TLP = "clear"
	TLPGreen       TLP = "green"
	TLPAmber       TLP = "amber"
	TLPAmberStrict TLP = "amber+strict"
	TLPRed         TLP = "red"
)

// tlpLevels orders the levels; Rank is the index.
var tlpLevels = []TLP{TLPClear, TLPGreen, TLPAmber, TLPAmberStrict, TLPRed}

// Rank orders levels from 0 (clear) to 4 (red). A value that is not a level ranks above red,
// so that a mistake keeps data in rather than letting it out.
func (t TLP) Rank() int {
	for i, l := range tlpLevels {
		if t == l {
			return i
		}
	}
	return len(tlpLevels)
}

// Valid says whether t is one of the five levels.
func (t TLP) Valid() bool { return t.Rank() < len(tlpLevels) }

// ParseTLP reads a level as people and tools write it: "amber", "TLP:AMBER", "tlp:amber+strict",
// and TLP 1.0's "white" for clear.
func ParseTLP(s string) (TLP, error) {
	v := strings.ToLower(strings.TrimSpace(s))
	v = strings.TrimPrefix(v, "tlp:")
	v = strings.TrimSpace(v)
	if v == "white" {
		return TLPClear, nil
	}
	if t := TLP(v); t.Valid() {
		return t, nil
	}
	return "", fmt.Errorf("%q is not a TLP level (clear, green, amber, amber+strict, red)", clip(s, 40))
}

// maxTLP is the more restrictive of two levels; "" stands for none yet.
func maxTLP(a, b TLP) TLP {
	if a == "" || b.Rank() > a.Rank() && b != "" {
		return b
	}
	return a
}

// tlp2Extension is the STIX extension definition of the TLP 2.0 marking definitions
// (oasis-open/cti-stix-common-objects, extension-definition-specifications/tlp-2.0).
const tlp2Extension = "extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d"

// tlp2Markings are the fixed ids of the TLP 2.0 marking definitions (same source); every
// producer uses these ids, so consumers recognise the level from the id alone.
var tlp2Markings = map[TLP]string{
	TLPClear:       "marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487",
	TLPGreen:       "marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb",
	TLPAmber:       "marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421",
	TLPAmberStrict: "marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003",
	TLPRed:         "marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1",
}

// tlp1Markings are the TLP 1.0 marking definitions STIX 2.1 itself fixes (§7.2.1.4); partners
// still mark with them. White reads as clear.
var tlp1Markings = map[string]TLP{
	"marking-definition--613f2e26-407d-48c7-9eca-b8e91df99dc9": TLPClear,
	"marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da": TLPGreen,
	"marking-definition--f88d31f6-486f-44da-b317-01333bde0b82": TLPAmber,
	"marking-definition--5e57c739-391a-4eb3-b6be-7d15ca92d5ed": TLPRed,
}

// tlp2Created is the created timestamp the TLP 2.0 marking definitions are published with.
const tlp2Created = "2022-10-01T00:00:00.000Z"

// markingDefinition is the TLP 2.0 marking-definition object of a level, as published.
func markingDefinition(t TLP) map[string]any {
	return map[string]any{
		"type":         "marking-definition",
		"spec_version": "2.1",
		"id":           tlp2Markings[t],
		"created":      tlp2Created,
		"name":         "TLP:" + strings.ToUpper(string(t)),
		"extensions": map[string]any{
			tlp2Extension: map[string]any{"extension_type": "property-extension", "tlp_2_0": string(t)},
		},
	}
}

// markingTLP reads the level a marking id stands for.
func markingTLP(id string) (TLP, bool) {
	for t, m := range tlp2Markings {
		if m == id {
			return t, true
		}
	}
	t, ok := tlp1Markings[id]
	return t, ok
}

// mispTag is the MISP taxonomy tag of a level ("tlp:amber+strict").
func (t TLP) mispTag() string { return "tlp:" + string(t) }

// clip shortens s for an error message: errors are shown to people, and echoing a partner's
// whole feed back would be neither readable nor safe.
func clip(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n]) + "…"
}
