"""What reading text columns as pandas categoricals (expectations.gate.gate_frame) saves the GX
gates over Arrow-backed strings, on the marts of the last `make run`.

    python benchmarks/gate_frames.py [--database warehouse/work.duckdb] [--repeat K]

Reads every gated mart from the working database, read-only, and validates it with its suite
both ways, K times alternating, in one process (the gate step uses two); the fastest of each
counts (shared machines are noisy). Prints rows, seconds both ways and their ratio per mart,
and checks that both ways judge every expectation alike (success, unexpected count, sample).
"""

import argparse
import tempfile
import time
from pathlib import Path

import duckdb
import pandas as pd

from expectations.gate import GateRun, gate_frame
from expectations.suites import MartGate, all_gates


def with_arrow_strings(frame: pd.DataFrame) -> pd.DataFrame:
    """The gate's frame with its categoricals back as pandas' default (Arrow) strings."""
    return frame.assign(**{name: frame[name].astype("str") for name in frame.columns
                           if isinstance(frame[name].dtype, pd.CategoricalDtype)})


def validate(run: GateRun, gate: MartGate, frame: pd.DataFrame) -> tuple[float, list]:
    start = time.perf_counter()
    result = run.validate(gate.mart, frame, gate.suite(frame.dtypes), key=gate.key)
    elapsed = time.perf_counter() - start
    return elapsed, [(o.expectation, o.column, o.success, o.unexpected_count,
                      sorted(map(str, o.unexpected_sample))) for o in result.outcomes]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", type=Path, default=Path("warehouse/work.duckdb"))
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    # the validations' GX project (results, Data Docs) is the benchmark's own, removed after it
    with tempfile.TemporaryDirectory(prefix="tw_resas-gate-bench-") as gx_root:
        compare(GateRun(Path(gx_root), run_name="bench"), args.database, args.repeat)


def compare(run: GateRun, database: Path, repeat: int) -> None:
    print(f"{'mart':38s} {'rows':>9s} {'strings':>8s} {'categories':>10s} {'ratio':>6s}")
    total_strings = total_categories = 0.0
    for mart, gate in all_gates().items():
        with duckdb.connect(str(database), read_only=True) as con:
            categories = gate_frame(con.sql(f"select * from marts.{mart}").to_arrow_table())
        strings = with_arrow_strings(categories)
        best_strings = best_categories = float("inf")
        for _ in range(repeat):  # alternating, so both see the same machine
            seconds, judged_strings = validate(run, gate, strings)
            best_strings = min(best_strings, seconds)
            seconds, judged_categories = validate(run, gate, categories)
            best_categories = min(best_categories, seconds)
        if judged_strings != judged_categories:
            raise SystemExit(f"{mart}: the gate judges categoricals differently from strings")
        total_strings += best_strings
        total_categories += best_categories
        print(f"{mart:38s} {len(categories):9d} {best_strings:8.2f} {best_categories:10.2f} "
              f"{best_strings / best_categories:5.1f}x")
    print(f"{'all':38s} {'':9s} {total_strings:8.2f} {total_categories:10.2f} "
          f"{total_strings / total_categories:5.1f}x")


if __name__ == "__main__":
    main()
