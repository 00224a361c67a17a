"""Load the CDNOW data sets (Fader & Hardie) that the CLV tests and benchmark reproduce.

The files live outside the repository, in ``../shared/data/cdnow`` next to the
checkout (or ``$CENTRIC_SHARED_DATA/cdnow``).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from tests.conftest import SHARED_DATA

CDNOW_DIR = SHARED_DATA / "cdnow"
CALIBRATION_END = "1997-09-30"


def available() -> bool:
    return (CDNOW_DIR / "cdnow_customers_summary.csv").exists()


def summary() -> pd.DataFrame:
    """The published 39-week summary of the 2,357-customer sample: frequency, recency, T."""
    return pd.read_csv(CDNOW_DIR / "cdnow_customers_summary.csv")


def summary_with_transactions() -> pd.DataFrame:
    """The same summary with zbar, the mean value of the repeat purchases: x, t_x, T, zbar."""
    return pd.read_csv(CDNOW_DIR / "cdnow_customers_summary_with_transactions.csv")


def transactions(sample: bool = True) -> pd.DataFrame:
    """Raw purchases: customer_id, date (datetime64), cds, value — sample or master file."""
    if sample:
        columns = ["master_id", "customer_id", "date", "cds", "value"]
        path = CDNOW_DIR / "CDNOW_sample.txt"
    else:
        columns = ["customer_id", "date", "cds", "value"]
        path = CDNOW_DIR / "CDNOW_master.txt"
    frame = pd.read_csv(path, sep=r"\s+", header=None, names=columns, dtype={"date": str},
                        skiprows=0 if sample else 1)
    frame["date"] = pd.to_datetime(frame["date"], format="%Y%m%d")
    frame["value"] = frame["value"].astype(np.float64)
    return frame
