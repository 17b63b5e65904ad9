"""Compare 2 to 4 runs side by side: trained in lockstep, summarised in one table.

Lockstep means the same target, the same seed (so the same initial noise streams wherever the
players have the same shapes) and the same step count: every run is advanced by the same chunk
before any goes further. `compare(["lesson-5-collapse", "lesson-7a-wgan-gp", ...], steps)` is the
Python API; `ganscope compare --preset A --preset B ... --steps N [--export out.gif]` the command.

Each run is its own GanEngine. Runs that differ only in numbers (learning rates, betas, penalty
weights, D:G steps: core.ensemble.SWEEPABLE) train as one batched call (core.compare_batched) when
`batched` allows; the others, lesson 5's remedies among them (they differ in loss, packing and
unrolling, which one vmapped iteration cannot mix), are stepped engine after engine in this thread.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable

from .compare_batched import BatchedLockstep, why_not
from .compare_run import CompareRun
from .compare_table import format_table
from .config import ConfigError, GanConfig
from .engine import GanEngine
from .training_run import _clean  # NaN/Inf -> null: one JSON cleaner for every report

REMEDIES = ("lesson-5-collapse", "lesson-7a-wgan-gp", "lesson-7b-pacgan", "lesson-7c-unrolled")
REMEDY_LABELS = {
    "lesson-5-collapse": "GAN",
    "lesson-7a-wgan-gp": "WGAN-GP",
    "lesson-7b-pacgan": "PacGAN2",
    "lesson-7c-unrolled": "Unrolled",
}
MIN_RUNS, MAX_RUNS = 2, 4
CHUNK = 50  # lockstep granularity: every run reaches each multiple of this before any goes on
# Devices where batching is the default. On this 2-core CPU 4 runs batched ran at 0.57-0.88x the engines
# in turn (benchmarks/compare_batched.py: the engines' hand-written gradients beat vmap's autograd);
# on a GPU one batched call replaces 4 small launches per kernel (the sweep's 1.8x over CUDA-graph
# engines at 16 members, docs/benchmarks.md); a 4-run compare there is not yet measured.
BATCHED_AUTO = ("cuda",)


def resolve(item, seed: int | None = None, overrides=()) -> tuple[str | None, GanConfig, str | None]:
    """(label, config, preset name or None) from a preset name, a GanConfig or (label, config)."""
    from .presets import preset_config

    if isinstance(item, str):
        label, cfg, preset = REMEDY_LABELS.get(item, item), preset_config(item), item
    elif isinstance(item, GanConfig):
        label, cfg, preset = None, item.copy(), None
    elif isinstance(item, tuple) and len(item) == 2 and isinstance(item[1], GanConfig):
        label, cfg, preset = str(item[0]), item[1].copy(), None
    else:
        raise ConfigError(f"a compared run is a preset name, a GanConfig or (label, GanConfig), got {item!r}")
    for key, value in overrides:
        cfg.set(key, value)
    if seed is not None:
        cfg.set("run.seed", seed)
    cfg.validate()
    return label, cfg, preset


class CompareGroup:
    """2 to 4 runs trained in lockstep; `results()` / `table()` summarise them."""

    def __init__(
        self,
        items,
        seed: int | None = None,
        overrides=(),
        labels: list[str] | None = None,
        batched: bool | None = None,
    ):
        """`batched`: train runs that differ only in numbers as one batched call (True), never (False),
        or where it is the faster way on the runs' device (None: see BATCHED_AUTO)."""
        self.batched = batched
        items = list(items)
        if not MIN_RUNS <= len(items) <= MAX_RUNS:
            raise ConfigError(f"compare takes {MIN_RUNS} to {MAX_RUNS} runs, got {len(items)}")
        resolved = [resolve(it, seed, overrides) for it in items]
        if seed is None:  # lockstep: everyone uses the first run's seed
            for _l, cfg, _p in resolved[1:]:
                cfg.run.seed = resolved[0][1].run.seed
        target = resolved[0][1].to_dict()["target"]
        for i, (label, cfg, _p) in enumerate(resolved[1:], 2):
            if cfg.to_dict()["target"] != target:
                raise ConfigError(
                    f"compared runs must train on the same target; {label or f'run {i}'} "
                    f"has another than the first run (set target.* for all, or pick presets "
                    f"on one target)"
                )
        self.runs: list[CompareRun] = []
        for i, (label, cfg, preset) in enumerate(resolved):
            label = (labels[i] if labels and i < len(labels) else None) or label or f"run {i + 1}"
            engine = GanEngine(cfg)
            if preset is not None:
                _install_script(engine, preset)
            self.runs.append(CompareRun(_unique(label, [r.label for r in self.runs]), engine, preset))

    @classmethod
    def of_engines(cls, engines: list[tuple[str, GanEngine]]) -> CompareGroup:
        """A group of existing engines (an original and its branch): nothing is rebuilt."""
        if not MIN_RUNS <= len(engines) <= MAX_RUNS:
            raise ConfigError(f"compare takes {MIN_RUNS} to {MAX_RUNS} runs, got {len(engines)}")
        group = cls.__new__(cls)
        group.runs = [CompareRun(label, e) for label, e in engines]
        group.batched = None
        return group

    @property
    def engines(self) -> list[GanEngine]:
        return [r.engine for r in self.runs]

    @property
    def step_count(self) -> int:
        """The lockstep count: the slowest run still training (a diverged or finished run no longer
        holds the others back; when none trains, the furthest any got)."""
        live = [e.step_count for e in self.engines if e.status == "ok"]
        return min(live) if live else max(e.step_count for e in self.engines)

    def how_trained(self) -> str:
        """How the next steps train: 'batched' or why each run steps its own engine. The choice is
        made here, before every chunk: lesson 5's remedies differ in loss, packing and unrolling
        (structure, not numbers), so they always step their own engines; a setting changed in one
        run, a divergence or a lesson's script also ends batching for the chunks that follow."""
        if self.batched is False:
            return "one engine after another (batching switched off)"
        reason = why_not(self.engines)
        if reason is None and self.batched is None and self.engines[0].device.type not in BATCHED_AUTO:
            reason = f"on {self.engines[0].device.type} one engine after another is faster (docs/benchmarks.md #16)"
        return "batched" if reason is None else f"one engine after another: {reason}"

    def step(self, n: int) -> int:
        """Advance every run that can by n steps; returns the steps the slowest run still training
        made (0 when one of them could not go on: the group has reached its end)."""
        if self.how_trained() == "batched":
            return self._step_batched(n)
        advanced = []
        for run in self.runs:
            e = run.engine
            if e.status != "ok":
                continue
            start = time.perf_counter()
            ran = e.step(n)
            run.seconds += time.perf_counter() - start
            self._booked(run, ran)
            if e.status == "ok":
                advanced.append(ran)
        return min(advanced) if advanced else 0

    def _step_batched(self, n: int) -> int:
        """n steps of every run in batched chunks that end on evaluation steps, as an engine's do."""
        every = self.engines[0].cfg.run.eval_every
        done = 0
        while done < n:
            for e in self.engines:
                if e.step_count == 0 and len(e.evaluator.history) == 0:
                    e.evaluator.evaluate()  # the starting point, as GanEngine._step takes it
            chunk = min(n - done, every - self.engines[0].step_count % every)
            start = time.perf_counter()
            kept = BatchedLockstep(self.engines).step(chunk)
            share = (time.perf_counter() - start) / len(self.runs)  # one call: each run its share
            for run, ran in zip(self.runs, kept):
                run.seconds += share
                self._booked(run, ran)
            if all(e.status != "ok" for e in self.engines):
                return 0
            done += chunk
            if min(kept) == 0:  # a run diverged (and was rolled back): the others go on unbatched
                return done + (self.step(n - done) if done < n else 0)
        return done

    @staticmethod
    def _booked(run: CompareRun, ran: int) -> None:
        """Count a run's steps and note the detectors that fired (and when)."""
        e = run.engine
        run.steps_run += ran
        for d in e.detections().values():
            if d.active and d.name not in run.fired:
                run.fired[d.name] = e.step_count
        if e.status == "diverged":
            run.fired.setdefault("diverged", e.step_count)

    def train(
        self,
        steps: int,
        every: int | None = None,
        on_frame: Callable | None = None,
        progress: Callable[[int, int], bool] | None = None,
    ) -> int:
        """Train `steps` in lockstep chunks; `on_frame(group)` at the start and every `every` steps;
        `progress(done, total)` returning False stops early. Returns the steps done."""
        done = 0
        if on_frame is not None:
            on_frame(self)
        chunk = min(CHUNK, every) if every else CHUNK
        while done < steps:
            n = min(chunk, steps - done)
            if every:
                n = min(n, every - done % every)
            if self.step(n) == 0:
                break
            done += n
            if on_frame is not None and every and done % every == 0:
                on_frame(self)
            if progress is not None and progress(done, steps) is False:
                break
        for e in self.engines:  # the table describes the final weights
            if e.evaluator.history.steps[-1:].tolist() != [e.step_count]:
                e.evaluator.evaluate()
        return done

    def results(self) -> list[dict]:
        return [r.result() for r in self.runs]

    def table(self) -> str:
        """One row per run: modes, high-quality share, JS, detectors fired (and when), it/s."""
        return format_table(self.results())

    def report(self) -> dict:
        return {"steps": self.step_count, "training": self.how_trained(), "runs": self.results()}


