"""Every lesson shows its phenomenon: headless, with its seed and another, the detectors agree."""

import functools

import numpy as np
import pytest

from ganscope.core.cli import main
from ganscope.core.scenarios import all_scenarios, load_scenario, run_scenario

CHECKED = [s.name for s in all_scenarios()]


def test_every_scenario_has_both_languages_and_a_valid_config():
    names = [s.name for s in all_scenarios()]
    assert len(names) >= 11 and names[0] == "lesson-1-classifier"
    for s in all_scenarios():
        for lang in ("en", "zh"):
            title, lesson = s.text(lang)
            assert title and len(lesson) > 40
        assert any("\u4e00" <= ch <= "\u9fff" for ch in s.text("zh")[1])  # really Chinese
        s.config(seed=3).validate()


# The first seed is the lesson's own (the one the app plays; 0 unless its preset sets run.seed),
# played to its end. The next one shows that the phenomenon is no fluke of one seed, and runs only
# as far as its verdict needs (see `decided`). Lessons 7a and 7c (5 critic steps with a gradient
# penalty; 5 unrolled steps) cost 5-10x more an iteration than the rest: their second seed alone
# was 30% of the matrix's time, so they run one.
ONE_SEED = ("lesson-7a-wgan-gp", "lesson-7c-unrolled")


def shipped_seed(name: str) -> int:
    return load_scenario(name).config().run.seed


JOBS = [
    (name, seed)
    for name in CHECKED
    for seed in (shipped_seed(name), shipped_seed(name) + 1)
    if seed == shipped_seed(name) or name not in ONE_SEED
]


def _expected_fired(expect, engine, fired) -> bool:
    return all(name in fired for name in expect)


def _fired_and_gone(expect, engine, fired) -> bool:
    active = {d.name for d in engine.detections().values() if d.active}
    return all(name in fired for name in expect) and not (set(expect) & active)


def _past(step, engine, fired) -> bool:
    return engine.step_count > step


def decided(name: str):
    """For the second seed: a test of whether the lesson's verdict is already decided, or None
    when only its end decides (a detector that must not be active at the end, a check of the
    last steps)."""
    s = load_scenario(name)
    if name == "lesson-8b-reuse-d":  # its check reads steps 2,000-2,050
        return functools.partial(_past, 2050)
    if name in ("lesson-1-classifier", "lesson-8a-frozen-d") or not s.expect:
        return None
    if set(s.expect_not) == set(s.expect):  # fleeting (lesson 3): fired, then gone again
        return functools.partial(_fired_and_gone, s.expect)
    return None if s.expect_not else functools.partial(_expected_fired, s.expect)


def _run(name: str, seed: int) -> dict:
    """One lesson, headless, reduced to what the checks read (sent back from a worker process)."""
    engine, fired = run_scenario(name, seed=seed, until=None if seed == shipped_seed(name) else decided(name))
    h, ev = engine.history.as_arrays(), engine.evaluator.history.as_arrays()
    return {
        "steps": engine.step_count,
        "status": engine.status,
        "fired": fired,
        "active": {d.name for d in engine.detections().values() if d.active},
        "history": {k: h[k] for k in ("step", "acc_real", "acc_fake")},
        "evals": {k: ev[k] for k in ("step", "hq_share", "modes")},
    }


@pytest.fixture(scope="module")
def lesson_runs():
    """Every job on every core: each run is single-threaded and independent, so two processes
    halve the wall time on a 2-core machine (results are the same as in sequence)."""
    import multiprocessing as mp
    from concurrent.futures import ProcessPoolExecutor

    jobs = list(JOBS)
    jobs.sort(key=lambda j: -load_scenario(j[0]).steps)  # longest first: the two workers end together
    with ProcessPoolExecutor(max_workers=2, mp_context=mp.get_context("spawn")) as pool:
        futures = {job: pool.submit(_run, *job) for job in jobs}
        return {job: f.result() for job, f in futures.items()}


@pytest.mark.slow
@pytest.mark.parametrize("name,seed", JOBS)
def test_scenario_fires_what_it_teaches(lesson_runs, name, seed):
    s = load_scenario(name)
    r = lesson_runs[(name, seed)]
    # The whole lesson, or (second seed) as far as its verdict needed.
    assert r["status"] == "ok" and (r["steps"] == s.steps or (seed != shipped_seed(name) and decided(name)))
    for expected in s.expect:
        assert expected in r["fired"], (name, seed, r["fired"])
    assert not (set(s.expect_not) & r["active"]), (name, seed, r["active"])
    h, ev = r["history"], r["evals"]
    if name == "lesson-1-classifier":  # D separates the frozen G's samples from the data
        assert np.mean(h["acc_real"][-100:]) > 0.9 and np.mean(h["acc_fake"][-100:]) > 0.9
    if name == "lesson-8a-frozen-d":  # G sharpens onto what the frozen D rewards
        at_freeze = ev["hq_share"][ev["step"] == 2000][0]
        assert ev["hq_share"][-1] > at_freeze + 0.1
    if name == "lesson-8b-reuse-d":  # the trained D sees through the fresh G at once
        after = (h["step"] > 2000) & (h["step"] <= 2050)
        assert np.mean(h["acc_fake"][after]) > 0.9


def test_the_arjovsky_bottou_contrast_in_numbers():
    """Same fixed G, same fresh D: G's gradient collapses under minimax, not under non-saturating."""
    mm, _ = run_scenario("lesson-4-vanishing", seed=0, steps=800)
    ns, _ = run_scenario("lesson-4b-nonsaturating", seed=0, steps=800)
    g_mm, g_ns = mm.history.as_arrays()["g_grad"], ns.history.as_arrays()["g_grad"]
    assert g_mm[-50:].mean() < g_mm[:50].mean() / 30
    assert g_ns[-50:].mean() > g_ns[:50].mean()


def test_the_cli_runs_a_lesson_in_chinese_and_reports_detectors(tmp_path, capsys):
    import json

    report = tmp_path / "r.json"
    code = main(
        ["scenario", "lesson-4-vanishing", "--lang", "zh", "--quiet", "--steps", "900", "--report", str(report)]
    )
    out = capsys.readouterr().out
    assert code == 0 and "梯度消失" in out and "detector vanishing: fired at step" in out
    r = json.loads(report.read_text())
    assert r["as_expected"] and "vanishing" in r["detectors_fired"] and r["scenario"] == "lesson-4-vanishing"


def test_train_with_a_lesson_preset_plays_its_script(tmp_path):
    import torch

    from ganscope.core.engine import GanEngine
    from ganscope.core.presets import preset_config
    from ganscope.core.session import load_session

    saved = tmp_path / "s.gscope"
    assert main(["train", "--preset", "lesson-4-vanishing", "--steps", "300", "--quiet", "--save", str(saved)]) == 0
    trained, fresh = load_session(saved), GanEngine(preset_config("lesson-4-vanishing"))
    # The script trains D alone: G is exactly as initialised, D has moved.
    assert all(torch.equal(a, b) for a, b in zip(trained.G.parameters(), fresh.G.parameters()))
    assert not all(torch.equal(a, b) for a, b in zip(trained.D.parameters(), fresh.D.parameters()))
