{{/*
The deployables of this chart, in one place. Every template ranges over this list, and each entry's
values live under the same key (.Values.ingest, ...). A new deployable is one line here plus its
block in values.yaml and values.schema.json. `project` is the folder under src/ and the Dockerfile's
SERVICE build argument; a consumer names its group's setting (and its default) and, when it reads one
topic, that topic's, for KEDA's lag trigger.
*/}}
{{- define "shopify-pinterest.deployables" -}}
ingest:
  project: Ingest
enricher:
  project: Enricher
  consumerGroup: {section: Enricher, default: pipeline-enricher}
dispatcher:
  project: Dispatcher
  consumerGroup: {section: Dispatcher, default: pipeline-dispatcher}
  topic: {key: PinterestEvents, default: pinterest.events}
operator:
  project: Operator
{{- end }}

{{/*
Whether a configuration key's value, and everything below it, is secret: "true" or "". The one place
that decides what goes to the Secret instead of a ConfigMap. It fails closed: besides the keys named
here (secret although their names do not say so), any key whose name contains "password", "secret",
"token" or "key", or ends in ".pem", is secret, so a librdkafka property or setting added later stays
out of the ConfigMaps unless someone decides otherwise here. Call with the key.
*/}}
{{- define "shopify-pinterest.isSecretKey" -}}
{{- $named := list "BasicAuthUserInfo" "sasl.oauthbearer.config" }}
{{- $key := lower (toString .) }}
{{- if or (has (toString .) $named) (regexMatch "password|secret|token|key" $key) (hasSuffix ".pem" $key) }}true{{ end }}
{{- end }}

