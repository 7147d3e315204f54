"""The built-in library: size, coverage, and every example run through the real engine."""

from __future__ import annotations

import pytest

from scanrules_server.engine.column import ColumnInfo
from scanrules_server.engine.compiler import CompiledRuleSet, check_rule
from scanrules_server.engine.detect import detect
from scanrules_server.engine.library import CATEGORIES, Classification, builtin_classifications

LIBRARY = builtin_classifications()
REQUIRED = {
    "EMAIL_ADDRESS",
    "PHONE_NUMBER",
    "CREDIT_CARD_NUMBER",
    "IBAN_CODE",
    "SWIFT_CODE",
    "US_BANK_ROUTING_MICR",
    "US_SOCIAL_SECURITY_NUMBER",
    "US_INDIVIDUAL_TAXPAYER_IDENTIFICATION_NUMBER",
    "US_EMPLOYER_IDENTIFICATION_NUMBER",
    "US_PASSPORT",
    "US_HEALTHCARE_NPI",
    "VEHICLE_IDENTIFICATION_NUMBER",
    "IP_ADDRESS",
    "MAC_ADDRESS",
    "URL",
    "PERSON_NAME",
    "STREET_ADDRESS",
    "DATE_OF_BIRTH",
    "AWS_CREDENTIALS",
    "JSON_WEB_TOKEN",
}
# Every EU member state, the UK, and the other countries the library must cover.
_EU_AND_UK = "AT BE BG HR CY CZ DK EE FI FR DE GR HU IE IT LV LT LU MT NL PL PT RO SK SI ES SE GB"
_OTHERS = "CA AU IN BR JP KR SG ZA TR"
REQUIRED_COUNTRIES = frozenset(f"{_EU_AND_UK} {_OTHERS}".split())


def test_library_size() -> None:
    assert len(LIBRARY) >= 150


def test_required_classifications_present() -> None:
    assert {c.name for c in LIBRARY} >= REQUIRED


def test_national_identifiers_for_every_required_country() -> None:
    covered = {country for c in LIBRARY if c.category == "GOVERNMENT_ID" for country in c.countries}
    assert covered >= REQUIRED_COUNTRIES, sorted(REQUIRED_COUNTRIES - covered)


@pytest.mark.parametrize("c", LIBRARY, ids=lambda c: c.name)
def test_entry_is_complete(c: Classification) -> None:
    assert c.name.isupper() and c.description and c.category in CATEGORIES
    assert c.countries
    assert len(c.positive) >= 2 and len(c.negative) >= 2
    check_rule(c.rule)  # parses, and every validator, pattern and regex resolves


@pytest.mark.parametrize("c", LIBRARY, ids=lambda c: c.name)
def test_examples_both_ways(builtin: CompiledRuleSet, c: Classification) -> None:
    column = ColumnInfo("examples", c.example_column) if c.example_column else None
    accepted = detect(builtin, list(c.positive), column)
    rejected = detect(builtin, list(c.negative), column)
    for value, names in zip(c.positive, accepted, strict=True):
        assert c.name in names, f"{c.name} should accept {value!r}"
    for value, names in zip(c.negative, rejected, strict=True):
        assert c.name not in names, f"{c.name} should reject {value!r}"


def test_aliases_name_other_tools() -> None:
    aliases = {a for c in LIBRARY for a in c.aliases}
    assert aliases >= {"CREDIT_CARD", "US_SSN", "USA_SOCIAL_SECURITY_NUMBER"}


def test_check_digit_identifiers_validate() -> None:
    # Everything defined with a check digit in python-stdnum is validated by its rule.
    by_name = {c.name: c for c in LIBRARY}
    for name, validator in {
        "CREDIT_CARD_NUMBER": "luhn",
        "IBAN_CODE": "iban",
        "US_SOCIAL_SECURITY_NUMBER": "us.ssn",
        "FRANCE_NIR": "fr.nir",
        "POLAND_PESEL_NUMBER": "pl.pesel",
        "VEHICLE_IDENTIFICATION_NUMBER": "vin",
    }.items():
        assert f'valid("{validator}")' in by_name[name].rule
