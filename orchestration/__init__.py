"""TW-RESAS Dagster code location."""
