// Package manifests reads the multi-document YAML that `helm template` prints into one JSON
// object per Kubernetes object, keeping where each came from for error messages.
package manifests

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"

	"sigs.k8s.io/yaml"
)

// Object is one rendered manifest: its identity, its JSON form and where it was read.
type Object struct {
	APIVersion string
	Kind       string
	Name       string
	Source     string // file and document number, plus helm's "# Source:" line when present
	JSON       []byte
}

func (o Object) String() string {
	return fmt.Sprintf("%s %s/%s (%s)", o.APIVersion, o.Kind, o.Name, o.Source)
}

// ReadFile splits a file (or stdin for "-") into objects. Empty documents are skipped; a
// document with a duplicate key or that is not a mapping is an error.
func ReadFile(path string) ([]Object, error) {
	var data []byte
	var err error
	if path == "-" {
		data, err = io.ReadAll(os.Stdin)
	} else {
		data, err = os.ReadFile(path)
	}
	if err != nil {
		return nil, err
	}
	var objects []Object
	for i, doc := range splitDocuments(data) {
		source := fmt.Sprintf("%s document %d", path, i+1)
		if helmSource := sourceComment(doc); helmSource != "" {
			source += ", " + helmSource
		}
		// Strict: a key written twice is an error, not "last one wins".
		js, err := yaml.YAMLToJSONStrict(doc)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", source, err)
		}
		if bytes.Equal(bytes.TrimSpace(js), []byte("null")) {
			continue
		}
		var head struct {
			APIVersion string `json:"apiVersion"`
			Kind       string `json:"kind"`
			Metadata   struct {
				Name string `json:"name"`
			} `json:"metadata"`
		}
		if err := json.Unmarshal(js, &head); err != nil {
			return nil, fmt.Errorf("%s: not a Kubernetes object: %w", source, err)
		}
		objects = append(objects, Object{head.APIVersion, head.Kind, head.Metadata.Name, source, js})
	}
	return objects, nil
}

// splitDocuments cuts at lines that are exactly "---" (helm's separator).
func splitDocuments(data []byte) [][]byte {
	var docs [][]byte
	var current bytes.Buffer
	scanner := bufio.NewScanner(bytes.NewReader(data))
	scanner.Buffer(make([]byte, 1024*1024), 16*1024*1024)
	for scanner.Scan() {
		line := scanner.Text()
		if strings.TrimRight(line, " ") == "---" {
			docs = append(docs, append([]byte(nil), current.Bytes()...))
			current.Reset()
			continue
		}
		current.WriteString(line)
		current.WriteByte('\n')
	}
	docs = append(docs, current.Bytes())
	return docs
}

func sourceComment(doc []byte) string {
	for _, line := range strings.Split(string(doc), "\n") {
		if strings.HasPrefix(line, "# Source: ") {
			return strings.TrimPrefix(line, "# ")
		}
	}
	return ""
}
