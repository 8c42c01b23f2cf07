"""Run every benchmark module and print one table (Markdown).

Usage: python -m benchmarks [--sizes 0.26 1 4] [--repeat 3] [--only NAME ...] [--out FILE]
"""

from __future__ import annotations

import argparse
import datetime
import importlib
import os
import pkgutil
import platform
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def machine() -> str:
    import numpy  # loaded first, so that threadpoolctl sees its BLAS
    import skimage
    import sklearn

    try:
        from threadpoolctl import threadpool_info

        blas = ", ".join(sorted({f"{i.get('internal_api')} {i.get('version')} ({i.get('num_threads')} threads)"
                                 for i in threadpool_info() if i.get("user_api") == "blas"}))
    except Exception:
        blas = "unknown"

    return (f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, numpy {numpy.__version__}, "
            f"scikit-image {skimage.__version__}, scikit-learn {sklearn.__version__}, BLAS: {blas}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", nargs="+", type=float, default=[0.26, 1.0, 4.0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--only", nargs="*", default=None)
    parser.add_argument("--out", default=None)
    args = parser.parse_args()
    names = sorted(m.name for m in pkgutil.iter_modules([str(Path(__file__).parent)]) if m.name.startswith("bench_"))
    if args.only:
        names = [n for n in names if any(o in n for o in args.only)]
    lines = [f"# Benchmark results — {datetime.date.today().isoformat()}", "", f"Machine: {machine()}", "",
             f"Command: `python -m benchmarks {' '.join(sys.argv[1:])}`".replace("  ", " "), "",
             "| technique | variant | MP | median s | ratio (tutorial/core) | peak MB | quality |",
             "|---|---|---:|---:|---:|---:|---|"]
    print("\n".join(lines), flush=True)
    for name in names:
        module = importlib.import_module(f"benchmarks.{name}")
        for mp in args.sizes:
            try:
                rows = module.run(mp, repeat=args.repeat)
            except Exception as err:
                line = f"| {name} | error | {mp} | | | | {type(err).__name__}: {err} |"
                print(line, flush=True)
                lines.append(line)
                continue
            core_s = {r["technique"]: r["seconds"] for r in rows if r["variant"] == "core"}
            for r in rows:
                ratio = ""
                if r["variant"] == "tutorial" and core_s.get(r["technique"]):
                    ratio = f"{r['seconds'] / core_s[r['technique']]:.1f}×"
                q = r.get("quality")
                quality = f"{r.get('quality_name', '')} {q:.4g}" if isinstance(q, (int, float)) else str(q or "")
                line = (f"| {r['technique']} | {r['variant']} | {r['megapixels']:.2f} | {r['seconds']:.3f} | {ratio} | "
                        f"{r['peak_mb']:.0f} | {quality} |")
                print(line, flush=True)
                lines.append(line)
    if args.out:
        Path(args.out).write_text("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
