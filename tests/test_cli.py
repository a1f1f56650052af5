from __future__ import annotations

import subprocess
import sys

import pytest

from regiopol.run.cli import main

SUBCOMMANDS = [[], ["data"], ["data", "build"], ["data", "check"], ["regions"], ["kreise"]]


@pytest.mark.parametrize("args", SUBCOMMANDS, ids=lambda a: " ".join(a) or "regiopol")
def test_help_on_every_subcommand(args, capsys):
    with pytest.raises(SystemExit) as exit_:
        main([*args, "--help"])
    assert exit_.value.code == 0
    assert "usage: regiopol" in capsys.readouterr().out


def test_regions_prints_the_german_table(capsys):
    assert main(["regions"]) == 0
    out = capsys.readouterr().out
    for name in ["Bielefeld", "Erfurt", "Koblenz", "Paderborn", "Rostock", "Siegen", "Trier", "Würzburg"]:
        assert name in out
    assert "Bevölkerung 2020" in out and "Quelle:" in out
    # Trier region 31.12.2020 = sum of its five Kreise in 12411-0018, German thousands separator
    assert "534.438" in out


def test_kreise_search(capsys):
    assert main(["kreise", "Rostock"]) == 0
    out = capsys.readouterr().out
    assert "13003" in out and "13072" in out


def test_errors_are_one_line_without_traceback(tmp_path, capsys):
    bad = tmp_path / "regions.toml"
    bad.write_text("[areas]\nunknown = 'x'\n", encoding="utf-8")
    assert main(["regions", "--file", str(bad)]) == 1
    err = capsys.readouterr().err
    assert err.startswith("Fehler: ") and "[[region]] block" in err and "Traceback" not in err


def test_console_script_runs():
    result = subprocess.run([sys.executable, "-m", "regiopol", "data", "check"], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Prüfungen bestanden" in result.stdout


def test_build_from_a_raw_dir_that_does_not_exist(tmp_path, capsys):
    assert main(["data", "build", "--raw", str(tmp_path / "nowhere"), "--out", str(tmp_path / "out")]) == 1
    err = capsys.readouterr().err
    assert "raw data directory does not exist" in err and "REGIOPOL_RAW_DIR" in err
    assert not (tmp_path / "out").exists()
