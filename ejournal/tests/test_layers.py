"""The import contracts (pyproject.toml, [tool.importlinter]) hold, and they catch an upward import when one is added.

The second test copies the apps to a temporary folder, adds one import that breaks a layer, and checks that
lint-imports fails there: a contract that cannot fail would protect nothing.
"""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
APPS = ["accounts", "journal", "diary", "reports", "archive", "ejournal"]
LINT_IMPORTS = Path(sys.executable).parent / "lint-imports"


def lint_imports(where: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(LINT_IMPORTS), str(where / "pyproject.toml"), "--no-cache"],
        cwd=where,
        env={"PYTHONPATH": str(where), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.fixture
def copy_of_the_apps(tmp_path: Path) -> Path:
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    for app in APPS:
        shutil.copytree(ROOT / app, tmp_path / app, ignore=ignore)
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    return tmp_path


def test_the_contracts_hold():
    result = lint_imports(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_copy_is_clean_before_it_is_broken(copy_of_the_apps: Path):
    assert lint_imports(copy_of_the_apps).returncode == 0


@pytest.mark.parametrize(
    "module, line, broken",
    [
        # identity may not know the journal
        ("accounts/access.py", "from journal.models import SchoolClass", "layers"),
        # the journal may not know the diary
        ("journal/selectors/structure.py", "import diary.services.paper", "layers"),
        # the diary may not know the project
        ("diary/views/diary.py", "from ejournal import views", "layers"),
        # a service never imports a Celery task: it enqueues by name (diary/services/queue.py)
        ("diary/services/messages.py", "from diary import tasks", "rooms"),
    ],
)
def test_an_added_upward_import_is_caught(copy_of_the_apps: Path, module: str, line: str, broken: str):
    path = copy_of_the_apps / module
    path.write_text(path.read_text() + f"\n{line}  # added by the test\n")
    result = lint_imports(copy_of_the_apps)
    assert result.returncode != 0
    assert "BROKEN" in result.stdout
    assert module.removesuffix(".py").replace("/", ".") in result.stdout


def test_every_folder_of_modules_is_a_package():
    """A folder of modules without __init__.py is a namespace package, which import-linter leaves out of every
    contract without a word: the layers would not be checked there."""
    missing = [
        str(folder.relative_to(ROOT))
        for app in APPS
        for folder in [ROOT / app, *(ROOT / app).rglob("*")]
        if folder.is_dir()
        and folder.name != "__pycache__"
        and any(folder.glob("*.py"))
        and not (folder / "__init__.py").exists()
    ]
    assert missing == []
