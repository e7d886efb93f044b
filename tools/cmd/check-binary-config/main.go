// check-binary-config runs every tributary container of rendered manifests the way Kubernetes
// would start it, but with --check-config: the binary from BIN_DIR named by the container's
// command, its command/args, and exactly the environment the pod would get (env values,
// envFrom and configMapKeyRef resolved from the rendered ConfigMaps, a placeholder for each
// secretKeyRef), in an otherwise empty environment. The binary parses everything as at a
// real start and refuses a bad value or a TRIBUTARY_ variable it does not read; this program
// fails when any container's binary does.
//
//	check-binary-config BIN_DIR FILE...
package main

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"

	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"

	"github.com/tributary/tributary/tools/internal/manifests"
)

// The value a secretKeyRef stands for: check-config connects to nothing, so any non-empty
// text does, and no real secret is ever needed (or printed).
const secretPlaceholder = "placeholder-from-secret"

type workload struct {
	name string
	pod  corev1.PodSpec
}

func main() {
	if len(os.Args) < 3 {
		fmt.Fprintln(os.Stderr, "usage: check-binary-config BIN_DIR FILE...")
		os.Exit(2)
	}
	binDir := os.Args[1]
	configMaps := map[string]map[string]string{}
	var workloads []workload
	for _, path := range os.Args[2:] {
		objects, err := manifests.ReadFile(path)
		if err != nil {
			fail("%v", err)
		}
		for _, o := range objects {
			switch o.Kind {
			case "ConfigMap":
				var cm corev1.ConfigMap
				mustDecode(o, &cm)
				configMaps[cm.Name] = cm.Data
			case "Deployment":
				var d appsv1.Deployment
				mustDecode(o, &d)
				workloads = append(workloads, workload{"Deployment/" + d.Name, d.Spec.Template.Spec})
			case "Job":
				var j batchv1.Job
				mustDecode(o, &j)
				workloads = append(workloads, workload{"Job/" + j.Name, j.Spec.Template.Spec})
			}
		}
	}

	failed, checked := false, 0
	for _, w := range workloads {
		for _, c := range w.pod.Containers {
			if len(c.Command) == 0 || !strings.HasPrefix(filepath.Base(c.Command[0]), "tributary") {
				fmt.Printf("  skip %s container %s: not a tributary binary (%v)\n", w.name, c.Name, c.Command)
				continue
			}
			checked++
			if err := check(binDir, w.name, c, configMaps); err != nil {
				failed = true
				fmt.Fprintf(os.Stderr, "FAIL %s container %s: %v\n", w.name, c.Name, err)
			}
		}
	}
	if checked == 0 {
		fail("no tributary container found in %v", os.Args[2:])
	}
	if failed {
		os.Exit(1)
	}
}

func check(binDir, workloadName string, c corev1.Container, configMaps map[string]map[string]string) error {
	env, err := containerEnv(c, configMaps)
	if err != nil {
		return err
	}
	binary := filepath.Join(binDir, filepath.Base(c.Command[0]))
	args := append(append(append([]string{}, c.Command[1:]...), c.Args...), "--check-config")
	cmd := exec.Command(binary, args...)
	cmd.Env = env
	out, err := cmd.CombinedOutput()
	text := strings.TrimSpace(string(out))
	if err != nil {
		return fmt.Errorf("%s %s: %v\n%s", binary, strings.Join(args, " "), err, indent(text))
	}
	names := make([]string, 0, len(env))
	for _, e := range env {
		names = append(names, strings.SplitN(e, "=", 2)[0])
	}
	fmt.Printf("  ok   %s container %s: %s (%d variables: %s)\n", workloadName, c.Name, text,
		len(env), strings.Join(names, " "))
	return nil
}

// containerEnv resolves what the kubelet would: envFrom first, then env, later entries winning.
func containerEnv(c corev1.Container, configMaps map[string]map[string]string) ([]string, error) {
	values := map[string]string{}
	for _, from := range c.EnvFrom {
		switch {
		case from.ConfigMapRef != nil:
			data, ok := configMaps[from.ConfigMapRef.Name]
			if !ok {
				return nil, fmt.Errorf("envFrom ConfigMap %q is not among the rendered objects", from.ConfigMapRef.Name)
			}
			for k, v := range data {
				values[from.Prefix+k] = v
			}
		case from.SecretRef != nil:
			return nil, fmt.Errorf("envFrom Secret %q: the keys of a Secret are unknown here; use secretKeyRef per variable", from.SecretRef.Name)
		}
	}
	for _, e := range c.Env {
		switch {
		case e.ValueFrom == nil:
			values[e.Name] = e.Value
		case e.ValueFrom.SecretKeyRef != nil:
			values[e.Name] = secretPlaceholder
		case e.ValueFrom.ConfigMapKeyRef != nil:
			ref := e.ValueFrom.ConfigMapKeyRef
			v, ok := configMaps[ref.Name][ref.Key]
			if !ok {
				return nil, fmt.Errorf("%s: ConfigMap %q key %q is not rendered", e.Name, ref.Name, ref.Key)
			}
			values[e.Name] = v
		default:
			values[e.Name] = "placeholder-from-field"
		}
	}
	env := make([]string, 0, len(values))
	for k, v := range values {
		env = append(env, k+"="+v)
	}
	sort.Strings(env)
	return env, nil
}

func mustDecode(o manifests.Object, into any) {
	if err := json.Unmarshal(o.JSON, into); err != nil {
		fail("%s: %v", o, err)
	}
}

func indent(text string) string {
	return "      " + strings.ReplaceAll(text, "\n", "\n      ")
}

func fail(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "FAIL "+format+"\n", args...)
	os.Exit(1)
}
