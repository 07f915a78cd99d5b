"""Helm charts: templates read with the chart's own values, so a chart's probes,
resources and autoscaler count as the manifests they render to, and findings point
at the template line they come from. Nothing is run: no helm, no Go templates."""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from pathlib import Path

import pytest
import yaml

from readycheck.model import Report, Status
from readycheck.parsers.helm import chart_companions, render
from readycheck.pipeline import ScanOptions, scan
from readycheck.rulebook import Rulebook
from readycheck.yamlload import load_all
from tests.conftest import rule_result, write_tree

Scan = Callable[[Mapping[str, str | bytes]], Report]

CHART = """\
apiVersion: v2
name: churn-api
description: Churn prediction service
type: application
version: 0.3.1
appVersion: "1.4.2"
"""

VALUES = """\
replicaCount: 2
image:
  repository: ghcr.io/acme/churn-api
  pullPolicy: IfNotPresent
  tag: ""
podAnnotations: {}
podSecurityContext:
  runAsNonRoot: true
  runAsUser: 10001
securityContext:
  allowPrivilegeEscalation: false
  readOnlyRootFilesystem: true
  capabilities:
    drop: [ALL]
service:
  port: 8080
resources:
  requests: {cpu: 500m, memory: 1Gi}
  limits: {memory: 2Gi}
livenessProbe:
  httpGet: {path: /healthz, port: http}
readinessProbe:
  httpGet: {path: /ready, port: http}
autoscaling:
  enabled: true
  minReplicas: 2
  maxReplicas: 10
  targetCPUUtilizationPercentage: 70
"""

# The shape `helm create` writes, trimmed to what a model service needs.
DEPLOYMENT = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ include "churn-api.fullname" . }}
  labels:
    {{- include "churn-api.labels" . | nindent 4 }}
spec:
  {{- if not .Values.autoscaling.enabled }}
  replicas: {{ .Values.replicaCount }}
  {{- end }}
  selector:
    matchLabels:
      {{- include "churn-api.selectorLabels" . | nindent 6 }}
  template:
    metadata:
      {{- with .Values.podAnnotations }}
      annotations:
        {{- toYaml . | nindent 8 }}
      {{- end }}
      labels:
        {{- include "churn-api.labels" . | nindent 8 }}
    spec:
      {{/* the pod runs as the image's non-root user */}}
      securityContext:
        {{- toYaml .Values.podSecurityContext | nindent 8 }}
      containers:
        - name: {{ .Chart.Name }}
          securityContext:
            {{- toYaml .Values.securityContext | nindent 12 }}
          image: "{{ .Values.image.repository }}:{{ .Values.image.tag | default .Chart.AppVersion }}"
          imagePullPolicy: {{ .Values.image.pullPolicy }}
          ports:
            - name: http
              containerPort: {{ .Values.service.port }}
          livenessProbe:
            {{- toYaml .Values.livenessProbe | nindent 12 }}
          readinessProbe:
            {{- toYaml .Values.readinessProbe | nindent 12 }}
          resources:
            {{- toYaml .Values.resources | nindent 12 }}
"""

HPA = """\
{{- if .Values.autoscaling.enabled }}
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata:
  name: {{ include "churn-api.fullname" . }}
spec:
  scaleTargetRef:
    apiVersion: apps/v1
    kind: Deployment
    name: {{ include "churn-api.fullname" . }}
  minReplicas: {{ .Values.autoscaling.minReplicas }}
  maxReplicas: {{ .Values.autoscaling.maxReplicas }}
{{- end }}
"""

HELPERS = '{{- define "churn-api.fullname" -}}\n{{ .Release.Name }}-{{ .Chart.Name }}\n{{- end }}\n'

APP = """\
from fastapi import FastAPI

app = FastAPI()


@app.get("/healthz")
def healthz() -> dict:
    return {"ok": True}
