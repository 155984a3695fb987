"""The 民國 (Republic of China) calendar Taiwan's publishers date their files and URLs in:
ROC year 1 is 1912. The one Python home of that arithmetic (SQL's is the macro roc_to_ad_year);
the 實價登錄 seasons (109S3) are built on it in sources/real_estate.py."""

ROC_YEAR_ZERO = 1911  # AD = ROC + 1911


def ad_year(roc_year: int) -> int:
    """民國 113 -> 2024."""
    return roc_year + ROC_YEAR_ZERO


def roc_year(ad_year: int) -> int:
    """2024 -> 民國 113."""
    return ad_year - ROC_YEAR_ZERO
