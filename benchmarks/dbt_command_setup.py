"""What orchestration.dbt_project.DbtCli saves before each dbt command against dagster-dbt's
DbtCliResource: its `dbt --version` process and its dbt adapter in Dagster's process.

    python benchmarks/dbt_command_setup.py [--repeat K]

Times, K times alternating, what each resource does before it starts dbt that the two differ
in (the version, then the adapter; a fresh resource each time, as each run gets one); the
fastest of each counts. Prints seconds both ways, and checks that both give the same version.
"""

import argparse
import os
import time

from dagster_dbt import DbtCliResource
from dagster_dbt.core.resource import pushd

from orchestration.dbt_project import DBT_PROJECT, DbtCli, dbt_build_args, dbt_executable
from sources.settings import PROJECT_ROOT


def setup_seconds(resource_class) -> tuple[float, str]:
    resource = resource_class(project_dir=DBT_PROJECT, dbt_executable=dbt_executable())
    start = time.perf_counter()
    cli_version = resource._cli_version
    with pushd(str(DBT_PROJECT.project_dir)):
        resource._initialize_dbt_core_adapter(dbt_build_args("duckdb"))
    return time.perf_counter() - start, str(cli_version)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    os.environ.setdefault("TWRESAS_HOME", str(PROJECT_ROOT))  # the profile's path
    library = ours = float("inf")
    for _ in range(args.repeat):  # alternating, so both see the same machine
        seconds, library_version = setup_seconds(DbtCliResource)
        library = min(library, seconds)
        seconds, our_version = setup_seconds(DbtCli)
        ours = min(ours, seconds)
    if library_version != our_version:
        raise SystemExit(f"DbtCli says dbt {our_version}, `dbt --version` says {library_version}")
    print(f"before each dbt command: DbtCliResource {library:.2f} s, DbtCli {ours:.3f} s "
          f"(dbt {our_version})")


if __name__ == "__main__":
    main()