"""


def _repository(values: str = VALUES) -> dict[str, str]:
    return {
        "src/churn/app.py": APP,
        "deploy/chart/Chart.yaml": CHART,
        "deploy/chart/values.yaml": values,
        "deploy/chart/templates/_helpers.tpl": HELPERS,
        "deploy/chart/templates/deployment.yaml": DEPLOYMENT,
        "deploy/chart/templates/hpa.yaml": HPA,
    }


def _result(report: Report, rule_id: str) -> tuple[Status, set[tuple[str, int | None]]]:
    result = rule_result(report, rule_id)
    where = {(f.location.path, f.location.line) for f in result.findings if f.location}
    return result.status, where


def test_templates_are_paired_with_their_charts_values() -> None:
    paths = [
        "deploy/chart/Chart.yaml",
        "deploy/chart/values.yaml",
        "deploy/chart/templates/deployment.yaml",
        "deploy/chart/templates/tests/test-connection.yaml",
        "deploy/chart/templates/NOTES.txt",
        "k8s/templates/deployment.yaml",  # no Chart.yaml: not a chart
    ]
    assert chart_companions(paths) == {
        "deploy/chart/templates/deployment.yaml": (
            "deploy/chart/Chart.yaml",
            "deploy/chart/values.yaml",
        ),
        "deploy/chart/templates/tests/test-connection.yaml": (
            "deploy/chart/Chart.yaml",
            "deploy/chart/values.yaml",
        ),
    }


def test_a_template_renders_with_the_charts_values_and_keeps_its_lines() -> None:
    rendered = render(DEPLOYMENT, CHART, VALUES)
    (deployment,) = load_all(rendered.text).documents
    pod = deployment["spec"]["template"]["spec"]
    (container,) = pod["containers"]
    assert "replicas" not in deployment["spec"]  # autoscaling is on
    assert pod["securityContext"] == {"runAsNonRoot": True, "runAsUser": 10001}
    assert container["name"] == "churn-api"
    assert deployment["metadata"]["name"] == "churn-api"  # include "churn-api.fullname"
    assert container["image"] == "ghcr.io/acme/churn-api:1.4.2"  # tag "" -> appVersion
    assert container["resources"]["limits"] == {"memory": "2Gi"}
    assert container["readinessProbe"]["httpGet"]["path"] == "/ready"
    template_line = {n: text for n, text in enumerate(DEPLOYMENT.splitlines(), start=1)}
    line_of_probe = rendered.lines[rendered.text.splitlines().index("          readinessProbe:")]
    assert template_line[line_of_probe].strip() == "readinessProbe:"
    line_of_limits = rendered.lines[rendered.text.splitlines().index("            limits:")]
    assert "toYaml .Values.resources" in template_line[line_of_limits]


def test_conditions_follow_the_default_values() -> None:
    off = VALUES.replace("  enabled: true", "  enabled: false")
    assert load_all(render(HPA, CHART, off).text).documents in ([], [None])
    (deployment,) = load_all(render(DEPLOYMENT, CHART, off).text).documents
    assert deployment["spec"]["replicas"] == 2
    (hpa,) = load_all(render(HPA, CHART, VALUES).text).documents
    assert hpa["spec"]["maxReplicas"] == 10


def test_what_cannot_be_evaluated_is_a_placeholder_and_a_true_condition() -> None:
    template = (
        '{{- $fullName := include "x.fullname" . -}}\n'
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n"
        "  name: {{ $fullName }}\n"
        '  labels:\n    {{- include "x.labels" . | nindent 4 }}\n'
        '{{- if .Capabilities.APIVersions.Has "policy/v1" }}\n'
        'data:\n  region: {{ .Values.region | default "eu-west-1" | quote }}\n'
        "{{- end }}\n"
    )
    (config,) = load_all(render(template, None, None).text).documents
    assert config["metadata"] == {"name": "helm-value", "labels": {"helm-value": "helm-value"}}
    assert config["data"] == {"region": "eu-west-1"}


def test_a_chart_counts_as_kubernetes_manifests(scan_tree: Scan) -> None:
    report = scan_tree(_repository())
    for rule_id in ("RC-INFRA-003", "RC-INFRA-005", "RC-INFRA-006", "RC-INFRA-010", "RC-SEC-006"):
        assert _result(report, rule_id)[0] is Status.PASS, rule_id
    assert not [w for w in report.warnings if w.path and w.path.startswith("deploy/")]


def test_a_charts_gaps_are_reported_at_the_template_line(scan_tree: Scan) -> None:
    values = (
        VALUES.replace("  enabled: true", "  enabled: false")
        .replace("  limits: {memory: 2Gi}\n", "")
        .replace('  tag: ""', "  tag: latest")
    )
    report = scan_tree(_repository(values))
    deployment = "deploy/chart/templates/deployment.yaml"
    assert _result(report, "RC-INFRA-005") == (Status.FAIL, {(deployment, 27)})
    assert _result(report, "RC-INFRA-006")[0] is Status.FAIL
    assert _result(report, "RC-INFRA-010") == (Status.FAIL, {(deployment, 30)})


def test_editing_values_yaml_invalidates_the_cached_templates(
    tmp_path: Path, rulebook: Rulebook
) -> None:
    root = write_tree(tmp_path / "repo", _repository())
    options = ScanOptions(path=root, cache_dir=tmp_path / "cache")
    assert _result(scan(options, rulebook), "RC-INFRA-006")[0] is Status.PASS
    values = root / "deploy/chart/values.yaml"
    values.write_text(VALUES.replace("  enabled: true", "  enabled: false"))
    assert _result(scan(options, rulebook), "RC-INFRA-006")[0] is Status.FAIL


def test_a_template_that_renders_too_large_is_a_warning(scan_tree: Scan) -> None:
    bomb = "data:\n" + "".join(f"  k{i}: {{{{ toYaml .Values | quote }}}}\n" for i in range(400))
    files = _repository("blob: " + "x" * 20_000 + "\n")
    files["deploy/chart/templates/bomb.yaml"] = bomb
    report = scan_tree(files)
    (warning,) = [w for w in report.warnings if w.path == "deploy/chart/templates/bomb.yaml"]
    assert "renders to more than 4 MB" in warning.message


def test_values_outside_the_tree_are_never_read(tmp_path: Path, rulebook: Rulebook) -> None:
    outside = tmp_path / "outside-values.yaml"
    outside.write_text(VALUES)
    files = _repository()
    del files["deploy/chart/values.yaml"]
    root = write_tree(tmp_path / "repo", files)
    os.symlink(outside, root / "deploy/chart/values.yaml")
    report = scan(ScanOptions(path=root), rulebook)
    assert any(w.code == "symlink-outside" for w in report.warnings)
    # Without its values the chart renders no resources: the rule judges what it can see.
    assert _result(report, "RC-INFRA-005")[0] is Status.FAIL


# Constructs seen in real charts (Bitnami, Label Studio, KubeRay, Triton, Merlin, the
# community and getindata MLflow charts), each with what helm renders from it.
BITNAMI_STYLE = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ template "mlflow.fullname" . }}
spec:
  selector:
    matchLabels: {app: mlflow}
  template:
    metadata:
      labels: {app: mlflow}
    spec:
      serviceAccountName: {{ include "mlflow.serviceAccountName" . }}
      {{- include "mlflow.imagePullSecrets" . | indent 6 }}
      {{- if .Values.podSecurityContext.enabled }}
      securityContext: {{- omit .Values.podSecurityContext "enabled" | toYaml | nindent 8 }}
      {{- end }}
      containers:
        - name: mlflow
          image: {{ include "mlflow.image" . }}
          securityContext: {{- include "common.compatibility.renderSecurityContext" (dict "secContext" .Values.containerSecurityContext "context" $) | nindent 12 }}
          resources: {{- include "common.resources.preset" (dict "type" .Values.resourcesPreset) | nindent 12 }}
          readinessProbe: {{- include "common.tplvalues.render" (dict "value" .Values.readinessProbe "context" $) | nindent 12 }}
          livenessProbe:
            httpGet: {path: /health, port: http}
          {{- range $key, $value := .Values.extraEnv }}
          env:
            - name: {{ $key }}
              value: {{ $value | quote }}
          {{- end }}
---
{{- if and .Values.autoscaling.enabled (semverCompare ">=1.23-0" .Capabilities.KubeVersion.Version) }}
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata:
  name: {{ include "mlflow.fullname" . }}
spec:
  maxReplicas: 3
{{- end }}
"""
BITNAMI_VALUES = """\
podSecurityContext: {enabled: true, fsGroup: 1001, runAsNonRoot: true}
resourcesPreset: medium
readinessProbe: {httpGet: {path: /health, port: http}}
extraEnv: {MLFLOW_LOGGING_LEVEL: info}
autoscaling: {enabled: false}
"""
BITNAMI_CHART = "apiVersion: v2\nname: mlflow\nversion: 5.1.0\nappVersion: 3.2.0\n"


