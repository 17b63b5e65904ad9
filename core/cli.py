"""The headless commands of `ganscope`: train, sweep, scenario, presets, config.

The `ganscope` script itself is app.entry, which adds the commands that need the app (gui, the
default, and export); this module never names the app.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import sys
import tempfile
from collections.abc import Callable
from typing import Any

from . import exit_codes
from .animation import ExportError
from .cli_outputs import json_default, report_bytes, session_bytes, stopped_code, write_output
from .config import ConfigError, GanConfig, describe_defaults
from .outputs import DestinationError, check_destination, check_distinct
from .presets import preset_config, preset_description, preset_names
from .safe_text import one_line, printable
from .stop_signals import Stopped, deferred, handle_signals, raise_pending, release_early, stop_requested, take_pending

EXIT_USAGE = exit_codes.BAD_INPUT
HEADLESS = ("train", "export", "sweep", "scenario", "compare")  # commands that stop cleanly on SIGINT/SIGTERM


class UsageError(Exception):
    """Bad arguments: reported in one line with exit code 2, nothing written."""


def build_parser(add_commands: Callable[[Any], None] | None = None) -> argparse.ArgumentParser:
    """The headless commands; `add_commands(subparsers)` may register more (app.entry adds the app's)."""
    p = argparse.ArgumentParser(prog="ganscope", description="Watch a small GAN learn a 2-D distribution.")
    sub = p.add_subparsers(dest="command")

    t = sub.add_parser("train", help="train headless and report")
    add_source_args(t)
    t.add_argument("--steps", type=int, default=2000, help="iterations to run (default 2000)")
    t.add_argument("--report", help="write a JSON report here")
    t.add_argument("--save", help="save the session here (.gscope)")
    t.add_argument("--quiet", action="store_true", help="no progress bar")

    w = sub.add_parser("sweep", help="train a grid of configurations at once and map their stability")
    add_source_args(w)
    w.add_argument(
        "--x",
        required=True,
        metavar="FIELD=LO:HI:N",
        help="first axis, e.g. d_opt.lr=1e-5:1e-2:8 (geometric for learning rates and penalty weights) or FIELD=v1,v2; any field that changes no shape: rates, betas, momentum, gp_weight, r1, r2, clip, instance_noise, d_opt.steps, g_opt.steps, run.seed",
    )
    w.add_argument("--y", required=True, metavar="FIELD=LO:HI:N", help="second axis, e.g. g_opt.lr=1e-5:1e-2:8")
    w.add_argument("--steps", type=int, default=2000, help="iterations per member (default 2000)")
    w.add_argument("--report", help="write the per-cell results as JSON here")
    w.add_argument(
        "--metric",
        default="modes",
        choices=("modes", "hq_share", "js", "d_loss", "g_loss"),
        help="what the printed map shows (default modes)",
    )
    w.add_argument("--quiet", action="store_true", help="no progress bar")
    w.add_argument(
        "--threads",
        type=int,
        help="cores for the members (default: every core; 1 on a busy machine); on a CPU, N > 1 splits the "
        "members across N processes of one torch thread each, with the same results as one",
    )

    sc = sub.add_parser("scenario", help="run one of the seed note's lessons headless and check its detectors")
    sc.add_argument("name", nargs="?", help="the scenario (omit to list them)")
    sc.add_argument("--seed", type=int, help="random seed (default: the scenario's)")
    sc.add_argument("--steps", type=int, help="iterations (default: the scenario's length)")
    sc.add_argument("--lang", choices=("en", "zh"), default="en", help="language of the lesson text")
    sc.add_argument("--report", help="write a JSON report here")
    sc.add_argument("--quiet", action="store_true", help="no progress bar")

    sub.add_parser("presets", help="list the presets, one line each")

    c = sub.add_parser("config", help="show the default configuration")
    shown = c.add_mutually_exclusive_group()
    shown.add_argument("--dump", action="store_true", help="print the default config as JSON (the default)")
    shown.add_argument("--explain", action="store_true", help="list every field, its default, its range and why")

    if add_commands is not None:
        add_commands(sub)  # the app's commands, from the composition root (app.entry)
    return p


def add_source_args(p: argparse.ArgumentParser) -> None:
    src = p.add_mutually_exclusive_group()
    src.add_argument("--preset", help="start from a named preset (see `ganscope presets`)")
    src.add_argument("--config", help="start from a JSON config file")
    src.add_argument("--session", help="continue a saved session (.gscope)")
    p.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="override one field, e.g. --set d_opt.lr=1e-4 (repeatable)",
    )
    p.add_argument("--seed", type=int, help="random seed (overrides the config)")
    p.add_argument("--device", choices=("cpu", "cuda", "auto"), help="where to train")


