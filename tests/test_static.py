"""Static checks over the package, its tools and tests (pyflakes): no name used before it is
defined, no function defined twice under one name (a second definition silently replaces the
first), no local assigned and never read. Unused imports are allowed where they are meant:
in a package's ``__init__`` (importing a family registers it), on lines marked ``noqa``, and in
the tools and tests."""
from pathlib import Path

import pytest
from pyflakes import api as pyflakes_api, messages, reporter

ROOT = Path(__file__).resolve().parents[1]


class _Collect(reporter.Reporter):
    def __init__(self):
        self.found = []

    def flake(self, message):
        self.found.append(message)

    def syntaxError(self, filename, msg, lineno, offset, text):
        self.found.append(f"{filename}:{lineno}: syntax error: {msg}")

    def unexpectedError(self, filename, msg):
        self.found.append(f"{filename}: {msg}")


def _allowed(message) -> bool:
    if not isinstance(message, messages.UnusedImport):
        return False
    path = Path(message.filename)
    if path.name == "__init__.py" or "harlib" not in path.relative_to(ROOT).parts[:1]:
        return True
    line = path.read_text().splitlines()[message.lineno - 1]
    return "noqa" in line


@pytest.mark.parametrize("folder", ["harlib", "tools", "tests"])
def test_pyflakes_finds_nothing(folder):
    collect = _Collect()
    for path in sorted((ROOT / folder).rglob("*.py")):
        pyflakes_api.checkPath(str(path), collect)
    problems = [str(m) for m in collect.found if isinstance(m, str) or not _allowed(m)]
    assert not problems, "pyflakes:\n" + "\n".join(problems)


def test_the_check_catches_a_redefinition(tmp_path):
    bad = tmp_path / "bad.py"
    bad.write_text("def f(a):\n    return a\n\n\ndef f(a, b):\n    return b\n\n\nprint(g)\n")
    collect = _Collect()
    pyflakes_api.checkPath(str(bad), collect)
    kinds = {type(m) for m in collect.found}
    assert kinds == {messages.RedefinedWhileUnused, messages.UndefinedName}
