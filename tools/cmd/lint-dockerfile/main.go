// lint-dockerfile parses a Dockerfile with BuildKit's own parser and runs the lint rules that
// BuildKit applies while parsing (the same warnings `docker build --check` reports for them),
// then checks what deploy/docker/Dockerfile promises about its final stage: a non-root USER,
// no compiler toolchain installed, and a `tributary --version` smoke RUN. No Docker needed.
//
//	lint-dockerfile FILE
package main

import (
	"bytes"
	"fmt"
	"os"
	"regexp"
	"strings"

	"github.com/moby/buildkit/frontend/dockerfile/instructions"
	"github.com/moby/buildkit/frontend/dockerfile/linter"
	"github.com/moby/buildkit/frontend/dockerfile/parser"
)

// Packages that would put a compiler or build system into the runtime image.
var buildTools = regexp.MustCompile(`\b(build-essential|g\+\+|gcc|clang|cmake|ninja-build|make|[a-z0-9.+-]+-dev)\b`)

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: lint-dockerfile FILE")
		os.Exit(2)
	}
	data, err := os.ReadFile(os.Args[1])
	if err != nil {
		fail("%v", err)
	}
	result, err := parser.Parse(bytes.NewReader(data))
	if err != nil {
		fail("%s: %v", os.Args[1], err)
	}
	var problems []string
	for _, w := range result.Warnings {
		problems = append(problems, fmt.Sprintf("parser: %s", w.Short))
	}
	lint := linter.New(&linter.Config{Warn: func(rule, _, _, msg string, loc []parser.Range) {
		line := 0
		if len(loc) > 0 {
			line = loc[0].Start.Line
		}
		problems = append(problems, fmt.Sprintf("line %d: %s: %s", line, rule, msg))
	}})
	stages, _, err := instructions.Parse(result.AST, lint)
	if err != nil {
		fail("%s: %v", os.Args[1], err)
	}
	if len(stages) < 2 {
		problems = append(problems, "expected a multi-stage build (a build stage and a runtime stage)")
	} else {
		problems = append(problems, finalStageProblems(stages[len(stages)-1])...)
	}
	for _, p := range problems {
		fmt.Fprintf(os.Stderr, "FAIL %s: %s\n", os.Args[1], p)
	}
	if len(problems) > 0 {
		os.Exit(1)
	}
	fmt.Printf("  ok %s: %d stages, final stage %q from %s\n", os.Args[1], len(stages),
		stages[len(stages)-1].Name, stages[len(stages)-1].BaseName)
}

func finalStageProblems(final instructions.Stage) []string {
	var problems []string
	user, smoke := "", false
	for _, cmd := range final.Commands {
		switch c := cmd.(type) {
		case *instructions.UserCommand:
			user = c.User
		case *instructions.RunCommand:
			line := strings.Join(c.CmdLine, " ")
			if strings.Contains(line, "apt-get install") {
				if m := buildTools.FindString(line); m != "" {
					problems = append(problems, fmt.Sprintf("final stage installs build tooling (%s)", m))
				}
			}
			if strings.Contains(line, "tributary --version") {
				smoke = true
			}
		}
	}
	if user == "" || user == "root" || strings.HasPrefix(user, "0") {
		problems = append(problems, fmt.Sprintf("final stage must end with a non-root USER (have %q)", user))
	}
	if !smoke {
		problems = append(problems, "final stage has no `RUN tributary --version` smoke check")
	}
	return problems
}

func fail(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "FAIL "+format+"\n", args...)
	os.Exit(1)
}