def _unique(label: str, taken: list[str]) -> str:
    out, k = label, 2
    while out in taken:
        out, k = f"{label} ({k})", k + 1
    return out


def _install_script(engine: GanEngine, preset: str) -> None:
    """A lesson's script (freeze, reset, who trains) without its stopping point: --steps decides."""
    from .scenarios import load_scenario, scenario_names

    if preset in scenario_names():
        load_scenario(preset).install(engine)
        engine.stop_at = None


def compare(
    runs,
    steps: int,
    seed: int | None = None,
    overrides=(),
    labels: list[str] | None = None,
    progress=None,
) -> CompareGroup:
    """Train 2-4 runs (preset names, GanConfigs or (label, config)) in lockstep for `steps`;
    the returned group's `table()` / `results()` / `report()` hold the per-run results
    (modes, high-quality share, JS, detectors fired and when, it/s)."""
    group = CompareGroup(runs, seed=seed, overrides=overrides, labels=labels)
    group.train(steps, progress=progress)
    return group


def compare_remedies(steps: int = 3000, seed: int | None = None, progress=None) -> CompareGroup:
    """Lesson 5's ring with the plain GAN against WGAN-GP, PacGAN2 and unrolling, ending in the table."""
    return compare(list(REMEDIES), steps, seed=seed, progress=progress)


