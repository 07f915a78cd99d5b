"""The one explicit registry of detectors, by the name rules use in `check.detector`.

To add a detector: write a small function in the module for its kind of
input, decorate it with `file_detector` or `repo_detector`, and list it here.
"""

from __future__ import annotations

from readycheck.detectors import (
    bandit,
    ci,
    crossfile,
    dependencies,
    docker,
    files,
    history,
    maintainability,
    manifests,
    named_secrets,
    notebooks,
    python,
    text,
)
from readycheck.detectors.base import Detector

REGISTRY: dict[str, Detector] = {
    detector.name: detector
    for detector in (
        files.file_exists,
        text.text_pattern,
        python.python_import,
        python.python_call,
        python.python_class,
        python.python_decorator,
        python.python_string,
        python.python_identifier,
        python.http_route,
        python.python_threshold,
        python.python_nan_comparison,
        python.python_fit_before_split,
        python.model_load_in_handler,
        crossfile.notebook_only_logic,
        crossfile.tested_modules,
        dependencies.dependency_declared,
        dependencies.dependencies_pinned,
        docker.dockerfile_instruction,
        docker.dockerfile_unpinned_base,
        manifests.k8s_field,
        manifests.yaml_path,
        ci.ci_step,
        ci.ci_definition,
        named_secrets.config_secret,
        named_secrets.python_secret,
        notebooks.notebook_issue,
        bandit.bandit,
        maintainability.radon_complexity,
        maintainability.radon_maintainability,
        history.git_large_files,
        history.git_authors,
        history.git_recently_touched,
        history.gitignore_covers,
    )
}
