// yaml2json prints a YAML file as JSON, so the Python checks in tools/ need no YAML module
// (python3-yaml is not among the packages deploy/local/install.sh installs).
//
//	yaml2json FILE
package main

import (
	"fmt"
	"os"

	"sigs.k8s.io/yaml"
)

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: yaml2json FILE")
		os.Exit(2)
	}
	data, err := os.ReadFile(os.Args[1])
	if err == nil {
		data, err = yaml.YAMLToJSONStrict(data)
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "FAIL %s: %v\n", os.Args[1], err)
		os.Exit(1)
	}
	fmt.Println(string(data))
}
