"""Numbers as Taiwanese publishers print them: full-width digits (１２７), full-width comma,
point and minus (，．－), thousands separators. The one Python reading of such text, for the
sources parsed in Python; SQL's is the macro half_width_digits, for what DuckDB reads itself
(實價登錄) and for region names."""

_HALF_WIDTH = str.maketrans("０１２３４５６７８９，．－", "0123456789,.-")


def plain_number_text(text) -> str:
    """'１２,７４４' -> '12744', ' １２７．５ ' -> '127.5': full-width characters made ASCII,
    thousands separators and surrounding white space dropped. Whether the result is a number
    the caller decides (a count must be whole, '1e999' or '…' is none)."""
    return str(text).translate(_HALF_WIDTH).replace(",", "").strip()
