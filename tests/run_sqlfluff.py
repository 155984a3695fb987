"""sqlfluff's command line for `make lint` and `make sqlfix`, with the project's garbage
collector thresholds (orchestration/gc_thresholds.py): the collector took about a third of
sqlfluff's CPU, and what sqlfluff finds is the same. Its worker processes are spawned, and a
spawned process imports the parent's main module again (without running the guarded part),
so the thresholds set at the top of this module hold in them too. Run with the checkout on
PYTHONPATH (tests/orchestration would shadow the `orchestration` package).
"""

from orchestration.gc_thresholds import collect_garbage_less_often

collect_garbage_less_often()

if __name__ == "__main__":
    from sqlfluff.cli.commands import cli

    cli()
