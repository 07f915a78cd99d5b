"""DVC stage `prepare`: raw export -> validated, de-duplicated parquet."""

from __future__ import annotations

import argparse
import logging
from pathlib import Path

import pandas as pd
import yaml

from credit_risk.validation import validate_training_frame

logger = logging.getLogger(__name__)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--params", default="params.yaml")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO)

    with open(args.params, encoding="utf-8") as fh:
        params = yaml.safe_load(fh)

    raw = pd.read_csv(params["data"]["raw"], parse_dates=["application_date"])
    deduped = raw.drop_duplicates(subset="application_id", keep="last")
    if len(deduped) != len(raw):
        logger.warning("dropped %d duplicate applications", len(raw) - len(deduped))

    validated = validate_training_frame(deduped)  # raises SchemaErrors listing every failure
    out = Path(params["data"]["processed"])
    out.parent.mkdir(parents=True, exist_ok=True)
    validated.to_parquet(out, index=False)
    logger.info("wrote %d rows to %s", len(validated), out)


if __name__ == "__main__":
    main()
