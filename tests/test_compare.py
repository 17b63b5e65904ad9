"""Headless compare: runs in lockstep, each exactly as if trained alone, summarised in one table."""

import json

import pytest
import torch

from ganscope.app.entry import main
from ganscope.core.compare import REMEDIES, CompareGroup, compare
from ganscope.core.config import ConfigError
from ganscope.core.engine import GanEngine

TINY = [
    ("generator.width", "16"),
    ("discriminator.width", "16"),
    ("run.batch_size", "32"),
    ("run.eval_samples", "200"),
    ("run.eval_every", "10"),
    ("generator.noise_dim", "2"),
]
TINY_ARGS = [a for k, v in TINY for a in ("--set", f"{k}={v}")]


def flat(m):
    return torch.cat([p.detach().flatten() for p in m.parameters()])


def test_each_compared_run_is_exactly_the_run_trained_alone(small_cfg):
    other = small_cfg.copy()
    other.objective.loss = "wgan-gp"
    group = compare([("plain", small_cfg), ("wgan-gp", other)], steps=15)
    assert [r.label for r in group.runs] == ["plain", "wgan-gp"]
    assert [e.step_count for e in group.engines] == [15, 15]  # lockstep
    for cfg, e in zip((small_cfg, other), group.engines):
        alone = GanEngine(cfg)
        alone.step(15)
        assert torch.equal(flat(alone.G), flat(e.G)) and torch.equal(flat(alone.D), flat(e.D))


def test_the_table_has_a_row_per_run_with_modes_quality_js_detectors_and_speed(small_cfg):
    small_cfg.detect.collapse_evals = 1
    small_cfg.detect.collapse_share = 1.0  # fires on the first evaluation: something to report
    small_cfg.detect.collapse_reach = 0  # even before G has reached a mode
    group = compare([("a", small_cfg), ("b", small_cfg)], steps=30)
    rows = group.results()
    assert [r["label"] for r in rows] == ["a", "b"]
    for r in rows:
        assert r["step"] == 30 and r["n_modes"] == 8 and 0 <= r["modes"] <= 8
        assert 0 <= r["hq_share"] <= 1 and 0 <= r["js"] <= 1 and r["its"] > 0
        assert r["fired"]["collapse"] <= 30
    text = group.table().splitlines()
    assert text[0].split()[:3] == ["run", "loss", "modes"] and len(text) == 4
    assert "collapse (" in text[2] and f"{rows[0]['modes']:.0f}/8" in text[2]


def test_runs_share_one_seed_and_one_target_and_two_to_four_runs(small_cfg):
    other = small_cfg.copy()
    other.run.seed = 5
    group = CompareGroup([small_cfg, other])
    assert {e.cfg.run.seed for e in group.engines} == {small_cfg.run.seed}
    assert [r.label for r in group.runs] == ["run 1", "run 2"]
    moved = small_cfg.copy()
    moved.target.kind = "grid"
    with pytest.raises(ConfigError, match="same target"):
        CompareGroup([small_cfg, moved])
    with pytest.raises(ConfigError, match="2 to 4"):
        CompareGroup([small_cfg])
    with pytest.raises(ConfigError, match="2 to 4"):
        CompareGroup([small_cfg] * 5)


def test_compare_the_remedies_from_the_command_line(tmp_path, capsys):
    report = tmp_path / "r.json"
    assert main(["compare", "--remedies", "--steps", "20", "--quiet", "--report", str(report), *TINY_ARGS]) == 0
    out = capsys.readouterr().out.splitlines()
    assert [line.split()[0] for line in out[2:6]] == ["GAN", "WGAN-GP", "PacGAN2", "Unrolled"]
    r = json.loads(report.read_text())
    assert [x["preset"] for x in r["runs"]] == list(REMEDIES) and r["steps"] == 20
    assert [x["config"]["objective"]["loss"] for x in r["runs"]] == [
        "nonsaturating",
        "wgan-gp",
        "nonsaturating",
        "minimax",
    ]
    assert r["runs"][2]["config"]["objective"]["pack"] == 2
    assert r["runs"][3]["config"]["objective"]["unrolled_steps"] == 5


@pytest.mark.parametrize(
    "args, words",
    [
        (["--preset", "ring"], "2 to 4 runs"),
        (["--preset", "ring", "--preset", "grid"], "same target"),
        (["--preset", "ring", "--preset", "ring", "--steps", "0"], "--steps 0"),
        (["--preset", "ring", "--preset", "nope"], "unknown preset"),
        (["--preset", "ring", "--preset", "ring", "--export", "x.avi"], "unknown format"),
    ],
)
def test_bad_compare_requests_exit_2_with_one_line(args, words, capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert main(["compare", *args, "--quiet"]) == 2
    err = capsys.readouterr().err
    assert words in err and err.count("\n") == 1 and not list(tmp_path.iterdir())


@pytest.mark.parametrize(
    "flag, how",
    [
        ("--batched", "batched"),
        ("--no-batched", "one engine after another (batching switched off)"),
    ],
)
def test_batching_is_chosen_on_the_command_line_and_reported(tmp_path, capsys, flag, how):
    report = tmp_path / "r.json"
    runs = ["--preset", "ring", "--preset", "ring", "--set", "d_opt.lr=0.0005"]
    assert main(["compare", *runs, flag, "--steps", "6", "--quiet", "--report", str(report), *TINY_ARGS]) == 0
    r = json.loads(report.read_text())
    assert r["training"] == how and r["steps"] == 6 and not r["interrupted"]
    assert "--batched" not in capsys.readouterr().err  # nothing to warn about: it was possible


def test_batched_asked_of_runs_that_cannot_says_why(tmp_path, capsys):
    assert main(["compare", "--remedies", "--batched", "--steps", "3", "--quiet", *TINY_ARGS]) == 0
    err = capsys.readouterr().err
    assert "--batched: these runs train one engine after another:" in err and err.count("\n") == 1


def test_a_compare_report_that_cannot_be_written_is_kept_elsewhere(tmp_path, capsys, monkeypatch):
    import errno

    from ganscope.core import exit_codes
    from ganscope.core import outputs as core_outputs

    monkeypatch.setenv("GANSCOPE_RECOVERY_DIR", str(tmp_path / "recovered"))
    report, real = tmp_path / "r.json", core_outputs.atomic_write_bytes

    def full_disk(path, data):
        if str(path) == str(report):  # the disk filled while the runs trained
            raise OSError(errno.ENOSPC, "simulated")
        real(path, data)

    monkeypatch.setattr(core_outputs, "atomic_write_bytes", full_disk)
    runs = ["--preset", "ring", "--preset", "ring"]
    code = main(["compare", *runs, "--steps", "4", "--quiet", "--report", str(report), *TINY_ARGS])
    (kept,) = (tmp_path / "recovered").iterdir()
    assert code == exit_codes.SAVED_ELSEWHERE and str(kept) in capsys.readouterr().err
    assert json.loads(kept.read_text())["steps"] == 4 and not report.exists()