# --- the command line -------------------------------------------------------------------------
def add_compare_parser(sub) -> None:
    c = sub.add_parser("compare", help="train 2-4 runs in lockstep and compare them (table, side-by-side video)")
    c.add_argument("--preset", action="append", default=[], help="a run from a preset (repeat 2-4 times)")
    c.add_argument(
        "--remedies",
        action="store_true",
        help="lesson 5's ring: GAN against WGAN-GP, PacGAN2 and unrolled (the four lessons' presets)",
    )
    c.add_argument("--steps", type=int, default=2000, help="iterations for every run (default 2000)")
    c.add_argument("--seed", type=int, help="one seed for every run (default: the first run's)")
    c.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="override a field in every run, e.g. --set run.batch_size=128 (repeatable)",
    )
    c.add_argument("--device", choices=("cpu", "cuda", "auto"), help="where to train")
    c.add_argument(
        "--batched",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="train runs that differ only in numbers as one batched call (default: on CUDA only, where it is faster)",
    )
    c.add_argument("--report", help="write the per-run results as JSON here")
    c.add_argument("--export", help="render the runs side by side into FILE.mp4, FILE.gif or a PNG folder")
    c.add_argument("--every", type=int, default=50, help="iterations between exported frames (default 50)")
    c.add_argument("--size", default="1200x900", help="WIDTHxHEIGHT of the export (default 1200x900)")
    c.add_argument("--fps", type=float, default=20.0, help="frames per second of the export (default 20)")
    c.add_argument(
        "--layers",
        help="the plane's layers in the export, comma-separated (e.g. surface,contour,real,fake; default the app's)",
    )
    c.add_argument("--force", action="store_true", help="overwrite the export if it exists")
    c.add_argument("--quiet", action="store_true", help="no progress bar")


