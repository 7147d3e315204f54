"""Validators by name: python-stdnum formats, phonenumbers, and a few of our own.

A validator takes the text a regex matched and says whether it is a real
instance (check digit, calendar date, address range, ...). They only ever run
on prefilter hits, never on every value.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import importlib
import ipaddress
import json
import uuid
from collections.abc import Callable
from functools import cache

import phonenumbers
from stdnum import luhn

Check = Callable[[str], bool]

# python-stdnum names packages that clash with keywords with a trailing underscore.
_STDNUM_RENAMES = {"in": "in_", "is": "is_"}


def _birth_date(text: str, today: dt.date | None = None) -> bool:
    parsed = parse_date(text)
    if parsed is None:
        return False
    today = today or dt.date.today()
    age_days = (today - parsed).days
    return 0 <= age_days <= 120 * 366


_DATE_FORMATS = (
    "%Y-%m-%d",
    "%Y/%m/%d",
    "%Y.%m.%d",
    "%Y%m%d",
    "%d/%m/%Y",
    "%d.%m.%Y",
    "%d-%m-%Y",
    "%m/%d/%Y",
    "%m-%d-%Y",
    "%d %b %Y",
    "%d %B %Y",
    "%b %d, %Y",
    "%B %d, %Y",
    "%Y-%m-%dT%H:%M:%S",
    "%Y-%m-%d %H:%M:%S",
)


def parse_date(text: str) -> dt.date | None:
    """A calendar date in one of the common orders, or None."""
    text = text.strip()
    for fmt in _DATE_FORMATS:
        try:
            return dt.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    return None


def _date(text: str) -> bool:
    return parse_date(text) is not None


def _ipv4(text: str) -> bool:
    try:
        ipaddress.IPv4Address(text.strip())
    except ValueError:
        return False
    return True


def _ipv6(text: str) -> bool:
    try:
        ipaddress.IPv6Address(text.strip().strip("[]"))
    except ValueError:
        return False
    return True


_VIN_VALUES = {c: i for i, c in enumerate("0123456789")} | dict(
    zip("ABCDEFGHJKLMNPRSTUVWXYZ", [1, 2, 3, 4, 5, 6, 7, 8, 1, 2, 3, 4, 5, 7, 9, 2, 3, 4, 5, 6, 7, 8, 9], strict=True)
)
_VIN_WEIGHTS = (8, 7, 6, 5, 4, 3, 2, 10, 0, 9, 8, 7, 6, 5, 4, 3, 2)


def _vin(text: str) -> bool:
    # ISO 3779 / FMVSS 115 check digit in position 9; python-stdnum has no VIN module.
    vin = text.strip().upper()
    if len(vin) != 17 or any(c not in _VIN_VALUES for c in vin):
        return False
    total = sum(_VIN_VALUES[c] * w for c, w in zip(vin, _VIN_WEIGHTS, strict=True))
    check = total % 11
    return vin[8] == ("X" if check == 10 else str(check))


def _npi(text: str) -> bool:
    # The NPI check digit is Luhn over the card-issuer prefix 80840 plus the number.
    digits = text.strip().replace("-", "")
    return len(digits) == 10 and digits.isdigit() and luhn.is_valid("80840" + digits)


_NRIC_WEIGHTS = (2, 7, 6, 5, 4, 3, 2)
_NRIC_LETTERS = {
    "ST": "JZIHGFEDCBA",
    "FG": "XWUTRQPNMLK",
    "M": "KLJNPQRTUWX",
}


def _sg_nric(text: str) -> bool:
    value = text.strip().upper()
    if len(value) != 9 or value[0] not in "STFGM" or not value[1:8].isdigit():
        return False
    total = sum(int(d) * w for d, w in zip(value[1:8], _NRIC_WEIGHTS, strict=True))
    if value[0] in "TG":
        total += 4
    elif value[0] == "M":
        total += 3
    key = next(k for k in _NRIC_LETTERS if value[0] in k)
    letters = _NRIC_LETTERS[key]
    if value[0] == "M":
        return value[8] == letters[10 - total % 11]
    return value[8] == letters[total % 11]


def _jwt(text: str) -> bool:
    parts = text.strip().split(".")
    if len(parts) != 3 or not parts[0] or not parts[1]:
        return False
    try:
        header = json.loads(base64.urlsafe_b64decode(parts[0] + "=" * (-len(parts[0]) % 4)))
    except (binascii.Error, ValueError, UnicodeDecodeError):
        return False
    return isinstance(header, dict) and "alg" in header


def _uuid(text: str) -> bool:
    try:
        uuid.UUID(text.strip())
    except ValueError:
        return False
    return True


def _luhn(text: str) -> bool:
    # Card numbers come with spaces or dashes; python-stdnum's luhn wants digits only.
    digits = "".join(c for c in text if c.isdigit())
    return len(digits) >= 2 and luhn.is_valid(digits)


CUSTOM: dict[str, Check] = {
    "luhn": _luhn,
    "birth_date": _birth_date,
    "date": _date,
    "ipv4": _ipv4,
    "ipv6": _ipv6,
    "vin": _vin,
    "npi": _npi,
    "sg.nric": _sg_nric,
    "jwt": _jwt,
    "uuid": _uuid,
}


def _stdnum_module_path(name: str) -> str:
    parts = [_STDNUM_RENAMES.get(p, p) for p in name.split(".")]
    if len(parts) == 2 and parts[0] == "jp" and parts[1] == "in":
        parts[1] = "in_"
    return "stdnum." + ".".join(parts)


@cache
def get_validator(name: str) -> Check | None:
    """The check function for a validator name, or None when no such validator exists."""
    if name in CUSTOM:
        return CUSTOM[name]
    if not name or not all(p.isidentifier() for p in name.split(".")):
        return None
    try:
        module = importlib.import_module(_stdnum_module_path(name))
    except ImportError:
        return None
    check = getattr(module, "is_valid", None)
    if check is None:
        return None

    def run(text: str, _check: Callable[[str], bool] = check) -> bool:
        try:
            return bool(_check(text))
        except Exception:
            return False

    return run


def validator_exists(name: str) -> bool:
    return get_validator(name) is not None


@cache
def known_region(region: str) -> bool:
    return region in phonenumbers.SUPPORTED_REGIONS


@cache
def phone_check(regions: tuple[str, ...]) -> Check:
    """A check accepting valid phone numbers of the regions (or any, with a leading +)."""

    def run(text: str) -> bool:
        candidates = regions or (None,)
        for region in candidates:
            try:
                number = phonenumbers.parse(text, region)
            except phonenumbers.NumberParseException:
                continue
            if phonenumbers.is_valid_number(number):
                return True
        return False

    return run
