"""Security: readers cannot write the published file; nothing extracted from an archive leaves
its directory (see also test_faults_archives.py); SQL is never assembled from values read from
source files; no secrets in the repository."""

import ast
import hashlib
import io
import re
import subprocess
import zipfile
from pathlib import Path

import duckdb
import invariants as inv
import pytest

from sources import real_estate
from sources.real_estate import ReleaseOrigin
from sources.settings import PROJECT_ROOT, SNAPSHOT_DIR

# Where the zip came from, as a caller records it in the files table (not read by these tests)
ORIGIN = ReleaseOrigin(raw_sha256="0" * 64, url="https://plvr.land.moi.gov.tw/test",
                       is_synthetic=False, coverage="season")

pytestmark = pytest.mark.faults

CODE_DIRS = ("sources", "orchestration")

# Every value interpolated into an f-string of SQL in sources/ and orchestration/, reviewed:
# each is an identifier or path fixed by code, never a value read from a source file. Values
# from data go in as bound parameters (?); identifiers from data (CSV headers) only through
# `_ident`, which quotes them. A new interpolation fails the test until it is reviewed here.
REVIEWED = {
    ("orchestration/audit.py", "table"): "raw table names from the catalog, made from source ids",
    ("orchestration/defs/quality.py", "mart"): "MartGate names in expectations/suites",
    ("orchestration/raw.py", "table or source.id"): "source id (snake_case, checked) or a name "
                                                    "in code",
    ("orchestration/raw.py", "table"): "raw.<source id>, a name in code",
    ("orchestration/raw.py", "column"): "the partition column a raw asset names in code",
    ("orchestration/raw.py", "rows_sql"): "select * of raw.<table> (a name in code), filtered "
                                          "on the partition column a raw asset names in code",
    ("orchestration/defs/tourism.py", "SOURCE.id"): "the tourism source's id, in code",
    ("orchestration/defs/real_estate.py", "files"): "raw.<source id>_files of a 實價登錄 source "
                                                    "in code",
    ("orchestration/publish.py", "table"): "marts.<mart>, mart names from expectations/suites",
    ("orchestration/publish.py", "mart"): "mart names from expectations/suites",
    ("orchestration/publish.py", "mart.name"): "mart names from expectations/suites",
    ("orchestration/publish.py", "column"): "a mart column (information_schema) that dbt "
                                            "documents",
    ("sources/real_estate.py", "', '.join(columns)"): "column definitions quoted by _ident",
    ("sources/real_estate.py", "target"): "column list quoted by _ident",
    ("sources/real_estate.py", "select"): "positional column names c0..cN made in code",
    ("sources/real_estate.py", "spare"): "positional column name made in code",
    ("sources/real_estate.py", "last"): "positional column name made in code",
    ("sources/real_estate.py", "width"): "an int: the number of known columns, from code",
    ("sources/real_estate.py", "', '.join(fields)"): "positional column names c0..cN made in "
                                                     "code",
    ("sources/real_estate.py", "surplus"): "positional column names made in code",
    ("sources/real_estate.py", "definitions"): "known column names quoted by _ident, types from "
                                               "code",
    ("sources/real_estate.py", "sql_type"): "a DuckDB type from META_COLUMNS, FILES_COLUMNS or "
                                            "VARCHAR, in code",
    ("orchestration/atlas/data.py", "table"): "a mart name written in code",
    ("orchestration/dbt_project.py", "mart"): "mart names from the dbt manifest (model files)",
    ("orchestration/spark_check.py", "mart"): "meta.publication of the published file, which "
                                              "publish.py fills with mart names from "
                                              "expectations/suites",
    ("orchestration/spark_check.py", "side"): "duckdb_side or spark_side, names in code",
    ("orchestration/spark_check.py", "view"): "duckdb_side or spark_side, names in code",
    ("orchestration/spark_check.py", "one"): "duckdb_side_rows or spark_side_rows, in code",
    ("orchestration/spark_check.py", "other"): "duckdb_side_rows or spark_side_rows, in code",
    ("orchestration/spark_check.py", "row_hash(texts)"): "md5 of normalised() columns: names "
                                                         "from describe, double-quoted",
    ("orchestration/spark_check.py", "row_hash(exact)"): "md5 of normalised() columns: names "
                                                         "from describe, double-quoted",
    ("orchestration/spark_check.py", "close"): "comparisons of the float columns (describe), "
                                               "double-quoted, and a float constant",
}
# Calls whose result may be interpolated: identifier quoting and SQL built by reviewed code.
SAFE_CALLS = {"_ident", "content_hash_sql", "sql_literal"}
# Inside a quoted SQL literal ('...{x}...') no value from data may appear, reviewed:
# Paths (TWRESAS_HOME may hold a quote) go in through sql_literal, never between quotes.
REVIEWED_LITERALS = {
    ("sources/real_estate.py", "limit"): "an int (bytes) computed in code",
    ("sources/real_estate.py", "current"): "DuckDB's own memory_limit setting, read back",
}
SQL_START = re.compile(
    r"^\s*(select|insert|create|attach|detach|copy|delete|alter|drop|describe|update|with"
    r"|set|reset|pragma)\b",
    re.IGNORECASE,
)
SQL_CALLS = {"execute", "executemany", "sql", "query"}