def cmd_compare(args, exporter: Callable | None = None) -> int:
    """`ganscope compare`. `exporter(group, path, steps, ...)` renders the side-by-side animation; the
    composition root (app.entry) passes the app's, since core never names the view."""
    from . import exit_codes
    from .cli import UsageError, check_writable, parse_set, parse_size
    from .cli_outputs import stopped_code, write_output

    presets = list(REMEDIES) if args.remedies else []
    presets += args.preset
    if not MIN_RUNS <= len(presets) <= MAX_RUNS:
        raise UsageError(
            f"compare needs {MIN_RUNS} to {MAX_RUNS} runs (--preset A --preset B ..., or "
            f"--remedies), got {len(presets)}"
        )
    if not 0 < args.steps <= 10_000_000:
        raise UsageError(f"--steps {args.steps}: must be between 1 and 10000000")
    check_writable(args.report, "--report", 64 << 10)
    overrides = [parse_set(s) for s in args.set]
    if args.device:
        overrides.append(("run.device", args.device))
    if args.export:
        from .animation import check_fps, check_output

        if not 0 < args.every <= args.steps:
            raise UsageError(f"--every {args.every}: must be between 1 and --steps ({args.steps})")
        size = parse_size(args.size)
        _path, fmt = check_output(args.export, args.force)  # refuse before training, not after
        check_fps(args.fps, fmt)
    group = CompareGroup(presets, seed=args.seed, overrides=overrides, batched=args.batched)
    stream = sys.stderr
    if args.batched and group.how_trained() != "batched":  # asked for, and not possible: said, not hidden
        print(f"ganscope: --batched: these runs train {group.how_trained()}", file=stream)
    try:
        if args.export:
            if exporter is None:
                raise UsageError("compare --export needs the app's views (run the `ganscope` command)")
            exporter(
                group,
                args.export,
                args.steps,
                every=args.every,
                size=size,
                fps=args.fps,
                force=args.force,
                stream=stream,
                **({"layers": args.layers} if args.layers else {}),
            )
        else:
            group.train(args.steps, progress=None if args.quiet else _progress(stream, args.steps))
    except KeyboardInterrupt:
        # What was trained is not lost: the table and the report show the runs as far as they got.
        print(
            f"\nganscope: compare interrupted at lockstep step {group.step_count}"
            + ("; the animation was not written" if args.export else ""),
            file=sys.stderr,
        )
        interrupted = True
    else:
        interrupted = False
    print(group.table())
    fell_back = bool(args.report) and write_output(
        json.dumps(_clean(group.report() | {"interrupted": interrupted}), indent=1).encode(), args.report, "report"
    )
    if interrupted:
        return stopped_code()
    if fell_back:
        return exit_codes.SAVED_ELSEWHERE
    return exit_codes.DIVERGED if any(e.status == "diverged" for e in group.engines) else exit_codes.OK


def _progress(stream, total: int):
    """The one progress bar (core.progress), counting lockstep steps."""
    from .progress import ProgressBar

    bar = ProgressBar(total, label="compare", unit="lockstep it", stream=stream)

    def progress(done: int, total: int) -> bool:
        bar.update(done)
        if done >= total:
            bar.finish()
        return True

    return progress