def test_helper_blocks_count_as_set_and_their_siblings_still_parse() -> None:
    rendered = render(BITNAMI_STYLE, BITNAMI_CHART, BITNAMI_VALUES)
    documents = [d for d in load_all(rendered.text).documents if d]
    assert [d["kind"] for d in documents] == ["Deployment"]  # autoscaling is off: no HPA
    (deployment,) = documents
    assert deployment["metadata"]["name"] == "mlflow"  # template "mlflow.fullname"
    pod = deployment["spec"]["template"]["spec"]
    assert pod["securityContext"] == {"fsGroup": 1001, "runAsNonRoot": True}  # omit "enabled"
    (container,) = pod["containers"]
    assert container["resources"] == {"helm-value": "helm-value"}
    assert container["env"] == [{"name": "helm-value", "value": "helm-value"}]  # range $k, $v


def test_a_chart_built_from_helpers_is_credited_with_what_it_can_deploy(scan_tree: Scan) -> None:
    report = scan_tree(
        {
            "src/churn/app.py": APP,
            "charts/mlflow/Chart.yaml": BITNAMI_CHART,
            "charts/mlflow/values.yaml": BITNAMI_VALUES,
            "charts/mlflow/templates/deployment.yaml": BITNAMI_STYLE,
        }
    )
    for rule_id in ("RC-INFRA-005", "RC-INFRA-010", "RC-SEC-006"):
        assert _result(report, rule_id)[0] is Status.PASS, rule_id
    # the chart deploys MLflow's tracking server: its probes are not the service's
    assert _result(report, "RC-INFRA-003")[0] is Status.FAIL
    assert _result(report, "RC-INFRA-006")[0] is Status.FAIL
    assert not [w for w in report.warnings if w.path and w.path.startswith("charts/")]


