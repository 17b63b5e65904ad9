"""Nothing trained is lost: destinations are checked before training, and an output that still
fails after it (disk full, a folder gone) is written to a fallback path that is named."""

import errno
import json

import pytest

from ganscope.app.entry import main
from ganscope.core import exit_codes
from ganscope.core import outputs as core_outputs
from ganscope.core.session import load_session

SMALL = ["--set", "generator.width=8", "--set", "discriminator.width=8", "--quiet"]


@pytest.fixture(autouse=True)
def recovery_dir(tmp_path, monkeypatch):
    folder = tmp_path / "recovered"
    monkeypatch.setenv("GANSCOPE_RECOVERY_DIR", str(folder))
    return folder


def test_a_legal_252_byte_file_name_saves(tmp_path, capsys):
    """The temporary name used to add the destination's name plus a prefix and suffix, passing
    the 255-byte limit: the save failed with a traceback after training."""
    save = tmp_path / ("s" * 245 + ".gscope")
    report = tmp_path / ("r" * 247 + ".json")
    assert len(save.name) == 252 and len(report.name) == 252
    code = main(["train", "--preset", "gaussian", "--steps", "5", *SMALL, "--save", str(save), "--report", str(report)])
    assert code == 0, capsys.readouterr().err
    assert load_session(save).step_count == 5 and json.loads(report.read_text())["steps"] == 5
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([save.name, report.name, "recovered"]) or sorted(
        p.name for p in tmp_path.iterdir()
    ) == sorted([save.name, report.name])


def test_a_name_over_the_limit_is_refused_before_training(tmp_path, capsys):
    code = main(["train", "--preset", "gaussian", "--steps", "5", *SMALL, "--save", str(tmp_path / ("s" * 256))])
    err = capsys.readouterr().err
    assert code == exit_codes.BAD_INPUT and "256 bytes" in err and "Traceback" not in err
    assert "5/5" not in err  # nothing was trained


@pytest.mark.parametrize(
    "args, words",
    [
        (["--save", ""], "empty"),
        (["--save", "X", "--report", "X"], "same file"),
        (["--save", "folder/"], "is a folder"),
    ],
)
def test_destinations_that_would_lose_work_are_refused_first(tmp_path, capsys, monkeypatch, args, words):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "folder").mkdir()
    code = main(["train", "--preset", "gaussian", "--steps", "5", *SMALL, *args])
    err = capsys.readouterr().err
    assert code == exit_codes.BAD_INPUT and words in err
    assert not (tmp_path / "X").exists()


def test_too_little_free_space_is_refused_before_training(tmp_path, capsys, monkeypatch):
    import shutil

    usage = shutil.disk_usage(tmp_path)
    monkeypatch.setattr(core_outputs.shutil, "disk_usage", lambda p: usage._replace(free=1000))
    code = main(["train", "--preset", "gaussian", "--steps", "5", *SMALL, "--save", str(tmp_path / "s.gscope")])
    assert code == exit_codes.BAD_INPUT and "free on that disk" in capsys.readouterr().err


@pytest.mark.parametrize("error", [errno.ENOSPC, errno.EACCES, errno.ENOENT])
def test_a_save_that_fails_after_training_is_kept_in_the_fallback_folder(
    tmp_path, capsys, monkeypatch, recovery_dir, error
):
    real = core_outputs.atomic_write_bytes
    dest = tmp_path / "run.gscope"

    def failing(path, data):
        if str(path) == str(dest):  # the disk fills (or the folder goes) while training
            raise OSError(error, "simulated")
        real(path, data)

    monkeypatch.setattr(core_outputs, "atomic_write_bytes", failing)
    code = main(["train", "--preset", "gaussian", "--steps", "7", *SMALL, "--save", str(dest)])
    err = capsys.readouterr().err
    assert code == exit_codes.SAVED_ELSEWHERE and "Traceback" not in err
    (kept,) = recovery_dir.iterdir()
    assert str(kept) in err and kept.suffix == ".gscope"
    assert load_session(kept).step_count == 7


def test_a_report_that_fails_is_kept_too_and_the_session_still_goes_where_asked(
    tmp_path, capsys, monkeypatch, recovery_dir
):
    real = core_outputs.atomic_write_bytes
    report = tmp_path / "r.json"
    monkeypatch.setattr(
        core_outputs,
        "atomic_write_bytes",
        lambda p, d: (_ for _ in ()).throw(OSError(errno.ENOSPC, "full")) if str(p) == str(report) else real(p, d),
    )
    code = main(
        [
            "train",
            "--preset",
            "gaussian",
            "--steps",
            "4",
            *SMALL,
            "--report",
            str(report),
            "--save",
            str(tmp_path / "s.gscope"),
        ]
    )
    assert code == exit_codes.SAVED_ELSEWHERE
    (kept,) = recovery_dir.iterdir()
    assert json.loads(kept.read_text())["steps"] == 4 and load_session(tmp_path / "s.gscope").step_count == 4
    assert "disk is full" in capsys.readouterr().err


def test_a_diverged_run_exits_3_and_keeps_its_last_good_weights(tmp_path, capsys):
    save = tmp_path / "d.gscope"
    code = main(
        [
            "train",
            "--preset",
            "gaussian",
            "--steps",
            "1000",
            *SMALL,
            "--set",
            "d_opt.kind=sgd",
            "--set",
            "g_opt.kind=sgd",
            "--set",
            "d_opt.lr=10",
            "--set",
            "g_opt.lr=10",
            "--set",
            "objective.loss=lsgan",
            "--save",
            str(save),
        ]
    )
    assert code == exit_codes.DIVERGED, capsys.readouterr().err
    e = load_session(save)
    assert e.status == "ok" and 0 <= e.step_count < 1000  # the last good weights, ready to continue


def test_an_internal_error_is_one_line_and_a_traceback_file(tmp_path, capsys, monkeypatch):
    from ganscope.core import training_run

    def bug(*_a, **_k):
        raise ZeroDivisionError("a bug")

    monkeypatch.setattr(training_run, "run_training", bug)
    code = main(["train", "--preset", "gaussian", "--steps", "4", *SMALL])
    err = capsys.readouterr().err
    assert code == exit_codes.INTERNAL_ERROR and "Traceback" not in err and "ZeroDivisionError" in err
    log = err.split("traceback is in ")[1].split(",")[0]
    assert "Traceback" in open(log).read()


def test_a_session_with_seed_or_device_override_is_refused_with_a_reason(tmp_path, capsys):
    s = tmp_path / "s.gscope"
    assert main(["train", "--preset", "gaussian", "--steps", "2", *SMALL, "--save", str(s)]) == 0
    assert main(["train", "--session", str(s), "--steps", "2", "--quiet", "--seed", "4"]) == 2
    assert "random stream" in capsys.readouterr().err
    assert main(["train", "--session", str(s), "--steps", "2", "--quiet", "--set", "run.device=cuda"]) == 2
    assert "--device" in capsys.readouterr().err


@pytest.mark.parametrize(
    "out, words", [("x.gif/", "drop the '/'"), (".gif", "nothing before"), ("x" * 300 + ".gif", "bytes")]
)
def test_export_names_that_meant_a_file_do_not_make_folders(tmp_path, capsys, monkeypatch, out, words):
    monkeypatch.chdir(tmp_path)
    code = main(["export", "--preset", "gaussian", "--steps", "4", "--every", "2", "--out", out])
    assert code == exit_codes.BAD_INPUT and words in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []
