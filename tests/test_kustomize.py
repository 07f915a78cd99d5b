"""Kustomize: an overlay's patch holds only what it changes, so what it leaves out is no
gap, and an overlay's `images` entry pins the untagged image of the base it builds."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path

from readycheck.model import Report, Status
from readycheck.parsers.kustomize import (
    ImageRewrite,
    KustomizeView,
    kustomize_companions,
    parse_kustomization,
    resolve,
    view,
)
from readycheck.pipeline import ScanOptions, scan
from readycheck.rulebook import Rulebook
from tests.conftest import rule_result, write_tree

Scan = Callable[[Mapping[str, str | bytes]], Report]

BASE_KUSTOMIZATION = """\
apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
resources:
  - train-job.yaml
  - serve-deployment.yaml
"""

TRAIN_JOB = """\
apiVersion: batch/v1
kind: Job
metadata:
  name: train
spec:
  backoffLimit: 2
  template:
    spec:
      restartPolicy: Never
      securityContext:
        runAsNonRoot: true
        runAsUser: 10001
      containers:
        - name: train
          image: trainer
          args: [python, -m, trainer.fit]
          resources:
            requests: {cpu: "4", memory: 16Gi}
            limits: {memory: 16Gi}
          securityContext:
            allowPrivilegeEscalation: false
            readOnlyRootFilesystem: true
"""

SERVE_DEPLOYMENT = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: serve
spec:
  replicas: 2
  selector:
    matchLabels: {app: serve}
  template:
    metadata:
      labels: {app: serve}
    spec:
      securityContext:
        runAsNonRoot: true
      containers:
        - name: serve
          image: trainer
          command: [uvicorn, trainer.api:app, --host, 0.0.0.0]
          ports: [{containerPort: 8080}]
          readinessProbe:
            httpGet: {path: /ready, port: 8080}
          livenessProbe:
            httpGet: {path: /healthz, port: 8080}
          resources:
            requests: {cpu: 500m, memory: 1Gi}
            limits: {memory: 2Gi}
          securityContext:
            allowPrivilegeEscalation: false
"""

PROD_KUSTOMIZATION = """\
apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
namespace: ml-prod
resources:
  - ../../base
patches:
  - path: job-env.yaml
images:
  - name: trainer
    newName: ghcr.io/acme/trainer
    newTag: "2.3.1"
"""

# A strategic-merge patch: only the fields it changes.
PROD_PATCH = """\
apiVersion: batch/v1
kind: Job
metadata:
  name: train
spec:
  template:
    spec:
      containers:
        - name: train
          env:
            - {name: STAGE, value: prod}
            - {name: DATA_BUCKET, value: s3://acme-ml-prod/churn}
"""

PATCH = "k8s/overlays/prod/job-env.yaml"


def _tree(changes: Mapping[str, str | None] | None = None) -> dict[str, str | bytes]:
    """The base + overlay layout; `changes` replaces (or, with None, removes) files by
    their path below k8s/."""
    files: dict[str, str | None] = {
        "k8s/base/kustomization.yaml": BASE_KUSTOMIZATION,
        "k8s/base/train-job.yaml": TRAIN_JOB,
        "k8s/base/serve-deployment.yaml": SERVE_DEPLOYMENT,
        "k8s/overlays/prod/kustomization.yaml": PROD_KUSTOMIZATION,
        PATCH: PROD_PATCH,
    }
    for key, content in (changes or {}).items():
        files["k8s/" + key] = content
    return {path: content for path, content in files.items() if content is not None}


def _findings(report: Report, rule_id: str) -> set[tuple[str, str]]:
    return {
        (f.location.path, f.message) for f in rule_result(report, rule_id).findings if f.location
    }


def _paths(report: Report, rule_id: str) -> set[str]:
    return {path for path, _message in _findings(report, rule_id)}


# The pipeline, on a repository laid out as base + overlays.


def test_an_overlays_patch_is_not_judged_for_what_it_leaves_to_the_base(scan_tree: Scan) -> None:
    report = scan_tree(_tree())
    for rule_id in ("RC-INFRA-005", "RC-SEC-006"):
        assert PATCH not in _paths(report, rule_id), rule_id
        assert rule_result(report, rule_id).status is Status.PASS, rule_id
    assert not [w for w in report.warnings if w.path and w.path.startswith("k8s/")]


def test_an_image_the_overlay_pins_is_judged_as_pinned(scan_tree: Scan) -> None:
    report = scan_tree(_tree())
    result = rule_result(report, "RC-INFRA-010")
    assert not [f for f in result.findings if "trainer" in f.snippet], result.findings
    assert result.status is Status.PASS


def test_a_digest_pins_the_image_too(scan_tree: Scan) -> None:
    pinned = PROD_KUSTOMIZATION.replace(
        '    newTag: "2.3.1"\n', "    digest: sha256:" + "a" * 64 + "\n"
    )
    report = scan_tree(_tree({"overlays/prod/kustomization.yaml": pinned}))
    assert rule_result(report, "RC-INFRA-010").status is Status.PASS


def test_without_the_images_entry_the_base_image_is_untagged(scan_tree: Scan) -> None:
    unpinned = PROD_KUSTOMIZATION.split("images:")[0]
    report = scan_tree(_tree({"overlays/prod/kustomization.yaml": unpinned}))
    assert _paths(report, "RC-INFRA-010") == {
        "k8s/base/train-job.yaml",
        "k8s/base/serve-deployment.yaml",
    }


def test_an_overlay_that_retags_to_latest_is_still_a_hazard(scan_tree: Scan) -> None:
    latest = PROD_KUSTOMIZATION.replace('newTag: "2.3.1"', "newTag: latest")
    report = scan_tree(_tree({"overlays/prod/kustomization.yaml": latest}))
    assert "k8s/base/serve-deployment.yaml" in _paths(report, "RC-INFRA-010")


def test_a_patch_that_sets_a_latest_image_is_flagged(scan_tree: Scan) -> None:
    dev = {
        "overlays/dev/kustomization.yaml": "resources: [../../base]\npatches:\n  - path: image.yaml\n",
        "overlays/dev/image.yaml": PROD_PATCH.replace(
            "          env:", "          image: trainer:latest\n          env:"
        ),
    }
    report = scan_tree(_tree(dev))
    assert "k8s/overlays/dev/image.yaml" in _paths(report, "RC-INFRA-010")


def test_a_value_a_patch_sets_is_still_judged(scan_tree: Scan) -> None:
    escalating = PROD_PATCH.replace(
        "          env:",
        "          securityContext:\n            allowPrivilegeEscalation: true\n          env:",
    )
    report = scan_tree(_tree({"overlays/prod/job-env.yaml": escalating}))
    assert PATCH in _paths(report, "RC-SEC-006")
    assert PATCH not in _paths(report, "RC-INFRA-005")


def test_a_manifest_no_kustomization_lists_as_a_patch_is_still_judged(scan_tree: Scan) -> None:
    report = scan_tree(_tree({"overlays/prod/debug-job.yaml": PROD_PATCH}))
    assert "k8s/overlays/prod/debug-job.yaml" in _paths(report, "RC-INFRA-005")
    assert "k8s/overlays/prod/debug-job.yaml" in _paths(report, "RC-SEC-006")


def test_older_patch_fields_mark_patches_too(scan_tree: Scan) -> None:
    older = PROD_KUSTOMIZATION.replace(
        "patches:\n  - path: job-env.yaml\n", "patchesStrategicMerge:\n  - job-env.yaml\n"
    )
    report = scan_tree(_tree({"overlays/prod/kustomization.yaml": older}))
    assert PATCH not in _paths(report, "RC-INFRA-005")


def test_cycles_and_paths_outside_the_tree_do_not_break_the_scan(scan_tree: Scan) -> None:
    looping = {
        "overlays/prod/kustomization.yaml": PROD_KUSTOMIZATION.replace(
            "  - ../../base\n", "  - ../../base\n  - ../../../outside\n  - ../staging\n  - /etc\n"
        ),
        "overlays/staging/kustomization.yaml": "resources: [../prod, ../../../../etc/passwd]\n",
        "base/kustomization.yaml": BASE_KUSTOMIZATION + "  - ../overlays/prod\n",
    }
    report = scan_tree(_tree(looping))
    assert rule_result(report, "RC-INFRA-010").status is Status.PASS
    assert PATCH not in _paths(report, "RC-INFRA-005")
    assert not [w for w in report.warnings if w.code == "internal-error"]


def test_a_broken_kustomization_is_ignored_and_warned_about(scan_tree: Scan) -> None:
    report = scan_tree(_tree({"overlays/prod/kustomization.yaml": "resources: [../../base\n"}))
    assert PATCH in _paths(report, "RC-INFRA-005")  # no longer known as a patch
    assert any(w.path == "k8s/overlays/prod/kustomization.yaml" for w in report.warnings)


def test_editing_the_overlay_invalidates_the_cached_base(
    tmp_path: Path, rulebook: Rulebook
) -> None:
    root = write_tree(tmp_path / "repo", _tree())
    options = ScanOptions(path=root, cache_dir=tmp_path / "cache")
    assert rule_result(scan(options, rulebook), "RC-INFRA-010").status is Status.PASS
    (root / "k8s/overlays/prod/kustomization.yaml").write_text(
        PROD_KUSTOMIZATION.split("images:")[0]
    )
    assert rule_result(scan(options, rulebook), "RC-INFRA-010").status is Status.FAIL


