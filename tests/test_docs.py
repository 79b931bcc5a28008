"""A clone stands alone: the README and the docs link only to what the clone has, and the
README's test command installs what the tests need (CI runs that same command)."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[1]
DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]
LINK = re.compile(r"\]\(([^)#\s]+)(?:#[^)]*)?\)")


@pytest.mark.parametrize("doc", DOCS, ids=lambda p: str(p.relative_to(ROOT)))
def test_docs_send_users_only_to_what_a_clone_has(doc: Path) -> None:
    text = doc.read_text(encoding="utf-8")
    assert "../shared" not in text and "legal-rules.md" not in text
    broken = [
        target
        for target in LINK.findall(text)
        if "://" not in target and not (doc.parent / target).exists()
    ]
    assert broken == []


def test_the_readme_test_command_installs_what_the_tests_need() -> None:
    """`make test` (the README's) runs scripts/install-test-deps; `.ci/run` runs `make test`."""
    planned = subprocess.run(
        ["make", "-n", "test"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout
    assert "scripts/install-test-deps" in planned
    assert planned.index("install-test-deps") < planned.index("pytest")
    script = (ROOT / "scripts" / "install-test-deps").read_text(encoding="utf-8")
    for need in (
        "libreoffice-writer-nogui",
        "poppler-utils",
        "fonts-noto-cjk",
        "postgresql",
        "chromium",
        "default-jre-headless",
    ):
        assert need in script
    # the tests marked `spark` need pyspark, the `spark` extra, installed before they run
    assert re.search(r"sync --frozen .*--extra spark", planned)
    assert planned.index("--extra spark") < planned.index("pytest")
    assert re.search(r"^make test$", (ROOT / ".ci" / "run").read_text(), re.M)
    assert "make test" in (ROOT / "README.md").read_text(encoding="utf-8")


def test_make_demo_installs_no_spark() -> None:
    """The ordinary install stays light: pyspark (and Java) only for the tests."""
    planned = subprocess.run(
        ["make", "-n", "demo"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout
    assert "spark" not in planned


def test_make_setup_installs_the_front_end_files() -> None:
    """`make setup` (under `make demo` and `make test`) copies the npm packages into the package."""
    planned = subprocess.run(
        ["make", "-n", "setup"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout
    assert "scripts/build-static" in planned
    assert (
        "shujian demo demo-workspace --serve"
        in subprocess.run(
            ["make", "-n", "demo"], cwd=ROOT, capture_output=True, text=True, check=True
        ).stdout
    )


def _readme_commands() -> list[list[str]]:
    """Every `shujian …` line of the README's shell blocks, continuation lines joined."""
    import shlex

    text = (ROOT / "README.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```bash\n(.*?)```", text, re.S)
    lines = "\n".join(blocks).replace("\\\n", " ").splitlines()
    commands = []
    for line in lines:
        line = line.split("  #", 1)[0].strip()
        if line.startswith("shujian "):
            commands.append(shlex.split(line)[1:])
    return commands


@pytest.mark.parametrize("args", _readme_commands(), ids=lambda a: " ".join(a[:3]))
def test_every_command_in_the_readme_is_one_the_program_takes(args: list[str]) -> None:
    """Options in their right place and commands that exist: `--help` after the whole line
    parses it the way the shell would run it, without running it."""
    from click.testing import CliRunner

    from shujian.cli.main import cli

    run = CliRunner().invoke(cli, [*args, "--help"])
    assert run.exit_code == 0, run.output
