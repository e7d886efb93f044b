// validate-compose loads a Compose file the way `docker compose` does (compose-go: the
// Compose Specification's JSON schema, interpolation, consistency checks such as depends_on
// naming a real service) and prints the services it defines. Docker is not needed.
//
//	validate-compose FILE [KEY=VALUE...]   extra KEY=VALUE entries are the interpolation environment
package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/compose-spec/compose-go/v2/cli"
)

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: validate-compose FILE [KEY=VALUE...]")
		os.Exit(2)
	}
	path, err := filepath.Abs(os.Args[1])
	if err != nil {
		fail(err)
	}
	options, err := cli.NewProjectOptions([]string{path},
		cli.WithWorkingDirectory(filepath.Dir(path)),
		cli.WithName("tributary"),
		// Only the given variables: the result must not depend on this shell's environment.
		cli.WithEnv(os.Args[2:]),
		cli.WithConsistency(true),
	)
	if err != nil {
		fail(err)
	}
	project, err := options.LoadProject(context.Background())
	if err != nil {
		fail(err)
	}
	names := project.ServiceNames()
	sort.Strings(names)
	for _, name := range names {
		service := project.Services[name]
		var deps []string
		for dep, d := range service.DependsOn {
			deps = append(deps, dep+":"+d.Condition)
		}
		sort.Strings(deps)
		fmt.Printf("  ok service %-20s image %-40s depends on [%s]\n", name, service.Image, strings.Join(deps, " "))
	}
}

func fail(err error) {
	fmt.Fprintf(os.Stderr, "FAIL %v\n", err)
	os.Exit(1)
}
