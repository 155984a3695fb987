"""The dbt manifest the code location is built from.

It is prepared before Dagster starts (`make manifest`, part of `make setup`), as the
dagster-dbt docs recommend for deployment: `dagster-dbt project prepare-and-package --file
orchestration/dbt_manifest.py` finds DBT_PROJECT here and runs `dbt parse`. Loading the code
location only reads the file, so it loads the same however Dagster is started (`make ui`,
`.venv/bin/dagster dev` without an activated venv, a test) and does no dbt work.
"""

from pathlib import Path

from dagster_dbt.dbt_manifest import read_manifest_path

from orchestration.dbt_project import DBT_PROJECT, DBT_PROJECT_DIR

PREPARE_COMMAND = "make manifest"
# What `dbt parse` reads: a change to any of these makes the manifest out of date. Folders
# count too (their mtime changes when a file is added, removed or renamed), as in the Makefile.
PROJECT_INPUTS = ("dbt_project.yml", "models", "macros", "seeds", "tests")


class ManifestNotPrepared(RuntimeError):
    """The manifest is missing or older than the dbt project: one line, and what to run."""


def newest_project_input(project_dir: Path = DBT_PROJECT_DIR) -> tuple[float, Path]:
    """(mtime, path) of the most recently changed file or folder `dbt parse` reads."""
    inputs = [project_dir / name for name in PROJECT_INPUTS]
    inputs += [path for folder in inputs if folder.is_dir() for path in folder.rglob("*")]
    return max((path.stat().st_mtime, path) for path in inputs if path.exists())


def prepared_manifest(manifest: Path = DBT_PROJECT.manifest_path,
                      project_dir: Path = DBT_PROJECT_DIR) -> Path:
    """The prepared manifest's path; refuses a missing or out-of-date one rather than parsing:
    a code location built from an old manifest would not show the models dbt builds."""
    if not manifest.is_file():
        raise ManifestNotPrepared(
            f"dbt manifest {manifest} is missing: run `{PREPARE_COMMAND}`"
        )
    changed_at, changed = newest_project_input(project_dir)
    if changed_at > manifest.stat().st_mtime:
        raise ManifestNotPrepared(
            f"dbt manifest {manifest} is older than {changed.relative_to(project_dir.parent)}:"
            f" run `{PREPARE_COMMAND}`"
        )
    relative = relative_seed_root(manifest)
    if relative is not None:
        raise ManifestNotPrepared(
            f"dbt manifest {manifest} reads its seeds from the relative path {relative!r} (a dbt"
            " command run by hand with a relative --project-dir wrote it): remove it and"
            f" partial_parse.msgpack beside it, then run `{PREPARE_COMMAND}`"
        )
    return manifest


def relative_seed_root(manifest: Path) -> str | None:
    """A relative project folder that `manifest` records for a seed, else None. dbt finds a
    seed's CSV under the root path its parse recorded, and `dbt ... --project-dir dbt_project`
    run from the checkout records `dbt_project`: every build that resumes from that parse
    (the partial_parse.msgpack written with it) then runs in the project folder and fails to
    load its seeds ("No files found that match the pattern dbt_project/seeds/..."). Read through
    dagster-dbt's cache, so the code location reads the file once."""
    nodes = read_manifest_path(manifest.resolve())["nodes"].values()
    relative = sorted({node["root_path"] for node in nodes if node["resource_type"] == "seed"
                       and not Path(node["root_path"]).is_absolute()})
    return relative[0] if relative else None
