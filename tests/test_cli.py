import json

import pytest

from ganscope.core.cli import main
from ganscope.core.config import GanConfig
from ganscope.core.presets import preset_names


def test_train_writes_a_report_with_correct_mode_counts(tmp_path, capsys):
    report = tmp_path / "r.json"
    session = tmp_path / "s.gscope"
    code = main(
        [
            "train",
            "--preset",
            "ring",
            "--steps",
            "300",
            "--seed",
            "3",
            "--set",
            "generator.width=32",
            "--set",
            "discriminator.width=32",
            "--report",
            str(report),
            "--save",
            str(session),
        ]
    )
    assert code == 0
    out, err = capsys.readouterr()
    assert "300/300" in err and "modes captured" in out
    r = json.loads(report.read_text())
    assert r["steps"] == 300 and r["config"]["run"]["seed"] == 3 and r["n_modes"] == 8
    assert r["iterations_per_second"] > 0 and r["wall_seconds"] > 0
    assert 0 <= r["final_metrics"]["modes"] <= 8
    assert len(r["history"]["d_loss"]) == 300 and r["eval_history"]["step"][-1] == 300
    # The report's figure is the metric on the final weights, recomputed independently here.
    from ganscope.core.metrics import mode_metrics
    from ganscope.core.session import load_session

    e = load_session(session)
    captured, hq, _ = mode_metrics(e.evaluator.generated(), e.target.centres, e.target.sigmas)
    assert r["final_metrics"]["modes"] == captured and r["final_metrics"]["hq_share"] == pytest.approx(hq)


def test_train_continues_a_session(tmp_path, capsys):
    s = tmp_path / "s.gscope"
    assert main(["train", "--preset", "gaussian", "--steps", "20", "--quiet", "--save", str(s)]) == 0
    assert main(["train", "--session", str(s), "--steps", "10", "--quiet", "--save", str(s)]) == 0
    assert "step 30" in capsys.readouterr().out


@pytest.mark.parametrize(
    "args,words",
    [
        (["--set", "d_opt.lr=abc"], "d_opt.lr"),
        (["--set", "d_opt.lr"], "KEY=VALUE"),
        (["--set", "generator.width=1000000"], "1 .. 1024"),
        (["--preset", "nope"], "unknown preset"),
        (["--config", "/no/such.json"], "no such file"),
        (["--steps", "-5"], "--steps"),
        (["--report", "/no/such/dir/r.json"], "does not exist"),
        (["--session", "/no/such.gscope"], "no such file"),
    ],
)
def test_bad_arguments_exit_2_with_a_message_and_write_nothing(tmp_path, capsys, args, words):
    before = set(tmp_path.iterdir())
    code = main(["train", "--steps", "5", "--quiet", *args])
    assert code == 2
    err = capsys.readouterr().err
    assert words in err and "Traceback" not in err
    assert set(tmp_path.iterdir()) == before


def test_bad_config_file_is_refused(tmp_path, capsys):
    cfg = tmp_path / "c.json"
    cfg.write_text('{"run": {"batch_size": 0}}')
    report = tmp_path / "r.json"
    assert main(["train", "--config", str(cfg), "--report", str(report)]) == 2
    assert "run.batch_size" in capsys.readouterr().err and not report.exists()


def test_presets_lists_one_line_each(capsys):
    assert main(["presets"]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert len(lines) == len(preset_names()) >= 8
    assert all(len(line.split(None, 1)) == 2 for line in lines)


def test_config_dump_prints_the_defaults(capsys):
    assert main(["config", "--dump"]) == 0
    assert json.loads(capsys.readouterr().out) == GanConfig().to_dict()
    assert main(["config", "--explain"]) == 0
    assert "d_opt.lr" in capsys.readouterr().out
    with pytest.raises(SystemExit) as refused:  # one or the other: --explain never hides behind --dump
        main(["config", "--dump", "--explain"])
    assert refused.value.code == 2 and "not allowed with" in capsys.readouterr().err


def test_a_config_file_round_trips_through_train(tmp_path, capsys):
    cfg = GanConfig()
    cfg.target.kind = "moons"
    cfg.generator.width = 16
    path = tmp_path / "c.json"
    path.write_text(cfg.to_json())
    report = tmp_path / "r.json"
    assert main(["train", "--config", str(path), "--steps", "10", "--quiet", "--report", str(report)]) == 0
    r = json.loads(report.read_text())
    assert r["config"]["target"]["kind"] == "moons" and r["final_metrics"]["modes"] is None
