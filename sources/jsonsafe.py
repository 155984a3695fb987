"""Values made fit for strict JSON (RFC 8259), for every report an auditor reads: NaN and
infinities become null, numpy and pandas scalars plain numbers, dates ISO strings."""

import math
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import pandas as pd


def json_safe(value):
    """A copy of `value` that `json.dumps(..., allow_nan=False)` accepts and reads back equal."""
    if isinstance(value, dict):
        return {str(k): json_safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set):
        return [json_safe(v) for v in value]
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, bool | str):
        return value
    if hasattr(value, "item") and not isinstance(value, int | float):  # numpy scalar
        return json_safe(value.item())
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float | Decimal):
        number = float(value)
        return number if math.isfinite(number) else None
    if isinstance(value, datetime | date):  # pandas Timestamp is a datetime
        return value.isoformat()
    if isinstance(value, Path):
        return str(value)
    return str(value)
