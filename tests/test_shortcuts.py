"""The shortcuts detectors take to skip work give exactly what the long way gives.

Each shortcut is checked against the computation it replaces: radon's own raw line
counts, the data-flow check run on every function, every python_call rule matched
against every call.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from readycheck.detectors import bandit, common, inputs
from readycheck.detectors import python as python_detectors
from readycheck.detectors.maintainability import raw_metrics
from readycheck.parsers.python import PythonCode
from readycheck.pipeline import ScanOptions, scan
from readycheck.renderers import json_report
from readycheck.rulebook import Rulebook
from tests.conftest import SAMPLES

_ROOT = Path(__file__).resolve().parent.parent

_SNIPPETS = [
    "",
    "x = 1\n",
    "# only a comment\n\n\n",
    'def f():\n    """One line."""\n    return 1\n',
    'def f():\n    """Several\n\n    lines.\n    """\n    return {\n        "a": 1,  # why\n\n        "b": 2,\n    }\n',
    "if x: y = 1; z = 2\nelse: pass\n",
    "total = 1 + \\\n    2\n",
    "s = '''a\n# not a comment\nb'''\n",
    "call(\n    # a comment inside brackets\n    1,\n)\n",
    "class A:\n    x: int = 0\n\n    def g(self): return [i for i in range(3) if i]\n",
    "x = 1\x0cy = 2\n",  # a form feed splits lines for radon too
    'f"{x}" ; g(1)\n',
]


@pytest.mark.parametrize("source", _SNIPPETS)
def test_raw_counts_are_radons_on_tricky_code(source: str) -> None:
    from radon.raw import analyze

    assert raw_metrics(source) == analyze(source)


def test_raw_counts_are_radons_on_real_modules() -> None:
    """readycheck's own modules and the samples' code: hundreds of real statements."""
    from radon.raw import analyze

    files = sorted((_ROOT / "readycheck").rglob("*.py")) + sorted(SAMPLES.rglob("*.py"))
    assert len(files) > 100
    for path in files:
        text = "\n".join(path.read_text().splitlines())
        assert raw_metrics(text) == analyze(text), path


def test_unreadable_code_is_left_to_radon() -> None:
    """An unclosed bracket: the one-pass count does not guess, radon's own error stands."""
    from radon.raw import analyze

    with pytest.raises(SyntaxError):
        analyze("x = (1,\n")
    with pytest.raises(SyntaxError):
        raw_metrics("x = (1,\n")


def _report(path: Path, rulebook: Rulebook) -> str:
    data = json_report.to_dict(scan(ScanOptions(path=path), rulebook))
    data.pop("scanned_at")
    return json.dumps(data, sort_keys=True)


@pytest.fixture()
def service(tmp_path: Path) -> Path:
    """A Flask service reading the request global, beside modules that read no request."""
    root = tmp_path / "svc"
    (root / "app").mkdir(parents=True)
    (root / "app/api.py").write_text(
        "from flask import Flask, abort, jsonify, request\n"
        "import joblib\n\n"
        "app = Flask(__name__)\n"
        'model = joblib.load("model.joblib")\n\n\n'
        '@app.post("/predict")\n'
        "def predict():\n"
        "    body = request.get_json()\n"
        '    if "age" not in body or "income" not in body:\n'
        "        abort(400)\n"
        '    features = [[body["age"], body["income"]]]\n'
        "    return jsonify(score=float(model.predict_proba(features)[0][1]))\n"
    )
    (root / "app/train.py").write_text(
        "import pandas as pd\n"
        "import requests\n\n\n"
        "def load(url):\n"
        "    response = requests.get(url, timeout=10)\n"
        "    if response.status_code != 200:\n"
        '        raise RuntimeError("download failed")\n'
        "    frame = pd.read_csv(url)\n"
        '    expected = ["age", "income", "label"]\n'
        "    if list(frame.columns) != expected:\n"
        '        raise ValueError("unexpected columns")\n'
        "    return frame\n"
    )
    return root


