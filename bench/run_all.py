"""Run every benchmark in bench/ and write one table: figure, value, same-run baseline, ratio.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/fieldbench .venv/bin/python bench/run_all.py [--quick]

Each script prints `RESULT` lines (bench/_report.py); this collects them into bench/RESULTS.md
with the machine they ran on. A script that fails is reported as failed, not skipped silently.
"""

from __future__ import annotations

import argparse
import os
import platform
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

BENCH = Path(__file__).resolve().parent


def machine() -> str:
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = ""
    try:
        kb = int(Path("/proc/meminfo").read_text().split()[1])
        memory = f", {kb / 1024 / 1024:.0f} GiB RAM"
    except (OSError, ValueError, IndexError):
        pass
    return f"{os.cpu_count()} cores ({cpu}){memory}, {platform.system()} {platform.release()}, Python {platform.python_version()}"


def number(text: str) -> str:
    value = float(text)
    return f"{value:,.0f}" if abs(value) >= 100 else f"{value:,.3g}"


def load_section(output: Path) -> str:
    """The "load" section load/run.py wrote (`make load`), kept when the table is rewritten."""
    text = output.read_text() if output.exists() else ""
    begin, end = "<!-- load:begin -->", "<!-- load:end -->"
    if begin not in text or end not in text:
        return ""
    return "\n" + begin + text.split(begin, 1)[1].split(end, 1)[0] + end + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="pass --quick to every script")
    parser.add_argument("--output", default=str(BENCH / "RESULTS.md"))
    args = parser.parse_args()
    scripts = sorted(
        p for p in BENCH.glob("*.py") if not p.name.startswith("_") and p.name != "run_all.py"
    )
    rows: list[list[str]] = []
    failures: list[str] = []
    for script in scripts:
        command = [sys.executable, str(script), *(["--quick"] if args.quick else [])]
        print(f"== {script.name}", flush=True)
        started = time.perf_counter()
        completed = subprocess.run(command, capture_output=True, text=True, check=False)
        print(completed.stdout, end="")
        if completed.returncode != 0:
            print(completed.stderr[-3000:], file=sys.stderr)
            failures.append(script.name)
            rows.append([script.name, "FAILED", "", "", ""])
            continue
        for line in completed.stdout.splitlines():
            if line.startswith("RESULT\t"):
                _, figure, value, unit, baseline, ratio = (line.split("\t") + [""] * 6)[:6]
                rows.append(
                    [
                        script.name,
                        figure,
                        f"{number(value)} {unit}",
                        baseline and f"{number(baseline)} {unit}",
                        ratio,
                    ]
                )
        print(f"   ({time.perf_counter() - started:.0f} s)", flush=True)

    table = [
        "| script | figure | value | same-run baseline | ratio |",
        "| --- | --- | --- | --- | --- |",
    ]
    table += ["| " + " | ".join(row) + " |" for row in rows]
    header = (
        f"Benchmarks run {datetime.now(UTC):%Y-%m-%d %H:%M} UTC{' (--quick)' if args.quick else ''} "
        f"on {machine()}."
    )
    report = header + "\n\n" + "\n".join(table) + "\n"
    Path(args.output).write_text(report + load_section(Path(args.output)))
    print("\n" + report)
    return 1 if failures else 0


if __name__ == "__main__":
    raise SystemExit(main())
