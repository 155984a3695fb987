"""Plain-Python fetch and parse for every TW-RESAS source (no Dagster here)."""