def config_from_args(args) -> GanConfig:
    """The config the source arguments describe (not for --session, which carries its own)."""
    if args.config:
        from .text_input import read_text

        text = read_text(args.config, "--config")
        try:
            cfg = GanConfig.from_json(text)
        except ConfigError as exc:
            raise ConfigError(f"--config {args.config}: {exc}") from None
    else:
        cfg = preset_config(args.preset or "ring")
    apply_overrides(cfg, args)
    return cfg


def parse_set(item: str) -> tuple[str, str]:
    """'key.path=value' from --set, split once."""
    if "=" not in item:
        raise UsageError(f"--set {item!r}: expected KEY=VALUE, e.g. d_opt.lr=1e-4")
    key, value = item.split("=", 1)
    return key.strip(), value


def apply_overrides(cfg: GanConfig, args) -> None:
    for item in args.set:
        cfg.set(*parse_set(item))
    if args.seed is not None:
        cfg.set("run.seed", args.seed)
    if args.device:
        cfg.set("run.device", args.device)
    cfg.validate()
    _warn_budget(cfg)


def _warn_budget(cfg: GanConfig) -> None:
    from .budget import check_budget

    for warning in check_budget(cfg):  # too big is refused by validate(); large is said here
        print(f"ganscope: warning: {warning}", file=sys.stderr)


def engine_from_args(args):
    from .engine import GanEngine
    from .session import load_session

    if getattr(args, "session", None):
        if args.seed is not None:
            raise UsageError("--seed: a session continues its own random stream; it cannot be combined with --session")
        for item in args.set:
            if parse_set(item)[0] == "run.device":
                raise UsageError("--set run.device: use --device to choose where a session runs")
        engine = load_session(args.session, device=args.device)
        for item in args.set:
            engine.update(*parse_set(item))
        _warn_budget(engine.cfg)
        return engine
    return GanEngine(config_from_args(args))


def check_writable(path: str | None, flag: str, need_bytes: float = 0) -> None:
    """Before any work: the name, the folder (a real write test) and a free-space estimate."""
    check_destination(path, flag, need_bytes)


def cmd_train(args) -> int:
    if args.steps < 0 or args.steps > 100_000_000:
        raise UsageError(f"--steps {args.steps}: must be between 0 and 100000000")
    check_distinct(("--save", args.save), ("--report", args.report))
    engine = engine_from_args(args)
    check_writable(args.report, "--report", report_bytes(engine.cfg, args.steps))
    check_writable(args.save, "--save", session_bytes(engine.cfg, args.steps))
    if args.preset and not args.session:
        from .scenarios import load_scenario, scenario_names

        if args.preset in scenario_names():  # a lesson: its script too (freeze, reset, who trains)
            load_scenario(args.preset).install(engine)
            engine.stop_at = None  # --steps decides how long
    from .training_run import run_training

    summary = run_training(engine, args.steps, progress=not args.quiet)
    print(printable(summary.text(), 20_000))
    fell_back = False
    if args.report:
        report = json.dumps(summary.report(), indent=1, default=json_default).encode()
        fell_back |= write_output(report, args.report, "report")
    if args.save:  # Ctrl-C or SIGTERM stopped training, not the saving of what was trained
        from .session import engine_state, state_to_bytes

        fell_back |= write_output(state_to_bytes(engine_state(engine)), args.save, "session")
    if summary.interrupted:
        return stopped_code()
    if fell_back:
        return exit_codes.SAVED_ELSEWHERE
    return exit_codes.for_run(engine.status)


