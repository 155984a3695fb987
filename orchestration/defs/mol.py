"""勞動部 勞動統計年報 (issue 6): county labour force (表2-3) and household income (表14-2), which
extend the DGBAS series to 2015-2016."""

from orchestration.raw import raw_asset
from sources import mol

GROUP = "welfare"

manpower_by_area = raw_asset(
    mol.MANPOWER_BY_AREA,
    mol.parse_manpower_by_area,
    group=GROUP,
    description="MOL yearbook 表2-3: labour force by county, 2016, with the 2014-2015 rates.",
)

household_income_by_area = raw_asset(
    mol.HOUSEHOLD_INCOME_BY_AREA,
    mol.parse_household_income_by_area,
    group=GROUP,
    description="MOL yearbook 表14-2: average household income and expenditure by county, 2015.",
)

labour_panel = raw_asset(
    mol.LABOUR_PANEL,
    mol.parse_labour_panel,
    group=GROUP,
    description="County labour panel 2019-2024 (transcription): median annual wage, labour-force "
    "participation, unemployment, tertiary-educated share, industry employment share.",
)
