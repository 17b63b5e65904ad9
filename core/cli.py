"""The headless commands of `ganscope`: train, sweep, scenario, presets, config.

The `ganscope` script itself is app.entry, which adds the commands that need the app (gui, the
default, and export); this module never names the app.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path
from typing import Any, Callable

from .animation import ExportError
from .config import ConfigError, GanConfig, describe_defaults
from .presets import preset_config, preset_description, preset_names

EXIT_USAGE = 2


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
    w.add_argument("--x", required=True, metavar="FIELD=LO:HI:N",
                   help="first axis, e.g. d_opt.lr=1e-5:1e-2:8 (geometric for learning rates and penalty weights) or FIELD=v1,v2; any field that changes no shape: rates, betas, momentum, gp_weight, r1, r2, clip, instance_noise, d_opt.steps, g_opt.steps, run.seed")
    w.add_argument("--y", required=True, metavar="FIELD=LO:HI:N", help="second axis, e.g. g_opt.lr=1e-5:1e-2:8")
    w.add_argument("--steps", type=int, default=2000, help="iterations per member (default 2000)")
    w.add_argument("--report", help="write the per-cell results as JSON here")
    w.add_argument("--metric", default="modes", choices=("modes", "hq_share", "js", "d_loss", "g_loss"),
                   help="what the printed map shows (default modes)")
    w.add_argument("--quiet", action="store_true", help="no progress bar")

    sc = sub.add_parser("scenario", help="run one of the seed note's lessons headless and check its detectors")
    sc.add_argument("name", nargs="?", help="the scenario (omit to list them)")
    sc.add_argument("--seed", type=int, help="random seed (default: the scenario's)")
    sc.add_argument("--steps", type=int, help="iterations (default: the scenario's length)")
    sc.add_argument("--lang", choices=("en", "zh"), default="en", help="language of the lesson text")
    sc.add_argument("--report", help="write a JSON report here")
    sc.add_argument("--quiet", action="store_true", help="no progress bar")

    from .compare import add_compare_parser
    add_compare_parser(sub)

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
    p.add_argument("--set", action="append", default=[], metavar="KEY=VALUE",
                   help="override one field, e.g. --set d_opt.lr=1e-4 (repeatable)")
    p.add_argument("--seed", type=int, help="random seed (overrides the config)")
    p.add_argument("--device", choices=("cpu", "cuda", "auto"), help="where to train")


def config_from_args(args) -> GanConfig:
    """The config the source arguments describe (not for --session, which carries its own)."""
    if args.config:
        path = Path(args.config)
        if not path.is_file():
            raise UsageError(f"--config {path}: no such file")
        cfg = GanConfig.from_json(path.read_text(encoding="utf-8"))
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


def engine_from_args(args):
    from .engine import GanEngine
    from .session import load_session

    if getattr(args, "session", None):
        engine = load_session(args.session, device=args.device)
        for item in args.set:
            engine.update(*parse_set(item))
        return engine
    return GanEngine(config_from_args(args))


def check_writable(path: str | None, flag: str) -> None:
    if not path:
        return
    parent = Path(path).resolve().parent
    if not parent.is_dir():
        raise UsageError(f"{flag} {path}: directory {parent} does not exist")
    if not os.access(parent, os.W_OK):
        raise UsageError(f"{flag} {path}: directory {parent} is not writable")
    if Path(path).is_dir():
        raise UsageError(f"{flag} {path}: is a directory")


def cmd_train(args) -> int:
    if args.steps < 0 or args.steps > 100_000_000:
        raise UsageError(f"--steps {args.steps}: must be between 0 and 100000000")
    check_writable(args.report, "--report")
    check_writable(args.save, "--save")
    engine = engine_from_args(args)
    if args.preset and not args.session:
        from .scenarios import scenario_names, load_scenario
        if args.preset in scenario_names():  # a lesson: its script too (freeze, reset, who trains)
            load_scenario(args.preset).install(engine)
            engine.stop_at = None  # --steps decides how long
    from .training_run import run_training
    summary = run_training(engine, args.steps, progress=not args.quiet)
    print(summary.text())
    if args.report:
        from .session import atomic_write_bytes
        atomic_write_bytes(args.report, json.dumps(summary.report(), indent=1, default=_json_default).encode())
        print(f"report written to {args.report}")
    if args.save:
        from .session import save_session
        save_session(engine, args.save)
        print(f"session saved to {args.save}")
    return 0 if engine.status == "ok" else 1


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
    check_writable(args.report, "--report")
    x, y = parse_axis(args.x), parse_axis(args.y)
    base = config_from_args(args)
    from .progress import ProgressBar
    bar = None if args.quiet else ProgressBar(args.steps, label="sweep")

    def progress(done, _total):
        if bar is not None:
            bar.update(done)
        return True
    try:
        result, _ens = run_sweep(base, x, y, args.steps, device=args.device, progress=progress)
    except KeyboardInterrupt:
        print("\nganscope: sweep cancelled; nothing written", file=sys.stderr)
        return 130
    if bar is not None:
        bar.finish()
    print(result.table(args.metric))
    rate = result.report()["gan_iterations_per_second"]
    print(f"{len(result.cells)} members x {result.steps} steps in {result.seconds:.1f} s "
          f"({rate:,.0f} GAN-iterations/s)")
    if args.report:
        from .session import atomic_write_bytes
        atomic_write_bytes(args.report, json.dumps(result.report(), indent=1).encode())
        print(f"report written to {args.report}")
    return 0


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
    check_writable(args.report, "--report")
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
    print(f"expected to fire: {', '.join(s.expect) or '-'}; expected inactive at the end: "
          f"{', '.join(s.expect_not) or '-'}: {'as expected' if ok else 'NOT as expected'}")
    if args.report:
        from .session import atomic_write_bytes
        report = summary.report() | {"scenario": s.name, "as_expected": ok}
        atomic_write_bytes(args.report, json.dumps(report, indent=1, default=_json_default).encode())
    return 0 if ok else 1


def _json_default(v):
    if hasattr(v, "tolist"):
        return v.tolist()
    raise TypeError(type(v).__name__)


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


def cmd_compare(args) -> int:
    from .compare import cmd_compare as run
    return run(args)


HANDLERS = {"compare": cmd_compare, "train": cmd_train, "sweep": cmd_sweep, "scenario": cmd_scenario, "presets": cmd_presets,
            "config": cmd_config}


def main(argv: list[str] | None = None, parser: argparse.ArgumentParser | None = None,
         handlers: dict | None = None, default: str | None = None) -> int:
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
    try:
        return handlers[args.command](args)
    except (UsageError, ConfigError, ExportError) as exc:
        print(f"ganscope: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except Exception as exc:  # session errors and friends: one clear line, no traceback
        from .session import SessionError
        if isinstance(exc, SessionError):
            print(f"ganscope: error: {exc}", file=sys.stderr)
            return EXIT_USAGE
        raise


if __name__ == "__main__":
    sys.exit(main())
