"""Config and point files from other programs: each odd one is read exactly or refused in one
line with exit code 2, never a traceback and never a silently changed value."""

import codecs
import json

import numpy as np
import pytest

from ganscope.core.cli import main
from ganscope.core.config import ConfigError, GanConfig
from ganscope.core.engine import GanEngine
from ganscope.core.targets import load_points


def run_cli(capsys, *args):
    code = main(["train", "--steps", "0", "--quiet", *args])
    out, err = capsys.readouterr()
    return code, err


def _cfg_text():
    return json.dumps({"target": {"kind": "moons"}, "generator": {"width": 8}})


@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-16", "utf-32"])
def test_a_config_with_a_byte_order_mark_is_read(tmp_path, capsys, encoding):
    path = tmp_path / "c.json"
    path.write_bytes(_cfg_text().encode(encoding))
    report = tmp_path / "r.json"
    code, err = run_cli(capsys, "--config", str(path), "--report", str(report))
    assert code == 0, err
    assert json.loads(report.read_text())["config"]["target"]["kind"] == "moons"


@pytest.mark.parametrize(
    "data, words",
    [
        ('{"target": {"kind": "moons"}, "generator": {"activation": "tanh"}} \u00e9'.encode("latin-1"), "not UTF-8"),
        (_cfg_text().encode("utf-16-le"), "UTF-16 without a byte-order mark"),
        (b"[" * 100_000 + b"]" * 100_000, "nested too deeply"),
        (b'{"run": {"seed": ' + b"9" * 400 + b"}}", "run.seed"),
        (b'{"run": {"seed": ' + b"9" * 5000 + b"}}", "digits"),
        (b'{"run": {"seed": 1, "seed": 2}}', "appears twice"),
        (b'{"target": {"kind": "points", "points": [[1e30, 0], [0, 1]]}}', "rescale"),
        (b'{"target": {"kind": "points", "points": [[1e20, 1e20]]}}', "rescale"),
        (b'{"target": {"kind": "points", "points": [[1e39, 0]]}}', "rescale"),
        (
            b'{"target": {"kind": "mixture", "centres": [[0, 0], [1, 1]], "sigmas": [0.1, 0.1], '
            b'"weights": [1e308, 1e308]}}',
            "target.weights",
        ),
        (b'{"target": {"kind": "mixture", "centres": [[0, 0]], "sigmas": [1e300], "weights": [1]}}', "target.sigmas"),
    ],
)
def test_odd_config_files_exit_2_in_one_line(tmp_path, capsys, data, words):
    path = tmp_path / "c.json"
    path.write_bytes(data)
    code, err = run_cli(capsys, "--config", str(path))
    assert code == 2 and words in err and "Traceback" not in err
    assert err.count("\n") == 1


@pytest.mark.parametrize(
    "value, words",
    [
        ("[" * 50_000 + "]" * 50_000, "nested too deeply"),
        ("[[1e20, 0]]", "rescale"),
        ("[[" + "9" * 400 + ", 0]]", "two finite numbers"),
    ],
)
def test_odd_set_values_exit_2_in_one_line(capsys, value, words):
    code, err = run_cli(capsys, "--set", "target.kind=points", "--set", f"target.points={value}")
    assert code == 2 and words in err and "Traceback" not in err


def test_points_far_from_the_origin_no_longer_divide_by_zero_in_the_metrics():
    """Points at 1e20 crashed metrics._kernel (ZeroDivisionError); the largest accepted ones run."""
    with pytest.raises(ConfigError, match="rescale"):
        GanConfig.from_dict({"target": {"kind": "points", "points": [[1e20, 0]]}})
    cfg = GanConfig.from_dict(
        {
            "target": {"kind": "points", "points": [[1e6, -1e6], [1e6, -1e6]]},
            "generator": {"width": 8},
            "discriminator": {"width": 8},
            "run": {"eval_every": 5},
        }
    )
    e = GanEngine(cfg)
    e.step(5)
    assert e.status in ("ok", "diverged") and np.isfinite(e.metrics()["mmd"])


# --- CSV -----------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "data, expected",
    [
        (codecs.BOM_UTF8 + b"1,2\n3,4\n", [[1, 2], [3, 4]]),  # Excel "CSV UTF-8": the first point kept
        (codecs.BOM_UTF8 + b"x,y\n1,2\n", [[1, 2]]),
        ("x,y\n1,2\n3,4\n".encode("utf-16"), [[1, 2], [3, 4]]),  # Excel "Unicode text"
        (b"x,y\n,,\n1,2\n", [[1, 2]]),  # a blank spreadsheet row
        (b"# note\nx1,y1\n-1.5e2,.5\n", [[-150, 0.5]]),
    ],
)
def test_csv_files_from_spreadsheets_read_exactly(tmp_path, data, expected):
    path = tmp_path / "p.csv"
    path.write_bytes(data)
    assert load_points(path).tolist() == expected


@pytest.mark.parametrize(
    "data, words",
    [
        (b"1,,2\n", "empty field"),  # read as (1, 2) before
        (b"0,0\n1,2,\n", "empty field"),
        (b"1_000,2\n", "digit separators"),  # read as 1000 before
        (b'"1,000",2\n', "digit separators"),
        ("\u0661,2\n".encode(), "not a number"),  # an Arabic-Indic digit, which float() accepts
        (b"1," + b"9" * 140_000 + b"\n", "not a readable CSV"),
        ("1,2\n".encode("utf-16-le"), "UTF-16 without a byte-order mark"),
        ("x\u00e9,y\n1,2\n".encode("latin-1"), "not UTF-8"),
    ],
)
def test_csv_oddities_are_refused_with_the_line_and_reason(tmp_path, data, words):
    path = tmp_path / "p.csv"
    path.write_bytes(data)
    with pytest.raises(ConfigError, match=words) as err:
        load_points(path)
    assert "\n" not in str(err.value)
