"""Every fixture case through the library: exactly the marked findings, at the marked line and column."""

from __future__ import annotations

import pytest

from flake8_fastapi.rules import all_rules

from .fixture_cases import Case, all_cases
from .lib_runner import as_tuples, run_case

CASES = all_cases()


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_fixture(case: Case) -> None:
    expected = case.expected()
    if case.path.name.startswith("good"):
        assert not expected, "a good fixture carries no expect markers"
    else:
        assert expected, "a bad fixture marks at least one finding"
    assert as_tuples(run_case(case)) == expected


def test_every_rule_has_good_and_bad_fixtures() -> None:
    by_code: dict[str, set[str]] = {}
    for case in CASES:
        by_code.setdefault(case.code, set()).add("good" if case.path.name.startswith("good") else "bad")
    missing = [code for code in all_rules() if by_code.get(code) != {"good", "bad"}]
    assert not missing, f"rules without both good and bad fixtures: {missing}"
