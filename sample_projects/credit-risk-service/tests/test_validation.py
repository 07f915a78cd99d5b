import pytest

from credit_risk.validation import SchemaErrors, validate_scoring_frame, validate_training_frame


def test_valid_frame_passes(loans):
    validated = validate_training_frame(loans)
    assert len(validated) == len(loans)


def test_out_of_range_values_are_all_reported(loans):
    bad = loans.copy()
    bad.loc[0, "applicant_age"] = 12
    bad.loc[1, "debt_to_income"] = 3.0
    with pytest.raises(SchemaErrors) as excinfo:
        validate_training_frame(bad)
    failed = set(excinfo.value.failure_cases["column"])
    assert {"applicant_age", "debt_to_income"} <= failed


def test_unknown_category_is_rejected(loans):
    bad = loans.assign(home_ownership="castle")
    with pytest.raises(SchemaErrors):
        validate_training_frame(bad)


def test_unexpected_column_is_rejected(loans):
    with pytest.raises(SchemaErrors):
        validate_training_frame(loans.assign(zip_code="90210"))


def test_duplicate_application_ids_are_rejected(loans):
    bad = loans.copy()
    bad.loc[1, "application_id"] = bad.loc[0, "application_id"]
    with pytest.raises(SchemaErrors):
        validate_training_frame(bad)


def test_scoring_frame_has_no_label(loans):
    validate_scoring_frame(loans.drop(columns=["defaulted"]))
