"""`ganscope` command line: train headless, list presets, dump the config; no arguments opens the app."""
from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

from .animation import ExportError
from .config import ConfigError, GanConfig, describe_defaults
from .presets import preset_config, preset_description, preset_names

EXIT_USAGE = 2


class UsageError(Exception):
    """Bad arguments: reported in one line with exit code 2, nothing written."""


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="ganscope", description="Watch a small GAN learn a 2-D distribution.")
    sub = p.add_subparsers(dest="command")

    t = sub.add_parser("train", help="train headless and report")
    add_source_args(t)
    t.add_argument("--steps", type=int, default=2000, help="iterations to run (default 2000)")
    t.add_argument("--report", help="write a JSON report here")
    t.add_argument("--save", help="save the session here (.gscope)")
    t.add_argument("--quiet", action="store_true", help="no progress bar")

    x = sub.add_parser("export", help="train headless and write an animation (MP4, GIF or PNG frames)")
    add_source_args(x)
    x.add_argument("--steps", type=int, default=2000, help="iterations to train (default 2000)")
    x.add_argument("--every", type=int, default=20, help="iterations between frames (default 20)")
    x.add_argument("--out", required=True,
                   help="FILE.mp4, FILE.gif, or a name without extension for a folder of PNG frames")
    x.add_argument("--size", default="800x600", help="WIDTHxHEIGHT in pixels (default 800x600)")
    x.add_argument("--fps", type=float, default=30.0, help="frames per second of the animation (default 30)")
    x.add_argument("--layers", help="comma-separated layers to draw (default: as in the app): "
                   "surface,contour,density,real,fake,arrows,manifold,trails")
    x.add_argument("--charts", action="store_true", help="draw the metric charts beside the plane")
    x.add_argument("--spectrum", action="store_true", help="draw the game's Jacobian spectrum beside the "
                   "plane (computed every run.spectrum_every steps)")
    x.add_argument("--no-caption", action="store_true", help="no step and metrics line")
    x.add_argument("--force", action="store_true", help="overwrite the output if it exists")

    w = sub.add_parser("sweep", help="train a grid of configurations at once and map their stability")
    add_source_args(w)
    w.add_argument("--x", required=True, metavar="FIELD=LO:HI:N",
                   help="first axis, e.g. d_opt.lr=1e-5:1e-2:8 (geometric for learning rates) or FIELD=v1,v2")
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

    sub.add_parser("presets", help="list the presets, one line each")

    c = sub.add_parser("config", help="show the configuration")
    c.add_argument("--dump", action="store_true", help="print the default config as JSON")
    c.add_argument("--explain", action="store_true", help="list every field, its range and why")

    g = sub.add_parser("gui", help="open the app (the default with no command)")
    add_source_args(g)
    g.add_argument("--steps", type=int, default=0, help="train this many steps, then (with --screenshot) exit")
    g.add_argument("--screenshot", help="save a PNG of the whole window after --steps and exit")
    g.add_argument("--lesson", help="start a lesson (see `ganscope scenario`); with --screenshot, "
                   "the picture is taken at its end")
    g.add_argument("--lang", choices=("en", "zh"), help="interface and lessons in English or Chinese")
    g.add_argument("--exit-after-first-frame", action="store_true",
                   help="quit as soon as the first frame is drawn (start-up timing)")
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


def cmd_export(args) -> int:
    from .animation import check_fps, check_output
    if not 0 < args.steps <= 10_000_000:
        raise UsageError(f"--steps {args.steps}: must be between 1 and 10000000")
    if not 0 < args.every <= args.steps:
        raise UsageError(f"--every {args.every}: must be between 1 and --steps ({args.steps})")
    width, height = parse_size(args.size)
    _path, fmt = check_output(args.out, args.force)  # refuse before training, not after
    fps = check_fps(args.fps, fmt)
    engine = engine_from_args(args)
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")  # headless: no window, no display needed
    import importlib
    try:
        export = importlib.import_module("app.export")  # by name: core never imports the view
    except ImportError as exc:
        print(f"ganscope: export needs the app's views: {exc}", file=sys.stderr)
        return 1
    options = export.ExportOptions(width=width, height=height, fps=fps, every=args.every,
                                   charts=args.charts, spectrum=args.spectrum, caption=not args.no_caption,
                                   layers=export.parse_layers(args.layers))
    try:
        export.export_headless(engine, args.out, args.steps, options, force=args.force)
    except KeyboardInterrupt:
        print("\nganscope: export cancelled; nothing written", file=sys.stderr)
        return 130
    return 0 if engine.status == "ok" else 1


def cmd_sweep(args) -> int:
    from .sweep import parse_axis, run_sweep
    if not 0 < args.steps <= 10_000_000:
        raise UsageError(f"--steps {args.steps}: must be between 1 and 10000000")
    if args.session:
        raise UsageError("--session: a sweep starts every member fresh; use --preset or --config")
    check_writable(args.report, "--report")
    x, y = parse_axis(args.x), parse_axis(args.y)
    base = config_from_args(args)
    stream = sys.stderr
    tty = stream.isatty()

    shown = {"decile": -1}

    def progress(done, total):
        decile = 10 * done // total
        if not args.quiet and (tty or decile != shown["decile"]):
            shown["decile"] = decile
            bar = "#" * int(30 * done / total)
            start, end = ("\r", "") if tty else ("", "\n")
            stream.write(f"{start}sweep: [{bar:<30}] {done}/{total}{end}")
            stream.flush()
        return True
    try:
        result, _ens = run_sweep(base, x, y, args.steps, device=args.device, progress=progress)
    except KeyboardInterrupt:
        print("\nganscope: sweep cancelled; nothing written", file=sys.stderr)
        return 130
    if tty and not args.quiet:
        stream.write("\n")
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


def cmd_gui(args) -> int:
    import importlib
    try:
        # By name, at call time: core must never import the Qt view, but the CLI may hand off to it.
        run_app = importlib.import_module("app.main").run_app
    except ImportError as exc:
        print(f"ganscope: the app cannot start: {exc}. Install the GUI dependencies "
              f"(bash scripts/setup.sh --window).", file=sys.stderr)
        return 1
    return run_app(args)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        args = parser.parse_args(["gui", *argv])
    handlers = {"train": cmd_train, "export": cmd_export, "sweep": cmd_sweep, "scenario": cmd_scenario, "presets": cmd_presets, "config": cmd_config, "gui": cmd_gui}
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
