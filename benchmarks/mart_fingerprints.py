"""Row count and order-independent content hash of every published mart, to show that a change
meant to be behaviour-free (a SQL reformat, a refactor) leaves the marts as they were.

    python benchmarks/mart_fingerprints.py save before.json      # after `make run`
    ... change the models, `make run` again ...
    python benchmarks/mart_fingerprints.py compare before.json   # exit 1 on any difference

Reads `warehouse/tw_resas.duckdb` (or --database) read-only; the hash is the one publication
records in meta.publication (orchestration.publish.content_hash_sql), over every table of the
`marts` schema, so a mart added or dropped shows too.
"""

import argparse
import json
import sys
from pathlib import Path

import duckdb

from orchestration.publish import content_hash_sql


def mart_fingerprints(database: Path) -> dict[str, dict[str, object]]:
    with duckdb.connect(str(database), read_only=True) as con:
        marts = [
            row[0]
            for row in con.execute(
                "select table_name from information_schema.tables"
                " where table_schema = 'marts' order by table_name"
            ).fetchall()
        ]
        fingerprints = {}
        for mart in marts:
            # mart names come from the catalogue of the file itself, quoted as identifiers
            table = f'marts."{mart}"'
            rows = con.execute(f"select count(*) from {table}").fetchone()[0]
            digest = con.execute(content_hash_sql(table)).fetchone()[0]
            fingerprints[mart] = {"rows": rows, "content_hash": digest}
    return fingerprints


def differences(before: dict, after: dict) -> list[str]:
    lines = []
    for mart in sorted(before.keys() | after.keys()):
        if mart not in after:
            lines.append(f"{mart}: missing after")
        elif mart not in before:
            lines.append(f"{mart}: new after ({after[mart]['rows']} rows)")
        elif before[mart] != after[mart]:
            lines.append(
                f"{mart}: rows {before[mart]['rows']} -> {after[mart]['rows']}, content hash "
                f"{before[mart]['content_hash']} -> {after[mart]['content_hash']}"
            )
    return lines


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("action", choices=["save", "compare"])
    parser.add_argument("fingerprint_file", type=Path)
    parser.add_argument("--database", type=Path, default=Path("warehouse/tw_resas.duckdb"))
    args = parser.parse_args()
    if not args.database.exists():
        print(f"mart_fingerprints: {args.database} does not exist; run `make run` first")
        return 2
    current = mart_fingerprints(args.database)
    if args.action == "save":
        args.fingerprint_file.write_text(json.dumps(current, indent=2, sort_keys=True) + "\n")
        print(f"{len(current)} marts, {sum(m['rows'] for m in current.values())} rows"
              f" -> {args.fingerprint_file}")
        return 0
    changed = differences(json.loads(args.fingerprint_file.read_text()), current)
    for line in changed:
        print(line)
    print(f"{len(current)} marts compared, {len(changed)} differ")
    return 1 if changed else 0


if __name__ == "__main__":
    sys.exit(main())