def test_reports_are_the_same_without_the_shortcuts(
    service: Path, rulebook: Rulebook, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With every shortcut turned off (each function traced, each rule's calls matched
    against every call, no name, keyword or literal prefilter, bandit on every file),
    the reports are the same."""
    samples = [service, SAMPLES / "credit-risk-service", SAMPLES / "rag-assistant-service"]
    with_shortcuts = [_report(path, rulebook) for path in samples]
    monkeypatch.setattr(inputs, "_may_reach_proxies", lambda code: True)
    monkeypatch.setattr(
        python_detectors, "_calls_any_rule_names", lambda source, code: code.calls_by_name
    )
    monkeypatch.setattr(PythonCode, "identifier_names", property(_every_name))
    monkeypatch.setattr(bandit, "_may_fire", lambda code, tests: True)
    monkeypatch.setattr(python_detectors, "required_literals", lambda pattern: None)
    monkeypatch.setattr(common, "required_literals", lambda pattern: None)
    without = [_report(path, rulebook) for path in samples]
    assert with_shortcuts == without
    assert "route predict checks its input" in with_shortcuts[0]


class _Everything(frozenset[str]):
    """A set that holds every name: the keyword prefilter then rules nothing out."""

    def __contains__(self, item: object) -> bool:
        return True


def _every_name(code: object) -> frozenset[str]:
    """Stands in for PythonCode.identifier_names: no file is ruled out for lacking a name."""
    return _Everything()


_BANDIT_CASES = {
    "loads.py": "import pickle\nimport yaml\n\n\ndef read(f):\n    return pickle.load(f), yaml.load(f)\n",
    "tools.py": "import pickletools\n\nprint(pickletools.dis)\n",
    "fetch.py": "import requests\n\n\ndef get(url):\n    return requests.get(url).json()\n",
    "shell.py": (
        "import os\nimport subprocess\n\n\ndef run(cmd):\n"
        "    os.system(cmd)\n    subprocess.run(cmd, shell=True)\n"
    ),
    "dynamic.py": "def calc(expr, code):\n    exec(code)\n    return eval(expr)\n",
    "weights.py": "import torch\n\nstate = torch.load('model.pt')\n",
    "hub.py": "from transformers import AutoModel\n\nm = AutoModel.from_pretrained('bert-base')\n",
    "config.py": 'DB_PASSWORD = "hunter2-prod"\n\n\ndef connect(api_token="s3cr3t-t0k3n"):\n    pass\n',
    "swallow.py": "def f(x):\n    try:\n        return int(x)\n    except ValueError:\n        pass\n",
    "imported.py": "m = __import__('pickle')\n",
    "math_only.py": "def area(r):\n    return 3.14159 * r * r\n",
    "frames.py": "import pandas as pd\n\n\ndef mean(path):\n    return pd.read_csv(path).mean()\n",
}


def test_bandit_skips_only_files_where_none_of_its_tests_can_report(
    tmp_path: Path, rulebook: Rulebook, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every test the rulebook asks for (and an import only a prefix names) still reports
    with the shortcut; the files skipped are the ones with nothing to find."""
    from readycheck.analyze import file_calls
    from readycheck.discover import discover
    from readycheck.workspace import SourceFile

    asked = {
        test for call in file_calls(rulebook) if call.detector == "bandit"
        for test in call.params.tests
    }  # fmt: skip
    assert {"B105", "B110", "B602", "B615"} <= asked
    # and the tests a team's own rulebook may add: blacklisted calls and imports, plugins
    tests = frozenset(asked | {"B113", "B201", "B301", "B403", "B506", "B614"})
    for name, text in _BANDIT_CASES.items():
        (tmp_path / name).write_text(text)
    entries = {entry.path: entry for entry in discover(tmp_path).files}

    def issues() -> dict[str, list[str]]:
        found = {}
        for name in _BANDIT_CASES:
            reported = bandit.bandit_issues(SourceFile(tmp_path, entries[name]), tests)
            found[name] = sorted(f"{issue.test_id}:{issue.line}" for issue in reported)
        return found

    skipped = [
        name
        for name in _BANDIT_CASES
        if not bandit._may_fire(SourceFile(tmp_path, entries[name]).python, tests)  # type: ignore[arg-type]
    ]
    with_shortcut = issues()
    monkeypatch.setattr(bandit, "_may_fire", lambda code, tests: True)
    assert issues() == with_shortcut
    assert sorted(skipped) == ["frames.py", "math_only.py"]
    assert all(with_shortcut[name] for name in _BANDIT_CASES if name not in skipped)


def test_the_comment_share_bounds_hold_radons_share() -> None:
    """The maintainability index skips tokenizing a module when even the worse end of
    its comment share keeps it above the threshold: radon's own share must lie between
    the bounds, on every module here and in the samples."""
    import ast as python_ast

    from radon.raw import analyze

    from readycheck.detectors.maintainability import _comment_share_bounds

    files = sorted((_ROOT / "readycheck").rglob("*.py")) + sorted(SAMPLES.rglob("*.py"))
    bounded = 0
    for path in files:
        text = path.read_text()
        code = PythonCode(python_ast.parse(text), text)
        bounds = _comment_share_bounds(code)
        if bounds is None:
            continue
        raw = analyze("\n".join(code.lines))
        share = (raw.comments + raw.multi) / raw.sloc * 100 if raw.sloc else 0
        assert bounds[0] <= share <= bounds[1], path
        bounded += 1
    assert bounded > 100
