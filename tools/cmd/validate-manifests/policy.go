package main

import (
	"fmt"

	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
)

// policy checks what the API types cannot: the chart's own promises about every pod. Each
// returns the problems found, worded for the person reading check_chart.sh's output.
func policy(obj any) []string {
	switch o := obj.(type) {
	case *appsv1.Deployment:
		problems := podPolicy(&o.Spec.Template.Spec)
		problems = append(problems, selectorPolicy(o.Spec.Selector, o.Spec.Template.Labels)...)
		return problems
	case *batchv1.Job:
		return podPolicy(&o.Spec.Template.Spec)
	}
	return nil
}

func podPolicy(pod *corev1.PodSpec) []string {
	var problems []string
	// Service links would inject TRIBUTARY_<SERVICE>_PORT=tcp://... into the binaries'
	// settings namespace.
	if pod.EnableServiceLinks == nil || *pod.EnableServiceLinks {
		problems = append(problems, "spec.enableServiceLinks must be false")
	}
	if pod.SecurityContext == nil || pod.SecurityContext.RunAsNonRoot == nil || !*pod.SecurityContext.RunAsNonRoot {
		problems = append(problems, "pod securityContext.runAsNonRoot must be true")
	}
	for _, c := range pod.Containers {
		sc := c.SecurityContext
		if sc == nil || sc.ReadOnlyRootFilesystem == nil || !*sc.ReadOnlyRootFilesystem {
			problems = append(problems, fmt.Sprintf("container %s: securityContext.readOnlyRootFilesystem must be true", c.Name))
		}
		if sc == nil || sc.AllowPrivilegeEscalation == nil || *sc.AllowPrivilegeEscalation {
			problems = append(problems, fmt.Sprintf("container %s: securityContext.allowPrivilegeEscalation must be false", c.Name))
		}
		for _, e := range c.Env {
			// Secrets reach the pods by reference only.
			if isSecretName(e.Name) && e.Value != "" {
				problems = append(problems, fmt.Sprintf("container %s: %s has an inline value; use secretKeyRef", c.Name, e.Name))
			}
		}
	}
	return problems
}

func isSecretName(name string) bool {
	switch name {
	case "TRIBUTARY_PG_DSN", "TRIBUTARY_OPENAI_API_KEY", "TRIBUTARY_KAFKA__SASL_PASSWORD",
		"TRIBUTARY_KAFKA__SSL_KEY_PASSWORD", "SASL_PASSWORD", "PGPASSWORD":
		return true
	}
	return false
}

func selectorPolicy(selector *metav1.LabelSelector, podLabels map[string]string) []string {
	s, err := metav1.LabelSelectorAsSelector(selector)
	if err != nil {
		return []string{fmt.Sprintf("spec.selector: %v", err)}
	}
	if !s.Matches(labels.Set(podLabels)) {
		return []string{"spec.selector does not match the pod template's labels"}
	}
	return nil
}
