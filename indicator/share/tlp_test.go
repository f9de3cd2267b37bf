package share

import (
	"strings"
	"testing"
)

func TestParseTLP(t *testing.T) {
	cases := []struct {
		in   string
		want TLP
		ok   bool
	}{
		{"clear", TLPClear, true},
		{"white", TLPClear, true},
		{"TLP:WHITE", TLPClear, true},
		{"tlp:green", TLPGreen, true},
		{" TLP:AMBER ", TLPAmber, true},
		{"tlp:amber+strict", TLPAmberStrict, true},
		{"AMBER+STRICT", TLPAmberStrict, true},
		{"Red", TLPRed, true},
		{"tlp:ex:chr", "", false},
		{"amber strict", "", false},
		{"", "", false},
		{strings.Repeat("x", 500), "", false},
	}
	for _, c := range cases {
		got, err := ParseTLP(c.in)
		if got != c.want || (err == nil) != c.ok {
			t.Errorf("ParseTLP(%.20q) = %q, %v; want %q, ok=%v", c.in, got, err, c.want, c.ok)
		}
		if err != nil && len(err.Error()) > 120 {
			t.Errorf("error message too long (%d): it must not echo the input", len(err.Error()))
		}
	}
}

func TestTLPRank(t *testing.T) {
	order := []TLP{TLPClear, TLPGreen, TLPAmber, TLPAmberStrict, TLPRed, "purple", ""}
	for i := 1; i < len(order)-1; i++ {
		if order[i-1].Rank() >= order[i].Rank() {
			t.Errorf("%q should rank below %q", order[i-1], order[i])
		}
	}
	if TLP("purple").Rank() <= TLPRed.Rank() || TLP("").Valid() {
		t.Error("an unknown level must rank above red (fail closed) and not be valid")
	}
	if maxTLP(TLPGreen, TLPAmberStrict) != TLPAmberStrict || maxTLP(TLPRed, TLPClear) != TLPRed {
		t.Error("maxTLP")
	}
}

// TestMarkingIDs: every level has a TLP 2.0 marking that reads back as that level, and the TLP
// 1.0 markings of STIX 2.1 read as their 2.0 counterparts.
func TestMarkingIDs(t *testing.T) {
	for _, l := range tlpLevels {
		id := tlp2Markings[l]
		if got, ok := markingTLP(id); !ok || got != l {
			t.Errorf("%s: marking %s reads as %q", l, id, got)
		}
		m := markingDefinition(l)
		if m["id"] != id || m["name"] != "TLP:"+strings.ToUpper(string(l)) {
			t.Errorf("%s: marking definition %v", l, m)
		}
	}
	if got, _ := markingTLP("marking-definition--613f2e26-407d-48c7-9eca-b8e91df99dc9"); got != TLPClear {
		t.Errorf("TLP 1.0 white reads as %q", got)
	}
	if got, _ := markingTLP("marking-definition--5e57c739-391a-4eb3-b6be-7d15ca92d5ed"); got != TLPRed {
		t.Errorf("TLP 1.0 red reads as %q", got)
	}
}
