"""Benchmarks; each prints JSON with a baseline measured in the same run (docs/benchmarks.md)."""


def cpu_name() -> str:
    """The processor's model name, for naming the machine in a benchmark's JSON."""
    import platform

    try:
        with open("/proc/cpuinfo") as fh:
            return next(
                (line.split(":", 1)[1].strip() for line in fh if line.startswith("model name")), platform.processor()
            )
    except OSError:
        return platform.processor()