def parse_size(text: str) -> tuple[int, int]:
    from .animation import check_size

    try:
        w, h = (int(v) for v in text.lower().split("x"))
    except ValueError:
        raise UsageError(f"--size {text!r}: expected WIDTHxHEIGHT, e.g. 800x600") from None
    return check_size(w, h)


def cmd_sweep(args) -> int:
    from .sweep import parse_axis, run_sweep

    if not 0 < args.steps <= 10_000_000:
        raise UsageError(f"--steps {args.steps}: must be between 1 and 10000000")
    if args.session:
        raise UsageError("--session: a sweep starts every member fresh; use --preset or --config")
    check_writable(args.report, "--report", 64 << 10)
    if args.threads is not None and not 0 < args.threads <= 256:
        raise UsageError(f"--threads {args.threads}: must be between 1 and 256")
    x, y = parse_axis(args.x), parse_axis(args.y)
    base = config_from_args(args)
    from .progress import ProgressBar

    bar = None if args.quiet else ProgressBar(args.steps, label="sweep")

    def progress(done, _total):
        if bar is not None:
            bar.update(done)
        return not stop_requested()  # Ctrl-C or SIGTERM: stop after this chunk, keep what was trained

    # Signals are held while the members train (a chunk is ~0.1 s) and the map is written: a sweep
    # stopped after minutes still prints and reports the map of the steps it made.
    with deferred():
        if bar is not None:  # building the members (and starting worker processes) takes seconds
            bar.update(0, "starting")
        cores = args.threads or os.cpu_count() or 1
        result, _ens = run_sweep(
            base, x, y, args.steps, device=args.device, progress=progress, threads=args.threads, processes=cores
        )
        interrupted = take_pending()  # answered here: the map below, then the signal's exit code
        if bar is not None and not interrupted:
            bar.finish()
        if interrupted:
            print(
                f"\nganscope: sweep interrupted at step {result.steps}; the map shows the steps made", file=sys.stderr
            )
        print(result.table(args.metric))
        report = result.report() | {"interrupted": interrupted}
        print(
            f"{len(result.cells)} members x {result.steps} steps in {result.seconds:.1f} s "
            f"({report['gan_iterations_per_second']:,.0f} GAN-iterations/s)"
        )
        fell_back = bool(args.report) and write_output(json.dumps(report, indent=1).encode(), args.report, "report")
    if fell_back:
        return exit_codes.SAVED_ELSEWHERE
    return stopped_code() if interrupted else exit_codes.OK


def cmd_scenario(args) -> int:
    from .scenarios import all_scenarios, load_scenario

    if not args.name:
        for s in all_scenarios():
            title, _ = s.text(args.lang)
            print(f"{s.name:<26} {title}")
        return 0
    s = load_scenario(args.name)
    if args.steps is not None and not 0 < args.steps <= 10_000_000:
        raise UsageError(f"--steps {args.steps}: must be between 1 and 10000000")
    check_writable(args.report, "--report", report_bytes(s.config(args.seed), args.steps or s.steps))
    from .engine import GanEngine
    from .training_run import run_training

    engine = GanEngine(s.config(args.seed))
    s.install(engine)
    title, lesson = s.text(args.lang)
    print(title)
    print(lesson)
    print()
    summary = run_training(engine, args.steps or s.steps, progress=not args.quiet)
    print(summary.text())
    ok = all(name in summary.fired for name in s.expect)
    active = {d.name for d in engine.detections().values() if d.active}
    ok = ok and not (set(s.expect_not) & active)
    print(
        f"expected to fire: {', '.join(s.expect) or '-'}; expected inactive at the end: "
        f"{', '.join(s.expect_not) or '-'}: {'as expected' if ok else 'NOT as expected'}"
    )
    fell_back = False
    if args.report:
        report = summary.report() | {"scenario": s.name, "as_expected": ok}
        fell_back = write_output(json.dumps(report, indent=1, default=json_default).encode(), args.report, "report")
    if summary.interrupted:
        return stopped_code()
    if fell_back:
        return exit_codes.SAVED_ELSEWHERE
    return exit_codes.OK if ok else exit_codes.NOT_AS_EXPECTED