{{- define "shopify-pinterest.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
The release's full name, at most 40 characters: a StatefulSet's name gets a deployable's suffix (the
longest is "-dispatcher") and then Kubernetes adds an 11-character revision hash to a label that holds
63, so StatefulSet names must stay within 52.
*/}}
{{- define "shopify-pinterest.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 40 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 40 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 40 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{/* The name of one deployable's objects. Call with (dict "root" $ "name" "ingest"). */}}
{{- define "shopify-pinterest.componentName" -}}
{{- printf "%s-%s" (include "shopify-pinterest.fullname" .root) .name | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "shopify-pinterest.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Labels of every object; with "name", also the component's. */}}
{{- define "shopify-pinterest.labels" -}}
helm.sh/chart: {{ include "shopify-pinterest.chart" .root }}
{{ include "shopify-pinterest.selectorLabels" . }}
app.kubernetes.io/version: {{ .root.Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .root.Release.Service }}
app.kubernetes.io/part-of: {{ include "shopify-pinterest.name" .root }}
{{- end }}

{{- define "shopify-pinterest.selectorLabels" -}}
app.kubernetes.io/name: {{ include "shopify-pinterest.name" .root }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
{{- with .name }}
app.kubernetes.io/component: {{ . }}
{{- end }}
{{- end }}

{{- define "shopify-pinterest.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "shopify-pinterest.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{- define "shopify-pinterest.secretName" -}}
{{- default (printf "%s-secrets" (include "shopify-pinterest.fullname" .)) .Values.existingSecret }}
{{- end }}

{{/* <repository>-<deployable>:<tag>, unless the deployable names its own. Call with (dict "root" $ "name" "ingest" "values" $v). */}}
{{- define "shopify-pinterest.image" -}}
{{- $repository := default (printf "%s-%s" .root.Values.image.repository .name) .values.image.repository }}
{{- $tag := default (default .root.Chart.AppVersion .root.Values.image.tag) .values.image.tag }}
{{- printf "%s:%s" $repository $tag }}
{{- end }}

{{/*
A scalar as text, whole numbers as integers: Helm reads YAML numbers as floats, and Go writes the
float 1000000 as 1e+06 (and 604800000 as 6.048e+08). Every number a template writes from the values
goes through here.
*/}}
{{- define "shopify-pinterest.scalar" -}}
{{- if and (kindIs "float64" .) (eq . (float64 (int64 .))) }}
{{- int64 . }}
{{- else }}
{{- toString . }}
{{- end }}
{{- end }}

{{/*
Flattens a configuration tree into environment variables (Kafka.Client.sasl.username becomes
Kafka__Client__sasl.username; list items are numbered, as .NET configuration reads them). Only the
leaves on the side asked for are written: "want" true for the Secret's, false for the ConfigMap's.
*/}}
{{- define "shopify-pinterest.flatten" -}}
{{- if kindIs "map" .value }}
{{- range $key, $child := .value }}
{{- $path := ternary $key (printf "%s__%s" $.prefix $key) (eq $.prefix "") }}
{{- include "shopify-pinterest.flatten" (dict "prefix" $path "value" $child "secret" (or $.secret (eq (include "shopify-pinterest.isSecretKey" $key) "true")) "want" $.want) }}
{{- end }}
{{- else if kindIs "slice" .value }}
{{- range $index, $child := .value }}
{{- include "shopify-pinterest.flatten" (dict "prefix" (printf "%s__%d" $.prefix $index) "value" $child "secret" $.secret "want" $.want) }}
{{- end }}
{{- else if and (not (kindIs "invalid" .value)) (eq .secret .want) }}
{{ .prefix }}: {{ include "shopify-pinterest.scalar" .value | quote }}
{{- end }}
{{- end }}

{{/*
The settings one deployable reads: the shared `config` and its own, merged (its own win), and
Telemetry.PrometheusMetrics on when a ServiceMonitor scrapes it. The switch is part of the settings,
so turning metrics on changes the ConfigMap's data and the pod template's checksum: pods restart and
serve /metrics instead of answering 404 until something else restarts them.
Call with (dict "root" $ "values" $v).
*/}}
{{- define "shopify-pinterest.settings" -}}
{{- $settings := mergeOverwrite (deepCopy .root.Values.config) (deepCopy (default dict .values.config)) }}
{{- if .root.Values.metrics.serviceMonitor.enabled }}
{{- $settings = mergeOverwrite $settings (dict "Telemetry" (dict "PrometheusMetrics" true)) }}
{{- end }}
{{- toYaml $settings }}
{{- end }}

{{/* One deployable's ConfigMap data: its settings that are not secret, as environment variables. Call with (dict "root" $ "values" $v). */}}
{{- define "shopify-pinterest.configEnv" -}}
{{- $settings := include "shopify-pinterest.settings" . | fromYaml }}
{{- include "shopify-pinterest.flatten" (dict "prefix" "" "value" $settings "secret" false "want" false) | trim }}
{{- end }}

{{/*
The chart's Secret data: the secret settings of every enabled deployable (the shared ones and each
one's own, such as operator.config.Operator.Token), as environment variables. The deployables' own
sections do not overlap, so one Secret holds them all.
*/}}
{{- define "shopify-pinterest.secretEnv" -}}
{{- $all := dict }}
{{- range $name, $deployable := include "shopify-pinterest.deployables" . | fromYaml }}
{{- $v := index $.Values $name }}
{{- if $v.enabled }}
{{- $settings := include "shopify-pinterest.settings" (dict "root" $ "values" $v) | fromYaml }}
{{- $all = mergeOverwrite $all (include "shopify-pinterest.flatten" (dict "prefix" "" "value" $settings "secret" false "want" true) | fromYaml) }}
{{- end }}
{{- end }}
{{- if $all }}
{{- toYaml $all }}
{{- end }}
{{- end }}

{{/* Install-time checks: a missing cluster or registry fails here rather than in the pods' logs. */}}
{{- define "shopify-pinterest.validate" -}}
{{- $kafka := default dict .Values.config.Kafka }}
{{- if not (or $kafka.BootstrapServers $kafka.UseEmbeddedBroker) }}
{{- fail "config.Kafka.BootstrapServers is required: the cluster the pipeline uses (for example kafka:9092)." }}
{{- end }}
{{- $registry := default dict .Values.config.SchemaRegistry }}
{{- if not (or $registry.Url $registry.UseInMemoryRegistry) }}
{{- fail "config.SchemaRegistry.Url is required: your Confluent Schema Registry (for example http://schema-registry:8081)." }}
{{- end }}
{{- if not .Values.config.Shops }}
{{- fail "config.Shops needs at least one shop (Domain, WebhookSecrets, Pinterest.AdAccountId)." }}
{{- end }}
{{- if and .Values.existingSecret (include "shopify-pinterest.secretEnv" .) }}
{{- fail (printf "existingSecret is set, so leave the secrets out of config and the deployables' config: they belong in that Secret (%s)." (include "shopify-pinterest.secretEnv" . | fromYaml | keys | sortAlpha | join ", ")) }}
{{- end }}
{{- end }}
