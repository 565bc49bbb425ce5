"""One machine-readable line per figure, collected by bench/run_all.py into the report table."""

from __future__ import annotations


def result(figure: str, value: float, unit: str, baseline: float | None = None) -> None:
    """Print `RESULT<TAB>figure<TAB>value<TAB>unit<TAB>baseline<TAB>ratio`."""
    ratio = f"{value / baseline:.3f}" if baseline else ""
    base = f"{baseline:.6g}" if baseline is not None else ""
    print(f"RESULT\t{figure}\t{value:.6g}\t{unit}\t{base}\t{ratio}", flush=True)
