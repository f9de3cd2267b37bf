//go:build ignore

// gen.go rebuilds data/enterprise.tsv and data/mobile.tsv from MITRE's ATT&CK STIX bundles
// (STIX 2.0 from mitre/cti or STIX 2.1 from mitre-attack/attack-stix-data), so the shipped list
// can be refreshed when MITRE publishes a release. Run it from this directory:
//
//	go run gen.go [-out data] [-version 18.1] enterprise-attack.json mobile-attack.json
//
// Each bundle's matrix is read from its techniques' x_mitre_domains; ICS bundles are refused.
// Revoked and deprecated techniques are left out. Update data/SOURCE.md by hand afterwards.
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
)

// object holds the few STIX fields the list needs; the rest of each object is ignored.
type object struct {
	Type        string   `json:"type"`
	ID          string   `json:"id"`
	Name        string   `json:"name"`
	Revoked     bool     `json:"revoked"`
	Deprecated  bool     `json:"x_mitre_deprecated"`
	Domains     []string `json:"x_mitre_domains"`
	Version     string   `json:"x_mitre_version"` // on the x-mitre-collection: the release
	ShortName   string   `json:"x_mitre_shortname"`
	TacticRefs  []string `json:"tactic_refs"`
	ExternalRef []struct {
		SourceName string `json:"source_name"`
		ExternalID string `json:"external_id"`
	} `json:"external_references"`
	KillChain []struct {
		KillChainName string `json:"kill_chain_name"`
		PhaseName     string `json:"phase_name"`
	} `json:"kill_chain_phases"`
}

// sources are the source_name and kill_chain_name values that carry ATT&CK ids and tactics:
// STIX 2.0 names the Mobile ones mitre-mobile-attack, STIX 2.1 uses mitre-attack throughout.
var sources = map[string]bool{"mitre-attack": true, "mitre-mobile-attack": true}

var techniqueID = regexp.MustCompile(`^T\d{4}(\.\d{3})?$`)

func main() {
	out := flag.String("out", "data", "directory to write <matrix>.tsv into")
	version := flag.String("version", "", "ATT&CK release to record when a bundle has no x-mitre-collection (STIX 2.0)")
	flag.Parse()
	if flag.NArg() == 0 {
		log.Fatal("usage: go run gen.go [-out dir] [-version v] bundle.json...")
	}
	for _, path := range flag.Args() {
		if err := convert(path, *out, *version); err != nil {
			log.Fatalf("%s: %v", path, err)
		}
	}
}

func convert(path, outDir, version string) error {
	raw, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	var bundle struct {
		Objects []object `json:"objects"`
	}
	if err := json.Unmarshal(raw, &bundle); err != nil {
		return err
	}

	matrix := ""
	order := map[string]int{}      // tactic short name -> column in the matrix
	tactics := map[string]string{} // x-mitre-tactic STIX id -> short name
	for _, o := range bundle.Objects {
		switch o.Type {
		case "x-mitre-collection":
			if version == "" {
				version = o.Version
			}
		case "x-mitre-tactic":
			tactics[o.ID] = o.ShortName
		case "attack-pattern":
			for _, d := range o.Domains {
				m := strings.TrimSuffix(d, "-attack")
				if m != "enterprise" && m != "mobile" {
					return fmt.Errorf("technique %s is in domain %q; only enterprise and mobile are shipped", o.ID, d)
				}
				if matrix != "" && matrix != m {
					return fmt.Errorf("bundle mixes domains %s and %s", matrix, m)
				}
				matrix = m
			}
		}
	}
	if matrix == "" {
		return fmt.Errorf("no technique carries x_mitre_domains")
	}
	// The current matrix object lists the tactics left to right; techniques list theirs in that order.
	for _, o := range bundle.Objects {
		if o.Type == "x-mitre-matrix" && !o.Revoked && !o.Deprecated {
			for _, ref := range o.TacticRefs {
				if s, ok := tactics[ref]; ok {
					if _, seen := order[s]; !seen {
						order[s] = len(order)
					}
				}
			}
		}
	}

	var lines []string
	seen := map[string]bool{}
	for _, o := range bundle.Objects {
		if o.Type != "attack-pattern" || o.Revoked || o.Deprecated {
			continue
		}
		id := ""
		for _, r := range o.ExternalRef {
			if sources[r.SourceName] {
				id = r.ExternalID
				break
			}
		}
		if !techniqueID.MatchString(id) {
			return fmt.Errorf("technique %s has no ATT&CK id (got %q)", o.ID, id)
		}
		if seen[id] {
			return fmt.Errorf("%s appears twice", id)
		}
		seen[id] = true
		if strings.ContainsAny(o.Name, "\t\n\r") || o.Name == "" {
			return fmt.Errorf("%s has a name the TSV cannot hold: %q", id, o.Name)
		}
		var ts []string
		for _, k := range o.KillChain {
			if sources[k.KillChainName] && !slices.Contains(ts, k.PhaseName) {
				ts = append(ts, k.PhaseName)
			}
		}
		slices.SortStableFunc(ts, func(a, b string) int { return rank(order, a) - rank(order, b) })
		lines = append(lines, id+"\t"+o.Name+"\t"+strings.Join(ts, ","))
	}
	slices.Sort(lines) // ids are fixed width up to the dot, so text order is id order

	head := fmt.Sprintf("# MITRE ATT&CK %s matrix, release %s, from %s by gen.go: id, name, tactics.\n"+
		"# ATT&CK is (c) The MITRE Corporation, reproduced under its terms of use; see SOURCE.md.\n",
		matrix, orUnknown(version), filepath.Base(path))
	dst := filepath.Join(outDir, matrix+".tsv")
	if err := os.WriteFile(dst, []byte(head+strings.Join(lines, "\n")+"\n"), 0o644); err != nil {
		return err
	}
	fmt.Printf("%s: %d techniques (ATT&CK %s)\n", dst, len(lines), orUnknown(version))
	return nil
}

// rank places tactics the matrix does not list after those it does, in their bundle order.
func rank(order map[string]int, tactic string) int {
	if n, ok := order[tactic]; ok {
		return n
	}
	return len(order)
}

func orUnknown(v string) string {
	if v == "" {
		return "unknown"
	}
	return v
}
