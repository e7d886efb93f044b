// validate-manifests decodes every object of rendered Kubernetes manifests into its Go API
// type with unknown fields refused, so a misspelled field, a field at the wrong level, a wrong
// type or a kind nobody checks fails here instead of being dropped (or refused) by a cluster.
// Then it checks the chart's own promises about pods (policy.go).
//
//	validate-manifests FILE...   (- for stdin); exit 1 on any problem, each one printed
package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"sort"

	"github.com/tributary/tributary/tools/internal/manifests"
)

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: validate-manifests FILE... (- for stdin)")
		os.Exit(2)
	}
	failed := false
	counts := map[string]int{}
	for _, path := range os.Args[1:] {
		objects, err := manifests.ReadFile(path)
		if err != nil {
			fmt.Fprintf(os.Stderr, "FAIL %v\n", err)
			failed = true
			continue
		}
		for _, o := range objects {
			if problems := validate(o); len(problems) > 0 {
				failed = true
				for _, p := range problems {
					fmt.Fprintf(os.Stderr, "FAIL %s: %s\n", o, p)
				}
				continue
			}
			counts[o.Kind]++
		}
	}
	kinds := make([]string, 0, len(counts))
	for kind := range counts {
		kinds = append(kinds, kind)
	}
	sort.Strings(kinds)
	for _, kind := range kinds {
		fmt.Printf("  ok %3d %s\n", counts[kind], kind)
	}
	if failed {
		os.Exit(1)
	}
}

func validate(o manifests.Object) []string {
	if o.APIVersion == "" || o.Kind == "" {
		return []string{"apiVersion and kind are required"}
	}
	if o.Name == "" {
		return []string{"metadata.name is required"}
	}
	newObject, ok := knownKinds[o.APIVersion+" "+o.Kind]
	if !ok {
		return []string{"unknown kind (not in tools/cmd/validate-manifests/types.go)"}
	}
	obj := newObject()
	decoder := json.NewDecoder(bytes.NewReader(o.JSON))
	decoder.DisallowUnknownFields()
	if err := decoder.Decode(obj); err != nil {
		return []string{err.Error()}
	}
	return policy(obj)
}
