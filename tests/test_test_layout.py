"""Test modules share data through factories, fixtures and helper modules, never by importing a test
module or a conftest (that couples two tests' set-ups and runs one module's tests twice)."""

from __future__ import annotations

import re
from pathlib import Path

TESTS = Path(__file__).parent
IMPORT = re.compile(r"^\s*(?:from|import)\s+(tests(?:\.\w+)*)", re.M)


def test_no_test_module_imports_a_test_module_or_a_conftest():
    offenders = []
    for path in TESTS.rglob("*.py"):
        for module in IMPORT.findall(path.read_text()):
            last = module.rsplit(".", 1)[-1]
            if last == "conftest" or last.startswith("test_"):
                offenders.append(f"{path.relative_to(TESTS)} imports {module}")
    assert offenders == []