def sql_interpolations(source: str) -> list[tuple[int, str, bool]]:
    """(line, expression, inside a quoted literal) of every value interpolated into an
    f-string that is SQL: passed to execute()/sql()/..., or starting with a SQL keyword."""
    tree = ast.parse(source)
    sql_args = {
        id(call.args[0]) for call in ast.walk(tree)
        if isinstance(call, ast.Call) and isinstance(call.func, ast.Attribute)
        and call.func.attr in SQL_CALLS and call.args
    }
    found = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.JoinedStr):
            continue
        literal = "".join(v.value for v in node.values if isinstance(v, ast.Constant))
        if id(node) not in sql_args and not SQL_START.search(literal):
            continue
        text_before = ""
        for value in node.values:
            if isinstance(value, ast.Constant):
                text_before += value.value
            else:
                quoted = text_before.count("'") % 2 == 1
                found.append((node.lineno, ast.unparse(value.value), quoted))
    return found


def unreviewed(path: str, source: str) -> list[str]:
    problems = []
    for line, expression, quoted in sql_interpolations(source):
        call = re.match(r"(\w+)\(", expression)
        if quoted:
            if (path, expression) not in REVIEWED_LITERALS:
                problems.append(f"{path}:{line}: '{{{expression}}}' puts a value in a SQL literal")
        elif call and call.group(1) in SAFE_CALLS:
            continue
        elif re.fullmatch(r"[A-Z][A-Z0-9_]*", expression):
            continue  # a constant of the code
        elif (path, expression) not in REVIEWED:
            problems.append(f"{path}:{line}: {{{expression}}} in SQL is not reviewed")
    return problems


def code_files():
    for folder in CODE_DIRS:
        for path in sorted((PROJECT_ROOT / folder).rglob("*.py")):
            yield str(path.relative_to(PROJECT_ROOT)), path.read_text(encoding="utf-8")


def test_no_sql_is_assembled_from_values_read_from_data(case):
    problems = [p for path, source in code_files() for p in unreviewed(path, source)]
    assert problems == [], "\n".join(problems)
    case.checked.append("SQL interpolations reviewed")


def test_the_sql_audit_catches_values_from_data():
    """The audit is not a tautology: interpolating what a file carries is caught."""
    leaky = '''
def load(con, row, frame, path):
    con.execute(f"select * from raw.t where name = '{row['name']}'")
    con.execute(f"insert into t values ({frame.iloc[0, 0]})")
    sql = f"delete from {row['table']} where x = 1"
    con.execute(f"copy t to '{path}'")
'''
    problems = unreviewed("sources/leaky.py", leaky)
    assert len(problems) == 4, problems
    safe = '''
def load(con, column):
    con.execute(f"alter table {_ident('t')} add column {_ident(column)} varchar")
    con.execute(f"create schema if not exists {RAW_SCHEMA}")
'''
    assert unreviewed("sources/safe.py", safe) == []


def test_hostile_names_and_values_in_a_source_file_stay_data(tmp_path, case):
    """A CSV header and a field written as SQL: loaded as one column and one value, nothing
    executed (the loader quotes identifiers from the header and binds values)."""
    season = (SNAPSHOT_DIR / "lvr_land" / "lvr_landcsv_115S1.zip").read_bytes()
    member = zipfile.ZipFile(io.BytesIO(season)).read("a_lvr_land_a.csv").decode("utf-8")
    lines = member.split("\r\n")
    hostile_column = 'x" varchar); drop table lvr_sales; --'
    hostile_value = "'); drop table lvr_sales; --"
    lines[0] += f',"{hostile_column.replace(chr(34), chr(34) * 2)}"'
    lines[1] += ",note"
    lines[2:-1] = [line + f',"{hostile_value}"' for line in lines[2:-1]]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        zf.writestr("a_lvr_land_a.csv", "\r\n".join(lines).encode("utf-8"))
    archive = tmp_path / "season.zip"
    archive.write_bytes(buffer.getvalue())
    with duckdb.connect() as con:
        real_estate.load_season(con, archive, "115S1", "lvr_sales", origin=ORIGIN)
        rows = con.execute(
            f"select count(*), count(*) filter (where {real_estate._ident(hostile_column)} = ?)"
            " from lvr_sales", [hostile_value]
        ).fetchone()
    assert rows == (79, 79)
    case.checked.append("hostile names stay data")


