"""Data contracts for loan application data (pandera)."""

from __future__ import annotations

import pandas as pd
import pandera as pa
from pandera import Check, Column, DataFrameSchema

TARGET = "defaulted"

LOAN_APPLICATIONS = DataFrameSchema(
    {
        "application_id": Column(str, Check.str_length(8, 64), unique=True),
        "application_date": Column("datetime64[ns]"),
        "applicant_age": Column(int, Check.in_range(18, 100)),
        "annual_income": Column(float, Check.in_range(0, 5_000_000)),
        "loan_amount": Column(float, Check.in_range(100, 1_000_000)),
        "loan_term_months": Column(int, Check.isin([12, 24, 36, 48, 60])),
        "employment_years": Column(float, Check.in_range(0, 60)),
        "debt_to_income": Column(float, Check.in_range(0, 1.5)),
        "credit_history_months": Column(int, Check.in_range(0, 900)),
        "num_open_accounts": Column(int, Check.in_range(0, 100)),
        "num_delinquencies_2y": Column(int, Check.in_range(0, 50)),
        "home_ownership": Column(str, Check.isin(["rent", "own", "mortgage", "other"])),
        "loan_purpose": Column(
            str,
            Check.isin(["debt_consolidation", "home_improvement", "auto", "education", "medical", "other"]),
        ),
        TARGET: Column(int, Check.isin([0, 1])),
    },
    strict=True,
    coerce=True,
    name="loan_applications",
)

# Production inputs (no label yet) used by the drift job
SCORING_INPUTS = LOAN_APPLICATIONS.remove_columns([TARGET])


def validate_training_frame(df: pd.DataFrame) -> pd.DataFrame:
    """Validate and coerce; collects every failure before raising (lazy=True)."""
    return LOAN_APPLICATIONS.validate(df, lazy=True)


def validate_scoring_frame(df: pd.DataFrame) -> pd.DataFrame:
    return SCORING_INPUTS.validate(df, lazy=True)


SchemaErrors = pa.errors.SchemaErrors
