"""Discovery: which files are scanned, how each is classified, and what is refused."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from readycheck.discover import DiscoveryOptions, classify_kind, classify_role, discover
from readycheck.model import FileKind, Role
from tests.conftest import write_tree


@pytest.mark.parametrize(
    ("path", "kind"),
    [
        ("src/app.py", FileKind.PYTHON),
        ("notebooks/EDA.ipynb", FileKind.NOTEBOOK),
        ("Dockerfile", FileKind.DOCKERFILE),
        ("docker/Dockerfile.gpu", FileKind.DOCKERFILE),
        ("serve.dockerfile", FileKind.DOCKERFILE),
        ("docker/CPUDockerfile", FileKind.DOCKERFILE),
        ("gpu-dockerfile", FileKind.DOCKERFILE),
        ("Containerfile", FileKind.DOCKERFILE),
        ("deploy/k8s/deployment.yaml", FileKind.YAML),
        (".github/workflows/ci.yml", FileKind.YAML),
        ("package.json", FileKind.JSON),
        ("pyproject.toml", FileKind.TOML),
        ("requirements.txt", FileKind.REQUIREMENTS),
        ("requirements-dev.txt", FileKind.REQUIREMENTS),
        ("requirements/prod.txt", FileKind.REQUIREMENTS),
        ("README.md", FileKind.MARKDOWN),
        ("Jenkinsfile", FileKind.OTHER),
        ("notes.txt", FileKind.OTHER),
    ],
)
def test_kind_is_decided_by_name(path: str, kind: FileKind) -> None:
    assert classify_kind(path) is kind


@pytest.mark.parametrize(
    ("path", "role"),
    [
        ("src/churn/features.py", Role.CODE),
        ("tests/test_features.py", Role.TEST),
        ("src/churn/test_utils.py", Role.TEST),
        ("conftest.py", Role.TEST),
        ("notebooks/eda.ipynb", Role.NOTEBOOK),
        # a library's tutorial notebooks are examples and docs, not its exploration
        ("docs-gb/examples/catboost/README.ipynb", Role.EXAMPLE),
        ("docs/tutorials/quickstart.ipynb", Role.EXAMPLE),
        ("docs/usage.ipynb", Role.DOCS),
        ("research/notebooks/eda.ipynb", Role.NOTEBOOK),
        ("docs/serving.md", Role.DOCS),
        ("README.md", Role.DOCS),
        ("examples/quickstart.py", Role.EXAMPLE),
        ("deploy/k8s/deployment.yaml", Role.CODE),
        # sample and fixture folders are not the project's own production evidence
        ("sample_projects/credit-risk/Dockerfile", Role.EXAMPLE),
        ("code-examples/serve.py", Role.EXAMPLE),
        ("cookbook/rag.py", Role.EXAMPLE),
        ("{{cookiecutter.project_slug}}/src/app.py", Role.EXAMPLE),
        # course material: exercises, their solutions, homework (the fresh audit's course)
        ("s7_deployment/exercise_files/simple_fastapi_app.py", Role.EXAMPLE),
        ("week3/exercises/train.py", Role.EXAMPLE),
        ("module2/solutions/vae_mnist.py", Role.EXAMPLE),
        ("homework/q3.py", Role.EXAMPLE),
        ("src/solution_space.py", Role.CODE),
        ("tests/fixtures/app/Dockerfile", Role.TEST),
        ("src/pkg/testdata/settings.yaml", Role.TEST),
        ("fixtures/model_config.yaml", Role.TEST),
        ("e2e-tests/common/methods.py", Role.TEST),
        ("integration_tests/test_api.py", Role.TEST),
        ("my-project/src/app.py", Role.CODE),
        ("src/examples_loader.py", Role.CODE),
        # modules named as tests outside a test folder (round 13: a smoke test in scripts/)
        ("scripts/smoketest.py", Role.TEST),
        ("test.py", Role.TEST),
        ("shop/tests.py", Role.TEST),
        ("pipeline/data_tests.py", Role.TEST),
        ("src/latest.py", Role.CODE),
        ("src/backtest.py", Role.CODE),
        # a folder named as pytest names test modules (round 24: a benchmark with fixture
        # users in backend/agents/test_agents/)
        ("backend/agents/test_agents/benchmark_agents.py", Role.TEST),
        ("src/testing_utils/helpers.py", Role.CODE),
        ("src/ab_test/router.py", Role.CODE),
        # code kept for the record (round 27: superseded copies under Archive/)
        ("milestones/02-data-validation/Archive/data_validation.ipynb", Role.ARCHIVED),
        ("deprecated/serve_v1.py", Role.ARCHIVED),
        ("src/old/train.py", Role.ARCHIVED),
        ("src/old_models.py", Role.CODE),
        ("src/archiver/upload.py", Role.CODE),
        # configuration templates to copy (round 27: a Kubernetes Secret's example)
        ("k8s/oracle/03-secrets.example.yaml", Role.EXAMPLE),
        ("configs/settings.sample.json", Role.EXAMPLE),
        (".env.example", Role.EXAMPLE),
        ("deploy/template.yaml", Role.CODE),
        ("configs/sampler.yaml", Role.CODE),
        ("src/example.py", Role.CODE),
        # numbered steps (round 29: deliberately broken manifests kept as test data)
        ("4-eval/2-test-data/deployments/broken-app/deployment.yaml", Role.TEST),
        ("03_tests/test_api.py", Role.TEST),
        ("2-serving/app.py", Role.CODE),
        # a package's test support (round 30: pytest fixtures in src/pkg/testing.py)
        ("src/recommender/testing.py", Role.TEST),
        ("src/recommender/_testing.py", Role.TEST),
        ("src/recommender/testing_utils.py", Role.TEST),
        ("src/ab_testing.py", Role.CODE),
        # a hand-run script named with a hyphen (round 36: dlr-inference/inference-test.py)
        ("dlr-inference/inference-test.py", Role.TEST),
        ("scripts/test-endpoint.py", Role.TEST),
        ("src/latest-model.py", Role.CODE),
        # a script named for the stand-in model it makes (round 34: an Iris model a
        # model-hosting service's demo uploads)
        ("scripts/create_sample_sklearn_model.py", Role.EXAMPLE),
        ("app/dummy_model.py", Role.EXAMPLE),
        ("scripts/make_demo_data.py", Role.EXAMPLE),
        ("scripts/demo_user_flow.py", Role.EXAMPLE),
        ("app/demo.py", Role.CODE),
        ("src/prompts/example_selector.py", Role.CODE),
        ("src/sample_weights.py", Role.CODE),
        # a developer's scratch and diagnostic scripts (round 37: try.py, debug_parse_document.py)
        ("try.py", Role.EXAMPLE),
        ("scripts/debug_parse_document.py", Role.EXAMPLE),
        ("scratch_embeddings.py", Role.EXAMPLE),
        ("src/retry.py", Role.CODE),
        ("src/debugger.py", Role.CODE),
        # (round 42: scripts/diagnose_channels.py, scripts/diag_scan_detections.py)
        ("scripts/diagnose_channels.py", Role.EXAMPLE),
        ("scripts/diag_scan_detections.py", Role.EXAMPLE),
        ("src/api/diagnostics.py", Role.CODE),
        ("src/api/diagnostics_router.py", Role.CODE),
        ("src/train_model.py", Role.CODE),
        ("src/sample_model.py", Role.CODE),
        ("src/mock_server.py", Role.CODE),
        ("src/models/sampler.py", Role.CODE),
        # a notebook named for the walk-through it is, and a script seeding sample data
        # (round 39: notebooks/dataset_storage_example.ipynb, init_data/seed_sample_data.py)
        ("notebooks/dataset_storage_example.ipynb", Role.EXAMPLE),
        ("notebooks/Tutorial - drift.ipynb", Role.EXAMPLE),
        ("notebooks/quickstart.ipynb", Role.EXAMPLE),
        ("notebooks/loan_model_training.ipynb", Role.NOTEBOOK),
        ("notebooks/counterexamples_analysis.ipynb", Role.NOTEBOOK),
        ("init_data/seed_sample_data.py", Role.EXAMPLE),
        ("scripts/populate_demo_db.py", Role.EXAMPLE),
        ("src/seed_everything.py", Role.CODE),
        # a program named as an example of one (round 47: custom_pipelines/example_pipeline.py)
        ("custom_pipelines/example_pipeline.py", Role.EXAMPLE),
        ("clients/example_client.py", Role.EXAMPLE),
        ("custom_pipelines/rag_pipeline.py", Role.CODE),
        ("src/prompts/few_shot_examples.py", Role.CODE),
        # a system prompt kept as Markdown with the other prompts (round 44)
        ("app/core/prompts/system.md", Role.CODE),
        ("docs/prompts/writing-prompts.md", Role.DOCS),
        ("app/core/README.md", Role.DOCS),
    ],
)
def test_role_is_decided_by_path(path: str, role: Role) -> None:
    assert classify_role(path, classify_kind(path)) is role


def _paths(root: Path, **options: object) -> list[str]:
    return [f.path for f in discover(root, DiscoveryOptions(**options)).files]  # type: ignore[arg-type]


def test_gitignore_is_honoured_at_every_level(tmp_path: Path) -> None:
    write_tree(tmp_path, {
        ".gitignore": "data/\n*.pkl\n!keep.pkl\n",
        "src/app.py": "",
        "src/model.pkl": "",
        "src/keep.pkl": "",
        "data/train.csv": "",
        "src/generated/.gitignore": "*.py\n",
        "src/generated/client.py": "",
    })  # fmt: skip
    assert _paths(tmp_path) == [
        ".gitignore",
        "src/app.py",
        "src/generated/.gitignore",
        "src/keep.pkl",
    ]


def test_noise_folders_and_virtualenvs_are_skipped(tmp_path: Path) -> None:
    write_tree(tmp_path, {
        "app.py": "",
        "node_modules/x/index.js": "",
        ".venv/lib/site.py": "",
        "__pycache__/app.cpython-311.pyc": "",
        "myenv/pyvenv.cfg": "home = /usr/bin",
        "myenv/lib/python3.11/os.py": "",
        "build/lib/app.py": "",
        "build/Dockerfile": "FROM python:3.11",
    })  # fmt: skip
    # build/ holds setuptools output (build/lib), so the whole folder is noise
    assert _paths(tmp_path) == ["app.py"]


def test_a_build_folder_that_is_not_packaging_output_is_scanned(tmp_path: Path) -> None:
    write_tree(tmp_path, {"build/Dockerfile": "FROM python:3.11-slim\n"})
    assert _paths(tmp_path) == ["build/Dockerfile"]


def test_symlink_out_of_the_tree_is_skipped_with_a_warning(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    write_tree(outside, {"secret.py": "TOKEN = 'x'\n"})
    root = write_tree(tmp_path / "repo", {"app.py": ""})
    os.symlink(outside / "secret.py", root / "linked.py")
    os.symlink(outside, root / "linked_dir")
    found = discover(root)
    assert [f.path for f in found.files] == ["app.py"]
    assert {w.path for w in found.warnings if w.code == "symlink-outside"} == {
        "linked.py",
        "linked_dir",
    }


def test_symlink_loops_do_not_hang(tmp_path: Path) -> None:
    root = write_tree(tmp_path / "repo", {"app.py": ""})
    os.symlink(root / "loop_a", root / "loop_b")
    os.symlink(root / "loop_b", root / "loop_a")
    os.symlink(root, root / "self")
    found = discover(root)
    assert [f.path for f in found.files] == ["app.py"]
    assert any(w.code == "symlink" for w in found.warnings)


def test_files_over_the_size_cap_are_listed_but_not_read(tmp_path: Path) -> None:
    write_tree(tmp_path, {"big.py": "x = 1\n" * 1000, "big.csv": "a,b\n" * 1000, "small.py": ""})
    found = discover(tmp_path, DiscoveryOptions(max_file_size=1024))
    readable = {f.path: f.readable for f in found.files}
    assert readable == {"big.csv": False, "big.py": False, "small.py": True}
    assert [w.path for w in found.warnings if w.code == "too-large"] == ["big.py"]


def test_fifo_is_never_opened(tmp_path: Path) -> None:
    write_tree(tmp_path, {"app.py": ""})
    os.mkfifo(tmp_path / "pipe.py")
    assert _paths(tmp_path) == ["app.py"]


def test_exclude_patterns(tmp_path: Path) -> None:
    write_tree(tmp_path, {"app.py": "", "vendor/lib.py": "", "legacy/old.py": ""})
    assert _paths(tmp_path, exclude=("vendor/", "legacy/*.py")) == ["app.py"]


def test_the_owner_can_say_what_a_folder_is(tmp_path: Path) -> None:
    """A deployed example is code; a playground at the top is an example."""
    write_tree(tmp_path, {"examples/service/app.py": "x = 1\n", "lab/try.py": "x = 1\n"})
    roles = ((Role.CODE, ("examples/service/**",)), (Role.EXAMPLE, ("lab/",)))
    found = {f.path: f.role for f in discover(tmp_path, DiscoveryOptions(roles=roles)).files}
    assert found == {"examples/service/app.py": Role.CODE, "lab/try.py": Role.EXAMPLE}


def test_a_contributed_notebook_is_an_example() -> None:
    """awslabs/mlmax: a notebook under contrib/ that deploys a SageMaker endpoint made
    batch pipeline templates an online service."""
    assert classify_role("contrib/interpretation/clarify.ipynb", FileKind.NOTEBOOK) is Role.EXAMPLE
    assert classify_role("notebooks/explore.ipynb", FileKind.NOTEBOOK) is Role.NOTEBOOK


def test_a_project_written_mostly_in_another_language_is_noted(tmp_path: Path) -> None:
    """Round 39: a Java Beam job scoring events read as a research project with no code;
    the report now says what it could not read (package `com/example` included)."""
    files = {f"src/main/java/com/example/Step{i}.java": "class Step {}\n" for i in range(6)}
    write_tree(
        tmp_path, {**files, "pom.xml": "<project/>\n", "Dockerfile": "FROM eclipse-temurin:17\n"}
    )
    warnings = discover(tmp_path).warnings
    assert [w.code for w in warnings] == ["unread-code"]
    assert "Java (6 files, against 0 Python" in warnings[0].message


def test_a_python_project_with_a_web_front_end_or_a_little_glue_is_not_noted(
    tmp_path: Path,
) -> None:
    files = {f"frontend/src/Page{i}.tsx": "export {}\n" for i in range(12)}
    files.update({f"backend/app/mod{i}.py": "x = 1\n" for i in range(4)})
    files.update({f"tools/gen{i}.go": "package main\n" for i in range(3)})
    write_tree(tmp_path, files)
    assert [w.code for w in discover(tmp_path).warnings] == []