def test_published_file_opened_read_only_rejects_writes(home, case):
    published = home / "warehouse" / "tw_resas.duckdb"
    before = inv.publication(home)
    writes = [
        "create table marts.intruder (x int)",
        "insert into marts.dim_region (region_code) values ('X')",
        "update meta.publication set content_hash = 'forged'",
        "delete from marts.fct_indicator_value",
        "drop table marts.dim_indicator",
        "alter table marts.dim_region add column forged int",
    ]
    for statement in writes:
        with duckdb.connect(str(published), read_only=True) as con:
            with pytest.raises(duckdb.Error, match="read-only"):
                con.execute(statement)
    inv.published_unchanged(case, home, before)
    assert hashlib.sha256(published.read_bytes()).hexdigest() == before.sha256


def test_the_code_opens_the_published_file_read_only():
    """Every duckdb.connect on the published database in the code passes read_only=True."""
    opened = []
    for path, source in code_files():
        for call in ast.walk(ast.parse(source)):
            if (isinstance(call, ast.Call) and ast.unparse(call.func) == "duckdb.connect"
                    and call.args and "published" in ast.unparse(call.args[0])):
                read_only = [k for k in call.keywords if k.arg == "read_only"]
                assert read_only and ast.unparse(read_only[0].value) == "True", path
                opened.append(path)
    assert opened, "the CLI summary reads the published file: the audit found no call"


SECRET_PATTERNS = {
    "private key": re.compile(r"-----BEGIN (RSA |EC |DSA |OPENSSH |PGP |ENCRYPTED )?PRIVATE KEY"),
    "AWS access key id": re.compile(r"\b(AKIA|ASIA)[0-9A-Z]{16}\b"),
    "GitHub token": re.compile(r"\b(gh[pousr]_[A-Za-z0-9]{36,}|github_pat_[A-Za-z0-9_]{40,})"),
    "Slack token": re.compile(r"\bxox[abposr]-[A-Za-z0-9-]{10,}"),
    "Google API key": re.compile(r"\bAIza[0-9A-Za-z_\-]{35}\b"),
    "JWT": re.compile(r"\beyJ[A-Za-z0-9_-]{10,}\.eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}"),
    "secret assigned in code": re.compile(
        r"(?i)\b(api[_-]?key|secret|token|passw(or)?d)\b[\"']?\s*[:=]\s*[\"'][^\"'\s]{12,}[\"']"
    ),
}


# Text every match of a pattern contains (lowercased): a pattern runs only on a file that
# holds one, as each regex scan of the 15 MB of bundled snapshots takes 0.6 s.
SECRET_HINTS = {
    "private key": ("private key",),
    "AWS access key id": ("akia", "asia"),
    "GitHub token": ("ghp_", "gho_", "ghu_", "ghs_", "ghr_", "github_pat_"),
    "Slack token": ("xox",),
    "Google API key": ("aiza",),
    "JWT": ("eyj",),
    "secret assigned in code": ("api", "secret", "token", "passw"),
}


def secrets_in(text: str) -> list[str]:
    lowered = text.lower()
    return [name for name, pattern in SECRET_PATTERNS.items()
            if any(hint in lowered for hint in SECRET_HINTS[name]) and pattern.search(text)]


def repository_files() -> list[Path]:
    """Tracked files, and new ones not ignored (not yet committed, but about to be)."""
    listed = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard", "-z"],
        cwd=PROJECT_ROOT, capture_output=True, check=True,
    ).stdout.decode().split("\0")
    return [PROJECT_ROOT / name for name in listed if name and (PROJECT_ROOT / name).is_file()]


def test_no_secrets_in_the_repository(case):
    files = repository_files()
    assert any(f.name == "pyproject.toml" for f in files)
    found = []
    for path in files:
        data = path.read_bytes()
        if b"\0" in data[:8192]:
            continue  # binary (zip snapshots)
        for name in secrets_in(data.decode("utf-8", errors="replace")):
            found.append(f"{path.relative_to(PROJECT_ROOT)}: {name}")
    assert found == [], found
    case.checked.append("no secrets")


def test_the_secret_scan_finds_planted_secrets():
    planted = [
        "-----BEGIN " + "OPENSSH PRIVATE KEY-----",
        "key = AKIA" + "ABCDEFGHIJKLMNOP",
        "gh" + "p_" + "a1B2" * 9,
        'API_KEY = "' + "s3cr3t-v4lue-0123" + '"',
        '"token": "' + "abcdef0123456789" + '"',
        "xo" + "xb-" + "1234567890-abcdef",
        "AI" + "za" + "Sy" + "A1b2C3d4E5" * 3 + "xyz",
        "ey" + "JhbGciOiJIUzI1NiJ9." + "ey" + "JzdWIiOiIxMjM0NTY3ODkwIn0." + "abcdefghijkl",
    ]
    assert set(SECRET_HINTS) == set(SECRET_PATTERNS)
    for text in planted:
        assert secrets_in(text), text
    assert secrets_in("TWRESAS_HOME = settings.home()  # token count 12") == []