def cmd_presets(_args) -> int:
    names = preset_names()
    width = max(len(n) for n in names)
    for n in names:
        print(f"{n:<{width}}  {preset_description(n)}")
    return 0


def cmd_config(args) -> int:
    if args.explain:
        for path, default, allowed, why in describe_defaults():
            print(f"{path:<28} {json.dumps(default):<14} {allowed:<40} {why}")
    else:
        print(GanConfig().to_json())
    return 0


HANDLERS = {
    "train": cmd_train,
    "sweep": cmd_sweep,
    "scenario": cmd_scenario,
    "presets": cmd_presets,
    "config": cmd_config,
}


def main(
    argv: list[str] | None = None,
    parser: argparse.ArgumentParser | None = None,
    handlers: dict | None = None,
    default: str | None = None,
) -> int:
    """Run one command. The composition root (app.entry, the `ganscope` script) passes a parser and
    handlers with the app's commands added, and `default`, the command run when none is named."""
    argv = sys.argv[1:] if argv is None else argv
    parser = parser or build_parser()
    handlers = HANDLERS | (handlers or {})
    args = parser.parse_args(argv)
    if args.command is None:
        if default is None:
            parser.print_help(sys.stderr)
            return EXIT_USAGE
        args = parser.parse_args([default, *argv])
    if args.command not in HEADLESS:
        release_early()
        return run_command(handlers[args.command], args)
    with handle_signals():
        return run_command(handlers[args.command], args)


def run_command(handler, args) -> int:
    """Run one command; every outcome becomes one line on stderr and an exit code (exit_codes)."""
    try:  # nothing before this line may import torch: a signal during that import must land here
        raise_pending()  # Ctrl-C while the modules imported: stop now, nothing started
        return handler(args)
    except (UsageError, ConfigError, ExportError, DestinationError) as exc:
        print(f"ganscope: error: {one_line(exc, 2000)}", file=sys.stderr)
        return EXIT_USAGE
    except Stopped as exc:  # before or after the stoppable loops: nothing was written
        print(f"ganscope: stopped by {signal.Signals(exc.signum).name}; nothing written", file=sys.stderr)
        return exit_codes.for_signal(exc.signum)
    except KeyboardInterrupt:
        print("\nganscope: interrupted; nothing written", file=sys.stderr)
        return exit_codes.INTERRUPTED
    except BrokenPipeError:  # `ganscope presets | head -2`: the reader left; not an error
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return exit_codes.OK
    except Exception as exc:  # a bug: one line here, the traceback in a file to report
        session = sys.modules.get(f"{__package__}.session")  # loaded if it raised SessionError
        if session is not None and isinstance(exc, session.SessionError):
            print(f"ganscope: error: {one_line(exc, 2000)}", file=sys.stderr)
            return EXIT_USAGE
        import traceback

        fd, log = tempfile.mkstemp(prefix="ganscope-error-", suffix=".txt")
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            traceback.print_exc(file=fh)
        print(
            f"ganscope: internal error: {type(exc).__name__}: {one_line(exc, 300)} (a bug; the "
            f"traceback is in {log}, please report it)",
            file=sys.stderr,
        )
        return exit_codes.INTERNAL_ERROR


if __name__ == "__main__":
    sys.exit(main())
