"""Loading raw transaction extracts."""
from __future__ import annotations

import logging
from pathlib import Path

import pandas as pd
import requests

logger = logging.getLogger(__name__)

REQUIRED_COLUMNS = ["transaction_id", "amount", "timestamp", "merchant_category"]


def load_transactions(path: str | Path) -> pd.DataFrame:
    """Read a transaction CSV export and normalise types."""
    df = pd.read_csv(path)
    missing = [c for c in REQUIRED_COLUMNS if c not in df.columns]
    if missing:
        raise ValueError(f"missing columns: {missing}")

    df["timestamp"] = pd.to_datetime(df["timestamp"], utc=True)
    df["merchant_category"] = df["merchant_category"].astype(str)

    # card_present is only in the newer exports (Y/N flag)
    if "card_present" in df.columns:
        try:
            df["card_present"] = df["card_present"].map({"Y": 1, "N": 0}).astype("int64")
        except Exception:
            pass

    logger.info("loaded %d transactions from %s", len(df), path)
    return df


def download_merchant_reference(url: str, dest: str | Path) -> Path:
    """Fetch the merchant category code reference table."""
    dest = Path(dest)
    response = requests.get(url)
    response.raise_for_status()
    dest.parent.mkdir(parents=True, exist_ok=True)
    dest.write_bytes(response.content)
    return dest
