"""Numbers as Taiwanese publishers print them: full-width digits (１２７), full-width comma,
point and minus (，．－), thousands separators. The one Python reading of such text, for the
sources parsed in Python; SQL's is the macro half_width_digits, for what DuckDB reads itself
(實價登錄) and for region names."""

_HALF_WIDTH = str.maketrans("０１２３４５６７８９，．－", "0123456789,.-")


def half_width(text) -> str:
    """'１２,７４４' -> '12,744', ' １２７．５ ' -> '127.5': full-width characters made ASCII and
    surrounding white space dropped. Whether the result is a number sources.values decides
    (separators only between groups of three, a count must be whole, '1e999' or '…' is none)."""
    return str(text).translate(_HALF_WIDTH).strip()