def test_empty_resources_set_nothing(scan_tree: Scan) -> None:
    values = VALUES.replace(
        "resources:\n  requests: {cpu: 500m, memory: 1Gi}\n  limits: {memory: 2Gi}\n",
        "resources:\n  requests: {}\n  limits: {}\n",
    )
    assert _result(scan_tree(_repository(values)), "RC-INFRA-005")[0] is Status.FAIL


def test_lines_that_emit_nothing_or_a_list_keep_the_template_parseable() -> None:
    template = (
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: op\nspec:\n  template:\n"
        '    spec:\n      containers:\n        {{- include "x.sidecars" . | nindent 8 }}\n'
        "        - name: operator\n          args:\n"
        '          {{- include "x.validateConfig" . -}}\n          {{- (printf "\\n") -}}\n'
        "          {{- $args | toYaml | nindent 12 }}\n"
        "---\n{{- if true -}}\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: op}\n{{- end }}\n"
    )
    with pytest.raises(yaml.YAMLError):  # the marker cannot sit in a list
        load_all(render(template, None, None).text)
    rendered = render(template, None, None, blocks="comment")
    deployment, config = load_all(rendered.text).documents
    (container,) = deployment["spec"]["template"]["spec"]["containers"]
    assert container["name"] == "operator" and config["kind"] == "ConfigMap"


def test_a_values_file_that_is_an_alias_bomb_renders_as_no_values() -> None:
    """values.yaml is read with the budgeted loader every scanned YAML file gets: a
    billion-laughs file is refused, and the template renders as if it had no values."""
    lines = ['a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    lines += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 9)}]" for i in range(1, 9)]
    bomb = "\n".join(lines) + "\nresources: *a8\n"
    rendered = render("data:\n  all: {{ toYaml .Values | quote }}\n", CHART, bomb)
    assert load_all(rendered.text).documents == [{"data": {"all": "{}"}}]


def test_a_chart_yaml_with_a_number_for_a_key_still_renders() -> None:
    chart = "apiVersion: v2\nname: churn-api\n2024: the year it shipped\n"
    rendered = render('metadata:\n  name: {{ include "churn-api.fullname" . }}\n', chart, None)
    assert load_all(rendered.text).documents == [{"metadata": {"name": "churn-api"}}]
