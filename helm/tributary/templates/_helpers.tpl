{{/*
Names, labels and the environment every tributary container gets. The binaries take every
setting from a TRIBUTARY_* variable; which variables a component gets is decided here, in one
place, because `<binary> --check-config` (scripts/check_chart.sh) refuses a TRIBUTARY_ variable
the binary does not read: a stage's environment holds exactly that stage's settings.
*/}}

{{- define "tributary.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "tributary.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{/* The stages, in start-up order (downstream first). */}}
{{- define "tributary.stages" -}}
{{- list "loader" "embedder" "parser" "fetcher" "scheduler" | toJson }}
{{- end }}

{{/* Stages that use PostgreSQL; the others get no DSN at all. */}}
{{- define "tributary.pgStages" -}}
{{- list "loader" "embedder" "scheduler" | toJson }}
{{- end }}

{{/* "<fullname>-<component>", the name of a component's objects. Takes (list root component). */}}
{{- define "tributary.componentName" -}}
{{- $root := index . 0 }}
{{- printf "%s-%s" (include "tributary.fullname" $root) (index . 1) | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "tributary.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
app.kubernetes.io/name: {{ include "tributary.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: tributary
{{- with .Values.commonLabels }}
{{ toYaml . }}
{{- end }}
{{- end }}

{{/* Labels of one component's objects. Takes (list root component). */}}
{{- define "tributary.componentLabels" -}}
{{ include "tributary.labels" (index . 0) }}
app.kubernetes.io/component: {{ index . 1 }}
{{- end }}

{{/* The labels that select one component's pods. Takes (list root component). */}}
{{- define "tributary.selectorLabels" -}}
app.kubernetes.io/name: {{ include "tributary.name" (index . 0) }}
app.kubernetes.io/instance: {{ (index . 0).Release.Name }}
app.kubernetes.io/component: {{ index . 1 }}
{{- end }}

{{- define "tributary.image" -}}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) }}
{{- end }}

{{- define "tributary.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "tributary.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{/* "max-in-flight" -> "TRIBUTARY_MAX_IN_FLIGHT", the binaries' own rule. */}}
{{- define "tributary.envName" -}}
{{- printf "TRIBUTARY_%s" (. | replace "-" "_" | upper) }}
{{- end }}

{{/*
A value as the binaries read it: lists comma-joined, whole numbers without the exponent that
Helm's float64 numbers would print (16777216, not 1.6777216e+07), booleans as true/false.
*/}}
{{- define "tributary.settingValue" -}}
{{- if kindIs "slice" . }}
{{- join "," . }}
{{- else if and (kindIs "float64" .) (eq (float64 (int64 .)) .) }}
{{- int64 . }}
{{- else }}
{{- toString . }}
{{- end }}
{{- end }}

{{- define "tributary.kafkaTlsDir" -}}/etc/tributary/kafka-tls{{- end }}
{{- define "tributary.pgTlsDir" -}}/etc/tributary/pg-tls{{- end }}

{{/*
The non-secret environment of one component as a YAML map (name: value): rendered into the
component's ConfigMap for the Deployments, and inline into the hook Jobs (which run before
any ConfigMap of the release exists). Takes (list root component).
*/}}
{{- define "tributary.plainEnv" -}}
{{- $root := index . 0 }}
{{- $component := index . 1 }}
{{- $v := $root.Values }}
{{- $env := dict }}
{{- $_ := set $env "TRIBUTARY_LOG_FORMAT" $v.log.format }}
{{- $_ := set $env "TRIBUTARY_LOG_LEVEL" $v.log.level }}
{{- if ne $component "migrate" }}
{{- $_ := set $env "TRIBUTARY_KAFKA_BROKERS" $v.kafka.brokers }}
{{- $_ := set $env "TRIBUTARY_TOPIC_PREFIX" $v.kafka.topicPrefix }}
{{- if has $component (list "scheduler" "parser" "fetcher") }}
{{- /* The writers of fetch.requests key it by host or domain, and the fetcher counts its
       per-host limits by the same key: one scope for all three. */}}
{{- $_ := set $env "TRIBUTARY_POLITENESS_SCOPE" $v.kafka.politenessScope }}
{{- end }}
{{- range $key, $value := $v.kafka.config }}
{{- $_ := set $env (printf "TRIBUTARY_KAFKA__%s" ($key | replace "." "_" | upper)) (include "tributary.settingValue" $value) }}
{{- end }}
{{- if $v.kafka.tls.enabled }}
{{- $dir := include "tributary.kafkaTlsDir" $root }}
{{- $_ := set $env "TRIBUTARY_KAFKA__SSL_CA_LOCATION" (printf "%s/%s" $dir $v.kafka.tls.caKey) }}
{{- if $v.kafka.tls.certKey }}
{{- $_ := set $env "TRIBUTARY_KAFKA__SSL_CERTIFICATE_LOCATION" (printf "%s/%s" $dir $v.kafka.tls.certKey) }}
{{- $_ := set $env "TRIBUTARY_KAFKA__SSL_KEY_LOCATION" (printf "%s/%s" $dir $v.kafka.tls.keyKey) }}
{{- end }}
{{- end }}
{{- $stage := index $v $component }}
{{- $_ := set $env "TRIBUTARY_ADMIN_PORT" (toString $stage.adminPort) }}
{{- range $key, $value := $stage.settings }}
{{- $_ := set $env (include "tributary.envName" $key) (include "tributary.settingValue" $value) }}
{{- end }}
{{- end }}
{{- if or (eq $component "migrate") (has $component (include "tributary.pgStages" $root | fromJsonArray)) }}
{{- $_ := set $env "TRIBUTARY_PG_STATEMENT_TIMEOUT" $v.postgres.statementTimeout }}
{{- $_ := set $env "TRIBUTARY_PG_LOCK_TIMEOUT" $v.postgres.lockTimeout }}
{{- $_ := set $env "TRIBUTARY_PG_CONNECT_TIMEOUT" $v.postgres.connectTimeout }}
{{- if $v.postgres.tls.enabled }}
{{- $dir := include "tributary.pgTlsDir" $root }}
{{- $_ := set $env "PGSSLMODE" $v.postgres.tls.sslMode }}
{{- $_ := set $env "PGSSLROOTCERT" (printf "%s/%s" $dir $v.postgres.tls.caKey) }}
{{- if $v.postgres.tls.certKey }}
{{- $_ := set $env "PGSSLCERT" (printf "%s/%s" $dir $v.postgres.tls.certKey) }}
{{- $_ := set $env "PGSSLKEY" (printf "%s/%s" $dir $v.postgres.tls.keyKey) }}
{{- end }}
{{- end }}
{{- end }}
{{- toYaml $env }}
{{- end }}

{{/*
The secret environment of one component: EnvVar entries with secretKeyRef only, so no secret
value ever appears in a rendered manifest. Takes (list root component).
*/}}
{{- define "tributary.secretEnv" -}}
{{- $root := index . 0 }}
{{- $component := index . 1 }}
{{- $v := $root.Values }}
{{- $own := index $v $component | default dict }}
{{- if or (eq $component "migrate") (has $component (include "tributary.pgStages" $root | fromJsonArray)) }}
- name: TRIBUTARY_PG_DSN
  valueFrom:
    secretKeyRef:
      name: {{ default $v.postgres.existingSecret $own.existingSecret | quote }}
      key: {{ default $v.postgres.dsnKey $own.dsnKey | quote }}
{{- end }}
{{- if and (ne $component "migrate") $v.kafka.sasl.enabled }}
- name: TRIBUTARY_KAFKA__SASL_USERNAME
  valueFrom:
    secretKeyRef:
      name: {{ $v.kafka.sasl.existingSecret | quote }}
      key: {{ $v.kafka.sasl.usernameKey | quote }}
- name: TRIBUTARY_KAFKA__SASL_PASSWORD
  valueFrom:
    secretKeyRef:
      name: {{ $v.kafka.sasl.existingSecret | quote }}
      key: {{ $v.kafka.sasl.passwordKey | quote }}
{{- end }}
{{- if and (eq $component "embedder") $v.embedder.apiKeySecret.name }}
- name: TRIBUTARY_OPENAI_API_KEY
  valueFrom:
    secretKeyRef:
      name: {{ $v.embedder.apiKeySecret.name | quote }}
      key: {{ $v.embedder.apiKeySecret.key | quote }}
{{- end }}
{{- end }}

{{/* Volumes every tributary pod mounts: a writable /tmp and the TLS Secrets. Takes (list root component). */}}
{{- define "tributary.volumes" -}}
{{- $root := index . 0 }}
{{- $component := index . 1 }}
{{- $v := $root.Values }}
- name: tmp
  emptyDir:
    sizeLimit: 64Mi
{{- if and (ne $component "migrate") $v.kafka.tls.enabled }}
- name: kafka-tls
  secret:
    secretName: {{ $v.kafka.tls.existingSecret | quote }}
    defaultMode: 0440
{{- end }}
{{- if and $v.postgres.tls.enabled (or (eq $component "migrate") (has $component (include "tributary.pgStages" $root | fromJsonArray))) }}
- name: pg-tls
  secret:
    secretName: {{ $v.postgres.tls.existingSecret | quote }}
    # libpq refuses a client key readable by others; root-owned 0440 passes its check.
    defaultMode: 0440
{{- end }}
{{- if and (eq $component "embedder") $v.embedder.modelVolume }}
- name: model
  {{- toYaml $v.embedder.modelVolume | nindent 2 }}
{{- end }}
{{- end }}

{{- define "tributary.volumeMounts" -}}
{{- $root := index . 0 }}
{{- $component := index . 1 }}
{{- $v := $root.Values }}
- name: tmp
  mountPath: /tmp
{{- if and (ne $component "migrate") $v.kafka.tls.enabled }}
- name: kafka-tls
  mountPath: {{ include "tributary.kafkaTlsDir" $root }}
  readOnly: true
{{- end }}
{{- if and $v.postgres.tls.enabled (or (eq $component "migrate") (has $component (include "tributary.pgStages" $root | fromJsonArray))) }}
- name: pg-tls
  mountPath: {{ include "tributary.pgTlsDir" $root }}
  readOnly: true
{{- end }}
{{- if and (eq $component "embedder") $v.embedder.modelVolume }}
- name: model
  mountPath: /models
  readOnly: true
{{- end }}
{{- end }}

{{/* Setting `name` of a stage, or its default. Takes (list stageValues name default). */}}
{{- define "tributary.stageSetting" -}}
{{- $settings := (index . 0).settings | default dict }}
{{- if hasKey $settings (index . 1) }}{{ include "tributary.settingValue" (index $settings (index . 1)) }}{{ else }}{{ index . 2 }}{{ end }}
{{- end }}

{{/* The consumer group of a stage (settings.group-id or tributary-<stage>). Takes (list root stage). */}}
{{- define "tributary.groupId" -}}
{{- include "tributary.stageSetting" (list (index (index . 0).Values (index . 1)) "group-id" (printf "tributary-%s" (index . 1))) }}
{{- end }}

{{/*
The topics a stage consumes, as a JSON list, the way the binaries derive them (their --help):
a topic setting wins, else <prefix>.<default>. Takes (list root stage).
*/}}
{{- define "tributary.inputTopics" -}}
{{- $root := index . 0 }}
{{- $stage := index . 1 }}
{{- $s := index $root.Values $stage }}
{{- $p := $root.Values.kafka.topicPrefix }}
{{- if eq $stage "fetcher" }}
{{- list (include "tributary.stageSetting" (list $s "requests-topic" (printf "%s.fetch.requests" $p))) | toJson }}
{{- else if eq $stage "parser" }}
{{- list (include "tributary.stageSetting" (list $s "documents-topic" (printf "%s.documents" $p))) | toJson }}
{{- else if eq $stage "embedder" }}
{{- list (include "tributary.stageSetting" (list $s "items-topic" (printf "%s.items" $p))) | toJson }}
{{- else if eq $stage "loader" }}
{{- $embeddings := ne (include "tributary.stageSetting" (list $s "embeddings" "true")) "false" }}
{{- $items := printf "%s.%s" $p (ternary "embedded" "items" $embeddings) }}
{{- list (include "tributary.stageSetting" (list $s "items-topic" $items)) (include "tributary.stageSetting" (list $s "events-topic" (printf "%s.source.events" $p))) | toJson }}
{{- else }}
{{- list | toJson }}
{{- end }}
{{- end }}
