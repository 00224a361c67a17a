"""Wall time of the CLV fits (BG/NBD + Gamma-Gamma): Centric, and `lifetimes` for comparison.

    .venv/bin/python bench/bench_clv.py [--customers 1000000] [--lifetimes-python PATH]

Data sets: the CDNOW sample's published 39-week summary (2,357 customers), the CDNOW
master file summarised from its raw purchases (23,570 customers, calibration ending
1997-09-30), and seeded synthetic customers drawn from the BG/NBD generative process
with CDNOW-like parameters (purchase days on a daily grid, as real dated logs are).

`lifetimes` is not a dependency of Centric. If it imports here it is timed in-process;
otherwise the script looks for ``.venv-bench/bin/python`` (or ``--lifetimes-python``)
and times it there in a subprocess on the same arrays. To create that environment:

    python3.11 -m venv .venv-bench && .venv-bench/bin/pip install lifetimes
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from centric.stats import fit_bgnbd, fit_gamma_gamma, summary_from_transactions  # noqa: E402
from tests.stats import cdnow  # noqa: E402
from tests.stats.simulate import simulate_bgnbd  # noqa: E402

CDNOW_PARAMS = (0.243, 4.414, 0.793, 2.426)

# Runs inside the lifetimes environment: fits every data set in an .npz, prints JSON lines.
LIFETIMES_WORKER = r"""
import json, sys, time, warnings
import numpy as np
warnings.filterwarnings("ignore")
from lifetimes import BetaGeoFitter, GammaGammaFitter
data = np.load(sys.argv[1])
for name in json.loads(sys.argv[2]):
    x, t_x, T, z = (data[f"{name}_{k}"] for k in ("x", "t_x", "T", "z"))
    repeats = int(sys.argv[3])
    times, bg, gg = [], None, None
    for _ in range(repeats):
        start = time.perf_counter()
        bg = BetaGeoFitter().fit(x, t_x, T)
        times.append(time.perf_counter() - start)
    gg_times = []
    for _ in range(repeats):
        start = time.perf_counter()
        gg = GammaGammaFitter().fit(x[(x > 0) & (z > 0)], z[(x > 0) & (z > 0)])
        gg_times.append(time.perf_counter() - start)
    print(json.dumps({"name": name, "bgnbd_s": sorted(times)[len(times) // 2],
                      "gg_s": sorted(gg_times)[len(gg_times) // 2],
                      "bgnbd": {k: float(v) for k, v in bg.params_.items()},
                      "gg": {k: float(v) for k, v in gg.params_.items()}}), flush=True)
"""


def timed(run: Callable[..., object], args: tuple, repeats: int) -> tuple[float, object]:
    """Median wall time of ``repeats`` calls of ``run(*args)`` and the last result."""
    times, result = [], None
    for _ in range(repeats):
        start = time.perf_counter()
        result = run(*args)
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def data_sets(customers: int, day_grid: bool) -> dict[str, tuple[np.ndarray, ...]]:
    """name -> (x, t_x, T, z̄), with the time to summarise the master file printed."""
    sets: dict[str, tuple[np.ndarray, ...]] = {}
    published = cdnow.summary_with_transactions()
    sets["cdnow_sample"] = tuple(published[c].to_numpy(np.float64) for c in ("x", "t_x", "T", "zbar"))
    log = cdnow.transactions(sample=False)
    columns = (log["customer_id"].to_numpy(), log["date"].to_numpy(), log["value"].to_numpy(),
               cdnow.CALIBRATION_END)
    seconds, summary = timed(summary_from_transactions, columns, 3)
    print(f"summary_from_transactions, CDNOW master ({len(log):,} purchases -> "
          f"{summary.n_customers:,} customers): {seconds:.3f} s")  # type: ignore[attr-defined]
    sets["cdnow_master"] = (summary.frequency.astype(np.float64), summary.recency,  # type: ignore[attr-defined]
                            summary.T, summary.monetary_value)  # type: ignore[attr-defined]
    sim = simulate_bgnbd(customers, *CDNOW_PARAMS, p=6.25, q=3.74, gamma=15.44,
                         day_grid=day_grid, seed=2024)
    sets[f"synthetic_{customers}"] = (sim.frequency.astype(np.float64), sim.recency, sim.T,
                                      sim.monetary_value)
    return sets


def bench_centric(sets: dict[str, tuple[np.ndarray, ...]]) -> None:
    print("\nCentric (centric.stats)")
    for name, (x, t_x, big_t, z) in sets.items():
        repeats = 5 if x.shape[0] < 100_000 else 3
        bg_s, bg = timed(fit_bgnbd, (x, t_x, big_t), repeats)
        # Gamma-Gamma has no zero-value purchases: CDNOW master has a few $0 repeaters.
        spend = (x > 0) & (z > 0)
        if (x > 0).sum() > spend.sum():
            print(f"  ({name}: {(x > 0).sum() - spend.sum()} repeat customers with $0 mean "
                  "spend left out of both Gamma-Gamma fits)")
        gg_s, gg = timed(fit_gamma_gamma, (x[spend], z[spend]), repeats)
        print(f"  {name:>20} n={x.shape[0]:>9,}  BG/NBD {bg_s:7.3f} s  "
              f"r={bg.r:.4f} alpha={bg.alpha:.4f} a={bg.a:.4f} b={bg.b:.4f} "  # type: ignore[attr-defined]
              f"LL={bg.log_likelihood:.1f} | Gamma-Gamma {gg_s:7.3f} s "  # type: ignore[attr-defined]
              f"p={gg.p:.4f} q={gg.q:.4f} gamma={gg.gamma:.4f}")  # type: ignore[attr-defined]


def lifetimes_python(explicit: str | None) -> str | None:
    """An interpreter that can import lifetimes, or None."""
    try:
        import lifetimes  # noqa: F401

        return sys.executable
    except ImportError:
        pass
    candidate = Path(explicit) if explicit else REPO / ".venv-bench" / "bin" / "python"
    if candidate.exists():
        check = subprocess.run([str(candidate), "-c", "import lifetimes"], capture_output=True)
        if check.returncode == 0:
            return str(candidate)
    return None


def bench_lifetimes(sets: dict[str, tuple[np.ndarray, ...]], python: str | None, timeout: float) -> None:
    print("\nlifetimes 0.11 (BetaGeoFitter, GammaGammaFitter), same arrays")
    if python is None:
        print("  lifetimes is not installed (it is not a Centric dependency). To compare:\n"
              "    python3.11 -m venv .venv-bench && .venv-bench/bin/pip install lifetimes\n"
              "  then run this script again (or pass --lifetimes-python PATH).")
        return
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "sets.npz"
        arrays = {f"{name}_{key}": column for name, columns in sets.items()
                  for key, column in zip(("x", "t_x", "T", "z"), columns, strict=True)}
        np.savez(path, **arrays)
        for name, columns in sets.items():
            repeats = "5" if columns[0].shape[0] < 100_000 else "1"
            try:
                done = subprocess.run([python, "-c", LIFETIMES_WORKER, str(path), json.dumps([name]), repeats],
                                      capture_output=True, text=True, timeout=timeout)
            except subprocess.TimeoutExpired:
                print(f"  {name:>20} did not finish within {timeout:.0f} s")
                continue
            if done.returncode != 0:
                print(f"  {name:>20} failed: {done.stderr.strip().splitlines()[-1:]}")
                continue
            row = json.loads(done.stdout.strip().splitlines()[-1])
            bg, gg = row["bgnbd"], row["gg"]
            print(f"  {name:>20} n={columns[0].shape[0]:>9,}  BG/NBD {row['bgnbd_s']:7.3f} s  "
                  f"r={bg['r']:.4f} alpha={bg['alpha']:.4f} a={bg['a']:.4f} b={bg['b']:.4f} | "
                  f"Gamma-Gamma {row['gg_s']:7.3f} s p={gg['p']:.4f} q={gg['q']:.4f} gamma={gg['v']:.4f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=1_000_000)
    parser.add_argument("--lifetimes-python", default=None)
    parser.add_argument("--lifetimes-timeout", type=float, default=1800.0)
    parser.add_argument("--skip-lifetimes", action="store_true")
    parser.add_argument("--continuous-times", action="store_true",
                        help="synthetic t_x and T as continuous numbers (no repeated rows)")
    args = parser.parse_args()
    if not cdnow.available():
        sys.exit(f"CDNOW data not found in {cdnow.CDNOW_DIR}")
    sets = data_sets(args.customers, day_grid=not args.continuous_times)
    bench_centric(sets)
    if not args.skip_lifetimes:
        bench_lifetimes(sets, lifetimes_python(args.lifetimes_python), args.lifetimes_timeout)


if __name__ == "__main__":
    main()
