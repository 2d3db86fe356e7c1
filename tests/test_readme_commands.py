"""Every command the README documents works as written: `./og …` (the demo wrapper) and `python
manage.py …` lines name a real command whose arguments parse; the wrapper runs; a missing configuration
is one line, not a traceback; a shop is named by its handle or its domain."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command, get_commands, load_command_class
from django.core.management.base import CommandError

from orderguard.shops.selectors import shop_by_domain_or_handle
from tests.factories import make_shop

ROOT = Path(settings.BASE_DIR)
README = (ROOT / "README.md").read_text()
# What a placeholder in the README stands for, so the line can be parsed as a reader would type it.
PLACEHOLDERS = {
    "<shop>": "maple-and-moss", "<id>": "1054872930216647", "<cms-id>": "1054872930216647", "<path>": "token.txt",
    "<file-or-name>": "demo", "<topic>": "orders/create", "[--json]": "--json",
}
COMMAND_LINE = re.compile(r"(?:\./og|python manage\.py) ([a-z_]+(?: [^`\n#&]*)?)")


def _documented() -> list[str]:
    lines = {match.group(1).strip() for match in COMMAND_LINE.finditer(README)}
    return sorted(line for line in lines if not line.startswith(("<command>", "…")))


def test_the_readme_documents_the_wrapper_the_port_and_no_bare_demo_commands():
    assert "./og <command>" in README and "ORDERGUARD_PORT" in README and "ORDERGUARD_VAR_DIR" in README
    assert len(_documented()) >= 8
    # Outside the Production section, every command goes through the wrapper.
    before_production = README.split("## Production")[0]
    assert [line for line in re.findall(r"python manage\.py [a-z_]+", before_production)] == []


@pytest.mark.parametrize("line", _documented())
def test_each_documented_command_exists_and_its_arguments_parse(line):
    for placeholder, value in PLACEHOLDERS.items():
        line = line.replace(placeholder, value)
    name, *args = line.split()
    commands = get_commands()
    assert name in commands, f"README names an unknown command: {name}"
    command = load_command_class(commands[name], name)
    command.create_parser("og", name).parse_args(args)  # raises CommandError on an argument that does not parse


def test_the_wrapper_runs_a_command_with_the_virtualenv_from_any_folder(tmp_path):
    result = subprocess.run([str(ROOT / "og"), "help", "stuck_orders"], cwd=tmp_path, capture_output=True, text=True, timeout=120,
                            env={**os.environ, "ORDERGUARD_ENV": "test"})
    assert result.returncode == 0, result.stderr
    assert "handle (maple-and-moss) or its myshopify.com domain" in " ".join(result.stdout.split())


def test_a_missing_configuration_is_a_one_line_hint_and_exit_status_2(tmp_path):
    env = {"PATH": os.environ.get("PATH", ""), "HOME": str(tmp_path)}  # production profile, no secrets
    result = subprocess.run([sys.executable, str(ROOT / "manage.py"), "poll_shop", "maple-and-moss"], capture_output=True, text=True,
                            timeout=120, env=env)
    assert result.returncode == 2 and result.stdout == ""
    assert "Traceback" not in result.stderr and len(result.stderr.strip().splitlines()) == 1
    assert "DJANGO_SECRET_KEY" in result.stderr and "./og poll_shop maple-and-moss" in result.stderr


@pytest.mark.django_db
@pytest.mark.parametrize("value", ["alpha-goods", "alpha-goods.myshopify.com", " Alpha-Goods ", "ALPHA-GOODS.MYSHOPIFY.COM"])
def test_a_shop_is_found_by_its_handle_or_its_domain(value):
    shop = make_shop()
    assert shop_by_domain_or_handle(value=value) == shop


@pytest.mark.django_db
@pytest.mark.parametrize("value", ["", "bravo", "alpha-goods.example.com", "https://alpha-goods.myshopify.com", "alpha goods", "../x"])
def test_anything_else_names_no_shop(value):
    make_shop()
    assert shop_by_domain_or_handle(value=value) is None


@pytest.mark.django_db
def test_commands_take_the_handle(capsys):
    make_shop()
    call_command("stuck_orders", "alpha-goods")
    assert "No order of alpha-goods.myshopify.com needs action" in capsys.readouterr().out
    with pytest.raises(CommandError, match="No shop 'bravo'"):
        call_command("poll_shop", "bravo")
