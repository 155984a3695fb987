"""Samples of the session's marts, for the cases that publish: the publisher copies, hashes
and exports a table the same way whatever its size, so a publication of a few rows of every
mart takes a fraction of a second and tests the same code."""

from pathlib import Path

import duckdb

from orchestration.defs.publish import GATED_MARTS
from orchestration.publish import sql_literal

MART_ROWS = 2000  # of each mart


def mart_samples(built: Path, work: Path, drop_every: int | None = None) -> Path:
    """A working database at `work` holding the first MART_ROWS rows of every gated mart of
    the working database `built` (less every `drop_every`-th row: a version that differs in
    every mart)."""
    work.parent.mkdir(parents=True, exist_ok=True)
    with duckdb.connect(str(work)) as con:
        con.execute(f"attach {sql_literal(str(built))} as built (read_only)")
        con.execute("create schema marts")
        for mart in GATED_MARTS:
            con.execute(f"create table marts.{mart} as"
                        f" select * from built.marts.{mart} limit {MART_ROWS}")
            if drop_every:
                con.execute(f"delete from marts.{mart} where rowid % {drop_every} = 0")
    return work
