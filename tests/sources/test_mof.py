"""The bundled MOF file is a SYNTHETIC fixture in the statdb CSV layout; these tests check the
layout rules, not published figures."""

import csv
import io
import re

import pytest

from sources.errors import SourceError
from sources.http import fetch
from sources.mof import TAX_REVENUE, parse_tax_revenue


def raw() -> bytes:
    return TAX_REVENUE.snapshot_path(TAX_REVENUE.snapshots[0]).read_bytes()


def test_snapshot_is_flagged_synthetic_when_fetched(twresas_home):
    landed = fetch(TAX_REVENUE, from_roc="102", to_roc="103")
    assert landed.synthetic
    assert "utf=1" in landed.url
    assert len(parse_tax_revenue(landed.read_bytes())) > 0


def test_long_frame_one_row_per_county_item_and_year():
    frame = parse_tax_revenue(raw())
    assert list(frame.columns) == ["region_name", "tax_item_zh", "year", "value_thousand_ntd"]
    assert {"地價稅", "房屋稅"} <= set(frame["tax_item_zh"])
    assert not frame.duplicated(["region_name", "tax_item_zh", "year"]).any()
    assert frame["value_thousand_ntd"].notna().all()


def test_full_width_dash_means_zero():
    frame = parse_tax_revenue(raw())
    dashes = raw().decode("utf-8").count("－")
    assert dashes > 0
    assert (frame["value_thousand_ntd"] == 0).sum() == dashes


def test_region_keeps_the_chinese_part_before_the_slash():
    frame = parse_tax_revenue(raw())
    assert set(frame["region_name"]) == {"臺北市", "新北市", "臺中市", "連江縣"}


def test_roc_years_become_ad():
    frame = parse_tax_revenue(raw())
    assert set(frame["year"]) == {2013, 2014}  # 102年, 103年


def test_thousands_separators_and_rules_on_a_small_body():
    body = '統計期,地區別,地價稅,房屋稅\n 99年 ,金門縣/Kinmen County,"1,234",－\n'.encode()
    row = parse_tax_revenue(body).set_index("tax_item_zh")
    assert row.loc["地價稅", "value_thousand_ntd"] == 1234.0
    assert row.loc["房屋稅", "value_thousand_ntd"] == 0.0
    assert row.loc["地價稅", "year"] == 2010
    assert row.loc["地價稅", "region_name"] == "金門縣"


def test_renamed_column_raises_naming_the_source():
    renamed = raw().decode("utf-8").replace("地區別", "縣市別", 1).encode()
    with pytest.raises(SourceError, match="mof_tax_revenue") as caught:
        parse_tax_revenue(renamed)
    assert "地區別" in caught.value.problem


def test_period_that_is_not_an_roc_year_raises():
    body = raw().decode("utf-8").replace("103年", "2014", 1).encode()
    with pytest.raises(SourceError, match="'2014'"):
        parse_tax_revenue(body)


def test_unknown_placeholder_raises():
    body = raw().decode("utf-8").replace("－", "…", 1).encode()
    with pytest.raises(SourceError, match="tax revenue '…': not a number"):
        parse_tax_revenue(body)


@pytest.mark.parametrize("cell, problem", [
    ("-1200", "negative amount"),  # a negative land tax was once published
    ("1e999", "not a number"), ("NaN", "not a number"), ("inf", "not a number"),
    ("5.57E+05", "not a number"),
])
def test_a_cell_that_is_no_figure_refuses_the_file(cell, problem):
    rows = list(csv.reader(io.StringIO(raw().decode("utf-8"))))
    rows[1][rows[0].index("地價稅")] = cell
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    body = out.getvalue().encode()
    with pytest.raises(SourceError, match=f"tax revenue '{re.escape(cell)}': {problem}"):
        parse_tax_revenue(body)


def test_an_roc_year_in_the_future_raises():
    """200年 would be 2111: no year a tax was collected in."""
    body = raw().decode("utf-8").replace("103年", "200年", 1).encode()
    with pytest.raises(SourceError, match="'200年' is not a past ROC year"):
        parse_tax_revenue(body)


def test_big5_body_raises():
    """Without utf=1 the statdb serves Big5."""
    body = raw().decode("utf-8").encode("cp950")
    with pytest.raises(SourceError, match="not UTF-8"):
        parse_tax_revenue(body)
