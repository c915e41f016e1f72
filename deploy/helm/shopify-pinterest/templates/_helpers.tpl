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

{{/*
The Secret the chart writes for one reader (a deployable, or "replay"): <release>-<reader>-secrets.
Call with (dict "root" $ "name" "ingest").
*/}}
{{- define "shopify-pinterest.secretName" -}}
{{- printf "%s-secrets" (include "shopify-pinterest.componentName" .) | trunc 63 | trimSuffix "-" }}
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
Which secret settings each reader is given, as regular expressions over the environment variable names
(Kafka__Client__sasl.password, Shops__0__WebhookSecrets__0). Least privilege: a reader gets the secrets
of the sections it binds, and of a shop only the part it reads. Ingest gets the webhook secrets, the
dispatcher the conversion tokens, the operator view its token, and the enricher no shop secret (it reads
no token). The replay tool, which is no workload of the chart, gets the Admin API tokens of the backfill in
a Secret of its own, for a Job or `kubectl run`. A secret setting that no reader's list names fails the
render ("shopify-pinterest.validate") rather than going to every pod: name its reader here.
*/}}
{{- define "shopify-pinterest.secretReaders" -}}
ingest: ['^Kafka__', '^SchemaRegistry__', '^Telemetry__', '^Shops__[0-9]+__WebhookSecrets__', '^Ingest__', '^Storefront__']
enricher: ['^Kafka__', '^SchemaRegistry__', '^Telemetry__', '^Enricher__']
dispatcher: ['^Kafka__', '^SchemaRegistry__', '^Telemetry__', '^Shops__[0-9]+__Pinterest__', '^Dispatcher__', '^Pinterest__']
operator: ['^Kafka__', '^SchemaRegistry__', '^Telemetry__', '^Operator__']
replay: ['^Kafka__', '^SchemaRegistry__', '^Telemetry__', '^Shops__[0-9]+__AdminApiToken$']
{{- end }}

{{/* The secret settings of a configuration tree, flattened as environment variables (YAML). Call with the tree. */}}
{{- define "shopify-pinterest.secretsOf" -}}
{{- include "shopify-pinterest.flatten" (dict "prefix" "" "value" (default dict .) "secret" false "want" true) | trim }}
{{- end }}

{{/* Whether a reader is given the environment variable "key": "true" or "". Call with (dict "root" $ "name" "ingest" "key" $key). */}}
{{- define "shopify-pinterest.reads" -}}
{{- range index (include "shopify-pinterest.secretReaders" .root | fromYaml) .name }}
{{- if regexMatch . $.key }}true{{ break }}{{ end }}
{{- end }}
{{- end }}

{{/*
One reader's Secret data: of its settings (the shared `config` and, for a deployable, its own), the
secret ones it reads. Call with (dict "root" $ "name" "ingest" "values" $v); no "values" for the replay
tool, which has the shared `config` only.
*/}}
{{- define "shopify-pinterest.secretEnv" -}}
{{- $settings := include "shopify-pinterest.settings" (dict "root" .root "values" (default dict .values)) | fromYaml }}
{{- $mine := dict }}
{{- range $key, $value := include "shopify-pinterest.secretsOf" $settings | fromYaml }}
{{- if include "shopify-pinterest.reads" (dict "root" $.root "name" $.name "key" $key) }}
{{- $_ := set $mine $key $value }}
{{- end }}
{{- end }}
{{- if $mine }}
{{- toYaml $mine }}
{{- end }}
{{- end }}

{{/* Every secret setting in the values, as "where: key" lines: the shared `config` and each enabled deployable's own. */}}
{{- define "shopify-pinterest.allSecrets" -}}
{{- range $key, $_ := include "shopify-pinterest.secretsOf" .Values.config | fromYaml }}
{{ printf "config: %s" $key }}
{{- end }}
{{- range $name, $_ := include "shopify-pinterest.deployables" $ | fromYaml }}
{{- $v := index $.Values $name }}
{{- if $v.enabled }}
{{- range $key, $_ := include "shopify-pinterest.secretsOf" $v.config | fromYaml }}
{{ printf "%s.config: %s" $name $key }}
{{- end }}
{{- end }}
{{- end }}
{{- end }}

{{/*
The secret settings no reader is given, as "where: key" lines: a shared one that no reader reads, or a
deployable's own that it does not read itself.
*/}}
{{- define "shopify-pinterest.unreadSecrets" -}}
{{- $readers := include "shopify-pinterest.secretReaders" . | fromYaml }}
{{- range $key, $_ := include "shopify-pinterest.secretsOf" .Values.config | fromYaml }}
{{- $read := false }}
{{- range $name, $_ := $readers }}
{{- if include "shopify-pinterest.reads" (dict "root" $ "name" $name "key" $key) }}
{{- $read = true }}
{{- end }}
{{- end }}
{{- if not $read }}
{{ printf "config: %s" $key }}
{{- end }}
{{- end }}
{{- range $name, $_ := include "shopify-pinterest.deployables" $ | fromYaml }}
{{- $v := index $.Values $name }}
{{- if $v.enabled }}
{{- range $key, $_ := include "shopify-pinterest.secretsOf" $v.config | fromYaml }}
{{- if not (include "shopify-pinterest.reads" (dict "root" $ "name" $name "key" $key)) }}
{{ printf "%s.config: %s" $name $key }}
{{- end }}
{{- end }}
{{- end }}
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
{{- with include "shopify-pinterest.allSecrets" . | trim }}
{{- if $.Values.existingSecret }}
{{- fail (printf "existingSecret is set, so leave the secrets out of config and the deployables' config: they belong in that Secret (%s)." (splitList "\n" . | join ", ")) }}
{{- end }}
{{- end }}
{{- with include "shopify-pinterest.unreadSecrets" . | trim }}
{{- fail (printf "No deployable reads these secret settings, so the chart would give them to no pod: %s. Put each where its reader reads it, or name its reader in shopify-pinterest.secretReaders (templates/_helpers.tpl)." (splitList "\n" . | join ", ")) }}
{{- end }}
{{- end }}