def test_a_kustomization_is_never_read_through_a_symlink_out_of_the_tree(
    tmp_path: Path, rulebook: Rulebook
) -> None:
    outside = tmp_path / "kustomization.yaml"
    outside.write_text(PROD_KUSTOMIZATION)
    files = _tree({"overlays/prod/kustomization.yaml": None})
    root = write_tree(tmp_path / "repo", files)
    (root / "k8s/overlays/prod/kustomization.yaml").symlink_to(outside)
    report = scan(ScanOptions(path=root), rulebook)
    assert any(w.code == "symlink-outside" for w in report.warnings)
    assert PATCH in _paths(report, "RC-INFRA-005")


# The parser, on its own.


def _companions(files: Mapping[str, str]) -> dict[str, tuple[str, ...]]:
    return kustomize_companions(files, files.get)


def test_companions_follow_resources_folders_and_bases_recursively() -> None:
    files = {
        "k8s/base/kustomization.yaml": "resources: [job.yaml]\n",
        "k8s/base/job.yaml": "",
        "k8s/mid/kustomization.yml": "bases: [../base]\nresources: [svc.yaml]\n",
        "k8s/mid/svc.yaml": "",
        "k8s/overlays/aws/Kustomization": (
            "resources:\n  - ../../mid\n  - https://github.com/acme/k8s//base?ref=v1\n"
            "  - missing.yaml\npatches:\n  - path: job-cloud.yaml\n  - patch: |-\n      inline\n"
            "patchesJson6902:\n  - target: {kind: Job, name: train}\n    path: ops.yaml\n"
        ),
        "k8s/overlays/aws/job-cloud.yaml": "",
        "k8s/overlays/aws/ops.yaml": "",
    }
    aws, base, mid = (
        "k8s/overlays/aws/Kustomization",
        "k8s/base/kustomization.yaml",
        "k8s/mid/kustomization.yml",
    )
    assert _companions(files) == {
        "k8s/base/job.yaml": (base, mid, aws),
        "k8s/mid/svc.yaml": (mid, aws),
        "k8s/overlays/aws/job-cloud.yaml": (aws,),
        "k8s/overlays/aws/ops.yaml": (aws,),
    }


def test_companions_survive_cycles_outside_paths_and_broken_files() -> None:
    files = {
        "a/kustomization.yaml": "resources: [../b, ../../outside, /etc/passwd, x.yaml]\n",
        "a/x.yaml": "",
        "b/kustomization.yaml": "resources: [../a, ../c]\n",
        "c/kustomization.yaml": "resources: [: broken\n",
        "c/y.yaml": "",
    }
    assert _companions(files) == {"a/x.yaml": ("a/kustomization.yaml", "b/kustomization.yaml")}


def test_unreadable_kustomizations_are_skipped() -> None:
    paths = ["k/kustomization.yaml", "k/a.yaml"]
    assert kustomize_companions(paths, lambda _path: None) == {}


def test_paths_resolve_inside_the_tree_only() -> None:
    assert resolve("k8s/overlays/prod/kustomization.yaml", "../../base") == "k8s/base"
    assert resolve("kustomization.yaml", "./deploy.yaml") == "deploy.yaml"
    assert resolve("k8s/kustomization.yaml", "..") == ""
    assert resolve("k8s/kustomization.yaml", "../..") is None
    assert resolve("kustomization.yaml", "../outside") is None
    assert resolve("kustomization.yaml", "/abs/path") is None
    assert resolve("kustomization.yaml", "github.com/acme/repo//k8s") is None


def test_images_entries_rewrite_references_as_kustomize_does() -> None:
    parsed = parse_kustomization(
        "images:\n"
        "  - {name: trainer, newTag: 1.7}\n"
        "  - {name: reg:5000/ml/api, digest: 'sha256:abc'}\n"
        "  - {name: worker, newName: ghcr.io/acme/worker}\n"
        "  - {newTag: orphan}\n"
    )
    assert parsed is not None
    pins = KustomizeView(images=parsed.images)
    assert pins.rewritten("trainer") == ("trainer:1.7",)
    assert pins.rewritten("trainer:latest") == ("trainer:1.7",)
    assert pins.rewritten("reg:5000/ml/api:dev") == ("reg:5000/ml/api@sha256:abc",)
    assert pins.rewritten("worker:0.4") == ("ghcr.io/acme/worker:0.4",)
    assert pins.rewritten("trainer-gpu") == ("trainer-gpu",)
    assert ImageRewrite("a", new_tag="1", digest="sha256:f").apply("a") == "a:1@sha256:f"


def test_a_view_knows_patches_and_every_rewrite() -> None:
    overlays = {
        "k/prod/kustomization.yaml": "patches: [{path: p.yaml}]\nimages: [{name: m, newTag: '2'}]\n",
        "k/dev/kustomization.yaml": "images: [{name: m, newTag: latest}]\n",
        "k/broken/kustomization.yaml": "images: [\n",
    }
    assert view("k/prod/p.yaml", overlays).is_patch
    assert not view("k/base/d.yaml", overlays).is_patch
    assert view("k/base/d.yaml", overlays).rewritten("m") == ("m:2", "m:latest")
    assert view("k/base/d.yaml", {}) == KustomizeView()
