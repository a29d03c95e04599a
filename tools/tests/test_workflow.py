"""The deploy workflow (.github/workflows/publish.yml): actionlint passes on it, it builds as ``make test``
does and publishes the tree that ``make site`` assembles with the official Pages actions, and it caches
pip's downloads and the quick-scale runs."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import yaml

from booktools import actionlint

ROOT = Path(__file__).resolve().parents[2]
WORKFLOW = ROOT / ".github" / "workflows" / "publish.yml"


def _workflow() -> dict:
    return yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))


def test_actionlint_passes_on_the_workflows():
    why = actionlint.available()
    if why:
        if os.environ.get("CI") == "true":
            pytest.fail(f"actionlint cannot run: {why}")
        pytest.skip(why)
    files = actionlint.workflows()
    assert WORKFLOW in files
    code, out = actionlint.lint(files)
    assert code == 0, out


def test_actionlint_finds_a_mistake(tmp_path):
    """Guards the test above: the WebAssembly build really checks (and a crash is no pass)."""
    why = actionlint.available()
    if why:
        pytest.skip(why)
    bad = tmp_path / "bad.yml"
    bad.write_text(WORKFLOW.read_text(encoding="utf-8").replace("steps.pages.outputs.base_url", "steps.page.outputs.base_url"))
    code, out = actionlint.lint([bad])
    assert code == 1 and 'property "page" is not defined' in out, out


def test_the_workflow_builds_as_make_test_and_publishes_the_tree_with_the_pages_actions():
    wf = _workflow()
    on = wf.get("on", wf.get(True))  # YAML 1.1 reads the key `on` as True
    assert "push" in on and "workflow_dispatch" in on
    assert wf["permissions"]["pages"] == "write" and wf["permissions"]["id-token"] == "write"
    assert wf["concurrency"]["group"] and wf["concurrency"]["cancel-in-progress"] is False
    build, deploy = wf["jobs"]["build"], wf["jobs"]["deploy"]
    assert "bookworm" in build["container"]  # Debian: .ci/run installs chromium and fonts with apt
    uses = [s.get("uses", "").split("@")[0] for s in build["steps"]]
    runs = [s.get("run", "") for s in build["steps"]]
    assert "bash .ci/run" in runs  # make test, as CI runs it
    assert "make test" in (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert uses.index("actions/configure-pages") < runs.index("bash .ci/run") < uses.index("actions/upload-pages-artifact")
    # no ../shared on GitHub: the tests read CIFAR-10 and the weights from the user cache, fetched first
    data = next(i for i, r in enumerate(runs) if "resnet_book data" in r)
    assert data < runs.index("bash .ci/run") and "weights --download" in runs[data]
    upload = next(s for s in build["steps"] if s.get("uses", "").startswith("actions/upload-pages-artifact"))
    assert upload["with"]["path"] == "_build/site-tree"
    assert deploy["needs"] == "build" and deploy["environment"]["name"] == "github-pages"
    assert [s["uses"].split("@")[0] for s in deploy["steps"]] == ["actions/deploy-pages"]
    # the addresses: the repository it runs in, the Pages URL
    assert "github.repository" in build["env"]["RESNET_BOOK_REPOSITORY"]
    step = build["steps"][runs.index("bash .ci/run")]
    assert "steps.pages.outputs.base_url" in step["env"]["RESNET_BOOK_SITE_URL"]


def test_the_workflow_caches_pip_and_the_quick_runs_by_the_package_code():
    steps = _workflow()["jobs"]["build"]["steps"]
    caches = [s for s in steps if s.get("uses", "").startswith("actions/cache")]
    pip = next(s for s in caches if "pip" in s["with"]["path"])
    assert "hashFiles('requirements.txt', 'pyproject.toml'" in pip["with"]["key"]
    runs = [s for s in caches if s["with"]["path"] == "results/**/quick-*"]
    assert {s["uses"].split("@")[0] for s in runs} == {"actions/cache/restore", "actions/cache/save"}
    assert all("hashFiles('src/resnet_book/**')" in s["with"]["key"] for s in runs)
    assert "results/**/quick-*" in (ROOT / ".gitignore").read_text(encoding="utf-8").split()


def test_make_test_assembles_the_tree_before_the_browser_tests():
    test = (ROOT / "Makefile").read_text(encoding="utf-8").split("\ntest:", 1)[1].split("\n\n", 1)[0]
    assert test.index("slides book-zh book-student") < test.index(" site") < test.index(" browser")
