"""What a run shows on the console while it builds: a line per finished step, except for the
phases of hundreds of nodes (dbt models, dbt tests, GX gates), which get one line each with
counts. dbt's line per node goes whole to a log file that the console names."""

import contextlib
from collections import Counter
from pathlib import Path

import dagster as dg


def dbt_log_path(logs_dir: Path, run_id: str) -> Path:
    """Everything dbt printed in a run: its line per model, seed and test."""
    return logs_dir / f"{run_id}.dbt.log"


@contextlib.contextmanager
def dbt_output_to(path: Path):
    """dagster-dbt writes each dbt event to sys.stdout: into `path` instead, while it runs."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a", encoding="utf-8") as log, contextlib.redirect_stdout(log):
        yield


# dbt's node statuses in run_results.json
_FAILED = ("error", "fail", "runtime error")
_MODEL_KINDS = {"model": "models", "seed": "seeds", "snapshot": "snapshots"}
_TEST_KINDS = {"test": "data tests", "unit_test": "unit tests"}


def dbt_phase_lines(run_results: dict) -> list[str]:
    """'dbt models: 115 of 115 built (107 models, 8 seeds)' and 'dbt tests: 648 of 648 passed
    (637 data tests, 11 unit tests)', with what failed by name, from dbt's run_results.json."""
    return [
        _phase_line(run_results, "dbt models", "built", "success", _MODEL_KINDS),
        _phase_line(run_results, "dbt tests", "passed", "pass", _TEST_KINDS),
    ]


def _phase_line(run_results: dict, phase: str, done: str, done_status: str,
                kinds: dict[str, str]) -> str:
    nodes = [(result["unique_id"].split(".", 1)[0], result) for result in run_results["results"]]
    nodes = [(kind, result) for kind, result in nodes if kind in kinds]
    by_kind = Counter(kind for kind, _ in nodes)
    statuses = Counter(result["status"] for _, result in nodes)
    failed = [result["unique_id"].split(".", 2)[-1] for _, result in nodes
              if result["status"] in _FAILED]
    line = (f"  {phase}: {statuses[done_status]} of {len(nodes)} {done} ("
            + ", ".join(f"{by_kind[kind]} {name}" for kind, name in kinds.items()
                        if by_kind[kind]) + ")")
    if statuses["warn"]:
        line += f", {statuses['warn']} warned"
    if failed:
        line += f", {len(failed)} failed ({', '.join(failed)})"
    if statuses["skipped"]:
        line += f", {statuses['skipped']} skipped"
    return line


GATES_STEP = "gx_gates"  # the one step of every GX gate (orchestration/defs/quality.py)
_steps_done: Counter = Counter()


def step_finished(run_id: str, step: str, succeeded: bool) -> None:
    """A line per step; the gates' step has printed its own (gates_line) when it succeeds."""
    if not succeeded:
        print(f"  [!!] FAILED: {step}", flush=True)
    elif step != GATES_STEP:
        _steps_done[run_id] += 1
        print(f"  [{_steps_done[run_id]:>2}] done: {step}", flush=True)


def gates_line(passed_by_mart: dict[str, bool]) -> str:
    failed = sorted(mart for mart, passed in passed_by_mart.items() if not passed)
    line = (f"  GX gates: {len(passed_by_mart) - len(failed)} of {len(passed_by_mart)}"
            " passed")
    return line + (f", {len(failed)} failed ({', '.join(failed)})" if failed else "")


@dg.success_hook
def report_progress(context: dg.HookContext) -> None:
    step_finished(context.run_id, context.op.name, succeeded=True)


@dg.failure_hook
def report_failure(context: dg.HookContext) -> None:
    step_finished(context.run_id, context.op.name, succeeded=False)
