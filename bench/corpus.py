"""A deterministic, labeled corpus of columns for benchmarking the scan engine.

Every column is `LabeledColumn(table, column, values, labels)`: `labels` is the set
of built-in classification names that SHOULD be found on it (empty for decoys).

Values come from Faker (many locales) and are checked with python-stdnum (or
`phonenumbers`, or a local check for formats stdnum does not cover) so that
positives are real-format, valid values: Faker sometimes emits invalid ones and
those are dropped. A positive column is only included when its classification
exists in the built-in library at run time (names are read dynamically, and a
few specs accept alternative names so that a classification added later under a
slightly different name still gets its column).

Usage:
    from bench.corpus import build_corpus
    for table, column, values, labels in build_corpus(2000, seed=7): ...
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import random
import string
import uuid
import warnings
import zlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from typing import NamedTuple

import phonenumbers
from faker import Faker
from stdnum import bic as sn_bic
from stdnum import cusip as sn_cusip
from stdnum import iban as sn_iban
from stdnum import isin as sn_isin
from stdnum import luhn as sn_luhn
from stdnum import mac as sn_mac
from stdnum.ar import cuit as sn_ar_cuit
from stdnum.br import cnpj as sn_br_cnpj
from stdnum.br import cpf as sn_br_cpf
from stdnum.ca import sin as sn_ca_sin
from stdnum.cl import rut as sn_cl_rut
from stdnum.cn import ric as sn_cn_ric
from stdnum.co import nit as sn_co_nit
from stdnum.dk import cpr as sn_dk_cpr
from stdnum.es import dni as sn_es_dni
from stdnum.es import nie as sn_es_nie
from stdnum.fi import hetu as sn_fi_hetu
from stdnum.fr import nir as sn_fr_nir
from stdnum.il import idnr as sn_il_idnr
from stdnum.in_ import aadhaar as sn_in_aadhaar
from stdnum.in_ import pan as sn_in_pan
from stdnum.iso7064 import mod_97_10
from stdnum.it import codicefiscale as sn_it_cf
from stdnum.kr import rrn as sn_kr_rrn
from stdnum.mx import curp as sn_mx_curp
from stdnum.mx import rfc as sn_mx_rfc
from stdnum.nl import bsn as sn_nl_bsn
from stdnum.no import fodselsnummer as sn_no_fnr
from stdnum.pl import pesel as sn_pl_pesel
from stdnum.ru import inn as sn_ru_inn
from stdnum.se import personnummer as sn_se_pnr
from stdnum.th import pin as sn_th_pin
from stdnum.tr import tckimlik as sn_tr_tc
from stdnum.ua import rntrc as sn_ua_rntrc
from stdnum.us import ein as sn_us_ein
from stdnum.us import itin as sn_us_itin
from stdnum.us import ssn as sn_us_ssn

from scanrules_server.engine.validators import get_validator

warnings.filterwarnings("ignore", module="faker")


class LabeledColumn(NamedTuple):
    table: str
    column: str
    values: list[str | None]
    labels: frozenset[str]


Value = str | None
Maker = Callable[["_Ctx", int], list[str]]


# --------------------------------------------------------------------- context


def _sub_seed(seed: int, *parts: object) -> int:
    return zlib.crc32(":".join(map(str, (seed, *parts))).encode()) & 0x7FFFFFFF


class _Ctx:
    """Per-column randomness: one seeded RNG and seeded Faker instances."""

    def __init__(self, seed: int, key: str) -> None:
        self.seed = _sub_seed(seed, key)
        self.rng = random.Random(self.seed)
        self._fakers: dict[str, Faker] = {}

    def fk(self, locale: str) -> Faker:
        f = self._fakers.get(locale)
        if f is None:
            f = Faker(locale)
            f.seed_instance(_sub_seed(self.seed, locale))
            self._fakers[locale] = f
        return f


class TooFewValid(Exception):
    pass


def _draw(n: int, make: Callable[[], str], ok: Callable[[str], bool] | None = None, tries: int = 40) -> list[str]:
    """n values from `make` that pass `ok`; gives up (TooFewValid) if the yield is hopeless."""
    out: list[str] = []
    attempts = 0
    limit = max(200, n * tries)
    while len(out) < n:
        attempts += 1
        if attempts > limit:
            raise TooFewValid(f"only {len(out)} valid of {attempts} attempts")
        v = make()
        if ok is None or ok(v):
            out.append(v)
    return out


def _faker(
    locale: str,
    method: str,
    ok: Callable[[str], bool] | None = None,
    fmt: Callable[[str], str] | None = None,
    **kw: object,
) -> Maker:
    def make(ctx: _Ctx, n: int) -> list[str]:
        f = ctx.fk(locale)
        fn = getattr(f, method)
        vals = _draw(n, lambda: str(fn(**kw)), ok)
        return [fmt(v) for v in vals] if fmt else vals

    return make


def _mix(*makers: Maker) -> Maker:
    """Round-robin mix of several makers (e.g. several locales in one column)."""

    def make(ctx: _Ctx, n: int) -> list[str]:
        parts = [m(ctx, n // len(makers) + 1) for m in makers]
        out = [p[i] for i in range(n // len(makers) + 1) for p in parts][:n]
        ctx.rng.shuffle(out)
        return out

    return make


# ------------------------------------------------------------------ validators


def _stdnum(module: object) -> Callable[[str], bool]:
    def ok(v: str) -> bool:
        try:
            return bool(module.is_valid(v))  # type: ignore[attr-defined]
        except Exception:
            return False

    return ok


_PHONE_REGION = {
    "en_US": "US",
    "en_GB": "GB",
    "de_DE": "DE",
    "fr_FR": "FR",
    "es_ES": "ES",
    "it_IT": "IT",
    "nl_NL": "NL",
    "pl_PL": "PL",
    "pt_BR": "BR",
    "sv_SE": "SE",
    "da_DK": "DK",
    "fi_FI": "FI",
    "en_IN": "IN",
    "en_AU": "AU",
    "en_CA": "CA",
    "ja_JP": "JP",
}


def _phone_ok(region: str) -> Callable[[str], bool]:
    def ok(v: str) -> bool:
        try:
            num = phonenumbers.parse(v, region)
        except phonenumbers.NumberParseException:
            return False
        return phonenumbers.is_valid_number_for_region(num, region) or (
            region in ("US", "CA") and phonenumbers.is_valid_number(num) and num.country_code == 1
        )

    return ok


def _phones(locale: str) -> Maker:
    return _faker(locale, "phone_number", _phone_ok(_PHONE_REGION[locale]))


def vin_ok(v: str) -> bool:
    """ISO 3779 check digit, by the engine's own validator (python-stdnum has no VIN module)."""
    check = get_validator("vin")
    return check is not None and check(v)


def _taiwan_ok(v: str) -> bool:
    letters = "ABCDEFGHJKLMNPQRSTUVXYWZIO"
    if len(v) != 10 or v[0] not in letters or not v[1:].isdigit() or v[1] not in "12":
        return False
    code = letters.index(v[0]) + 10
    digits = [code // 10, code % 10] + [int(c) for c in v[1:]]
    weights = [1, 9, 8, 7, 6, 5, 4, 3, 2, 1, 1]
    return sum(d * w for d, w in zip(digits, weights, strict=True)) % 10 == 0


# ------------------------------------------------------------- special makers


def _ssn_plain(ctx: _Ctx, n: int) -> list[str]:
    return [v.replace("-", "") for v in _faker("en_US", "ssn", _stdnum(sn_us_ssn))(ctx, n)]


def _card_formatted(ctx: _Ctx, n: int) -> list[str]:
    out = []
    for v in _faker("en_US", "credit_card_number", sn_luhn.is_valid)(ctx, n):
        sep = ctx.rng.choice([" ", "-"])
        if len(v) == 16:
            out.append(sep.join(v[i : i + 4] for i in range(0, 16, 4)))
        elif len(v) == 15:
            out.append(sep.join((v[:4], v[4:10], v[10:])))
        else:
            out.append(v)
    return out


def _iban_printed(ctx: _Ctx, n: int) -> list[str]:
    vals = _mix(
        *(_faker(loc, "iban", _stdnum(sn_iban)) for loc in ("de_DE", "fr_FR", "nl_NL", "it_IT", "es_ES", "pl_PL"))
    )(ctx, n)
    return [" ".join(v[i : i + 4] for i in range(0, len(v), 4)) for v in vals]


def _mac_upper(ctx: _Ctx, n: int) -> list[str]:
    return [v.upper().replace(":", "-") for v in _faker("en_US", "mac_address", _stdnum(sn_mac))(ctx, n)]


def _full_names(*locales: str) -> Maker:
    def make(ctx: _Ctx, n: int) -> list[str]:
        fks = [ctx.fk(loc) for loc in locales]
        return [f"{f.first_name()} {f.last_name()}" for f in (fks[i % len(fks)] for i in range(n))]

    return make


def _ja_romanized(ctx: _Ctx, n: int) -> list[str]:
    f = ctx.fk("ja_JP")
    return [f"{f.first_romanized_name()} {f.last_romanized_name()}" for _ in range(n)]


def _addresses(*locales: str) -> Maker:
    def make(ctx: _Ctx, n: int) -> list[str]:
        fks = [ctx.fk(loc) for loc in locales]
        return [fks[i % len(fks)].street_address().replace("\n", ", ") for i in range(n)]

    return make


def _dob(ctx: _Ctx, n: int) -> list[str]:
    f = ctx.fk("en_US")
    return [f.date_of_birth(minimum_age=0, maximum_age=100).isoformat() for _ in range(n)]


def _jwt(ctx: _Ctx, n: int) -> list[str]:
    f, rng = ctx.fk("en_US"), ctx.rng

    def b64(data: bytes) -> str:
        return base64.urlsafe_b64encode(data).rstrip(b"=").decode()

    header = b64(json.dumps({"alg": "HS256", "typ": "JWT"}, separators=(",", ":")).encode())
    secret = rng.randbytes(32)
    out = []
    for _ in range(n):
        iat = rng.randint(1_600_000_000, 1_750_000_000)
        payload = {
            "sub": str(rng.randint(1, 10**7)),
            "name": f.name(),
            "email": f.email(),
            "iat": iat,
            "exp": iat + 3600,
        }
        if rng.random() < 0.5:
            payload["roles"] = rng.sample(["admin", "user", "billing", "support", "read"], 2)
        body = b64(json.dumps(payload, separators=(",", ":")).encode())
        sig = b64(hmac.new(secret, f"{header}.{body}".encode(), hashlib.sha256).digest())
        out.append(f"{header}.{body}.{sig}")
    return out


def _aws_keys(ctx: _Ctx, n: int) -> list[str]:
    alphabet = string.ascii_uppercase + string.digits
    return ["AKIA" + "".join(ctx.rng.choices(alphabet, k=16)) for _ in range(n)]


def _dk_cpr(ctx: _Ctx, n: int) -> list[str]:
    # Faker's da_DK `ssn` is a US-style number, not a CPR: build CPRs from a birth date
    # and four digits whose first digit encodes the century, keep what stdnum accepts.
    f, rng = ctx.fk("da_DK"), ctx.rng

    def make() -> str:
        d = f.date_of_birth(minimum_age=1, maximum_age=99)
        # 7th digit 0-3: born 1900-1999; 4: born 2000-2036 (stdnum.dk.cpr's century rule)
        digit7 = rng.choice("0123") if d.year < 2000 else "4"
        return f"{d:%d%m%y}-{digit7}{rng.randint(0, 999):03d}"

    return _draw(n, make, _stdnum(sn_dk_cpr))


def _imeis(ctx: _Ctx, n: int) -> list[str]:
    r = ctx.rng
    out = []
    for _ in range(n):
        body = r.choice(["35", "86", "01", "99", "49"]) + "".join(r.choices(string.digits, k=12))
        out.append(body + sn_luhn.calc_check_digit(body))
    return out


def _cusip_body(r: random.Random) -> str:
    return (
        "".join(r.choices(string.digits, k=3))
        + "".join(r.choices(string.digits + string.ascii_uppercase, k=3))
        + "".join(r.choices(string.digits, k=2))
    )


def _isins(ctx: _Ctx, n: int) -> list[str]:
    r = ctx.rng
    out = []
    for _ in range(n):
        country = r.choice(["US", "GB", "DE", "FR", "NL", "CH", "JP"])
        if country == "US":
            c = _cusip_body(r)
            body = "US" + c + sn_cusip.calc_check_digit(c)
        else:
            body = country + "000" + "".join(r.choices(string.digits, k=6))
        out.append(body + sn_isin.calc_check_digit(body))
    return out


def _cusips(ctx: _Ctx, n: int) -> list[str]:
    out = []
    for _ in range(n):
        c = _cusip_body(ctx.rng)
        out.append(c + sn_cusip.calc_check_digit(c))
    return out


def _leis(ctx: _Ctx, n: int) -> list[str]:
    r = ctx.rng
    out = []
    for _ in range(n):
        body = (
            "".join(r.choices(string.digits, k=4))
            + "00"
            + "".join(r.choices(string.digits + string.ascii_uppercase, k=12))
        )
        out.append(body + mod_97_10.calc_check_digits(body))
    return out


def _npis(ctx: _Ctx, n: int) -> list[str]:
    out = []
    for _ in range(n):
        body = ctx.rng.choice("12") + "".join(ctx.rng.choices(string.digits, k=8))
        out.append(body + sn_luhn.calc_check_digit("80840" + body))
    return out


def _deas(ctx: _Ctx, n: int) -> list[str]:
    r = ctx.rng
    out = []
    for _ in range(n):
        d = [r.randint(0, 9) for _ in range(6)]
        check = (d[0] + d[2] + d[4] + 2 * (d[1] + d[3] + d[5])) % 10
        out.append(r.choice("ABFGMPR") + r.choice(string.ascii_uppercase) + "".join(map(str, d)) + str(check))
    return out


def _mbis(ctx: _Ctx, n: int) -> list[str]:
    r = ctx.rng
    letters = "ACDEFGHJKMNPQRTUVWXY"
    alnum = letters + string.digits
    pattern = [
        "123456789",
        letters,
        alnum,
        string.digits,
        letters,
        alnum,
        string.digits,
        letters,
        letters,
        string.digits,
        string.digits,
    ]
    return ["".join(r.choice(p) for p in pattern) for _ in range(n)]


def _bcrypt(ctx: _Ctx, n: int) -> list[str]:
    alphabet = "./" + string.ascii_letters + string.digits
    return [f"$2b${ctx.rng.choice(['10', '12'])}$" + "".join(ctx.rng.choices(alphabet, k=53)) for _ in range(n)]


def _github_tokens(ctx: _Ctx, n: int) -> list[str]:
    b62 = string.digits + string.ascii_letters

    def enc(x: int) -> str:
        out = ""
        while x:
            x, rem = divmod(x, 62)
            out = b62[rem] + out
        return out.rjust(6, "0")

    res = []
    for _ in range(n):
        body = "".join(ctx.rng.choices(b62, k=30))
        res.append("ghp_" + body + enc(zlib.crc32(body.encode())))
    return res


def _coordinates(ctx: _Ctx, n: int) -> list[str]:
    f = ctx.fk("en_US")
    return [f"{f.latitude():.6f}, {f.longitude():.6f}" for _ in range(n)]


def _latitudes(ctx: _Ctx, n: int) -> list[str]:
    f = ctx.fk("en_US")
    return [f"{f.latitude():.6f}" for _ in range(n)]


def _ages(ctx: _Ctx, n: int) -> list[str]:
    return [str(ctx.rng.randint(0, 99)) for _ in range(n)]


def _account_numbers(ctx: _Ctx, n: int) -> list[str]:
    return [_digits(ctx.rng, ctx.rng.randint(8, 12)) for _ in range(n)]


def _cpf_plain(ctx: _Ctx, n: int) -> list[str]:
    return [sn_br_cpf.compact(v) for v in _faker("pt_BR", "cpf", _stdnum(sn_br_cpf))(ctx, n)]


# --- free text with embedded values


def _sentences(ctx: _Ctx, n: int) -> list[str]:
    f = ctx.fk("en_US")
    return [f.sentence(nb_words=ctx.rng.randint(6, 16)) for _ in range(n)]


def _embedded(inner: Maker, templates: tuple[str, ...], rate: float = 0.03) -> Maker:
    def make(ctx: _Ctx, n: int) -> list[str]:
        base = _sentences(ctx, n)
        k = max(1, round(n * rate))
        rows = ctx.rng.sample(range(n), k)
        found = inner(ctx, k)
        for row, value in zip(rows, found, strict=True):
            base[row] = ctx.rng.choice(templates).format(text=base[row], v=value)
        return base

    return make


def _sparse_ssn(ctx: _Ctx, n: int) -> list[str]:
    base = _sentences(ctx, n)
    k = max(1, n // 1000)
    rows = ctx.rng.sample(range(n), k)
    ssns = _faker("en_US", "ssn", _stdnum(sn_us_ssn))(ctx, k)
    for row, v in zip(rows, ssns, strict=True):
        base[row] = f"Applicant verified identity, SSN {v} on file. {base[row]}"
    return base


# --- decoys


def _digits(rng: random.Random, k: int) -> str:
    return str(rng.randint(1, 9)) + "".join(rng.choices(string.digits, k=k - 1))


def _non_luhn16(ctx: _Ctx, n: int) -> list[str]:
    out = []
    for _ in range(n):
        v = _digits(ctx.rng, 16)
        if sn_luhn.is_valid(v):
            v = v[:-1] + str((int(v[-1]) + 1) % 10)
        out.append(v)
    return out


def _ints(k: int) -> Maker:
    return lambda ctx, n: [_digits(ctx.rng, k) for _ in range(n)]


def _hashes(algo: str) -> Maker:
    return lambda ctx, n: [hashlib.new(algo, ctx.rng.randbytes(16)).hexdigest() for _ in range(n)]


def _versions(ctx: _Ctx, n: int) -> list[str]:
    r = ctx.rng
    out = []
    for _ in range(n):
        if r.random() < 0.5:
            out.append(f"{r.randint(256, 999)}.{r.randint(0, 30)}.{r.randint(0, 20)}.{r.randint(0, 99)}")
        else:
            out.append(f"{r.randint(0, 12)}.{r.randint(0, 30)}.{r.randint(0, 40)}")
    return out


def _uuids(ctx: _Ctx, n: int) -> list[str]:
    return [str(uuid.UUID(int=ctx.rng.getrandbits(128), version=4)) for _ in range(n)]


def _choice(options: Iterable[str]) -> Maker:
    opts = list(options)
    return lambda ctx, n: [ctx.rng.choice(opts) for _ in range(n)]


def _years(ctx: _Ctx, n: int) -> list[str]:
    return [str(ctx.rng.randint(1990, 2025)) for _ in range(n)]


def _order_dates(ctx: _Ctx, n: int) -> list[str]:
    f = ctx.fk("en_US")
    return [f.date_between(start_date=date(2019, 1, 1), end_date=date(2025, 6, 30)).isoformat() for _ in range(n)]


def _timestamps(ctx: _Ctx, n: int) -> list[str]:
    f = ctx.fk("en_US")
    return [f.date_time_between(start_date="-3y", end_date="now").strftime("%Y-%m-%dT%H:%M:%SZ") for _ in range(n)]


def _prices(ctx: _Ctx, n: int) -> list[str]:
    return [f"{ctx.rng.uniform(0.5, 2500):.2f}" for _ in range(n)]


def _skus(ctx: _Ctx, n: int) -> list[str]:
    r = ctx.rng
    return [f"SKU-{r.randint(10000, 99999)}-{''.join(r.choices(string.ascii_uppercase, k=2))}" for _ in range(n)]


def _product_codes(ctx: _Ctx, n: int) -> list[str]:
    r = ctx.rng
    return [
        f"P{r.randint(1000, 9999)}-{''.join(r.choices(string.ascii_uppercase, k=2))}-{r.randint(100, 999)}"
        for _ in range(n)
    ]


def _percentages(ctx: _Ctx, n: int) -> list[str]:
    return [f"{ctx.rng.uniform(0, 100):.1f}%" for _ in range(n)]


def _lorem(ctx: _Ctx, n: int) -> list[str]:
    f = ctx.fk("la")
    return [f.paragraph(nb_sentences=ctx.rng.randint(1, 4)) for _ in range(n)]


def _words(ctx: _Ctx, n: int) -> list[str]:
    f = ctx.fk("en_US")
    return [f.word() for _ in range(n)]


def _ean13(ctx: _Ctx, n: int) -> list[str]:
    f = ctx.fk("en_US")
    return [f.ean13() for _ in range(n)]


def _tracking(ctx: _Ctx, n: int) -> list[str]:
    r = ctx.rng
    return ["1Z" + "".join(r.choices(string.ascii_uppercase + string.digits, k=16)) for _ in range(n)]


def _session_ids(ctx: _Ctx, n: int) -> list[str]:
    return [ctx.rng.randbytes(16).hex() for _ in range(n)]


def _sequential(ctx: _Ctx, n: int) -> list[str]:
    start = ctx.rng.randint(100_000, 900_000)
    return [str(start + i) for i in range(n)]


def _quantities(ctx: _Ctx, n: int) -> list[str]:
    return [str(ctx.rng.randint(1, 50)) for _ in range(n)]


def _hex_colors(ctx: _Ctx, n: int) -> list[str]:
    return ["#" + ctx.rng.randbytes(3).hex() for _ in range(n)]


# ------------------------------------------------------------------------ specs


@dataclass(frozen=True)
class ColumnSpec:
    table: str
    column: str
    #: each label is a tuple of candidate classification names (first present wins)
    labels: tuple[tuple[str, ...], ...]
    make: Maker
    null_ratio: float = 0.0

    @property
    def kind(self) -> str:
        return f"{self.table}.{self.column}"

    @property
    def positive(self) -> bool:
        return bool(self.labels)


def _P(table: str, column: str, label: str | tuple[str, ...], make: Maker, null_ratio: float = 0.02) -> ColumnSpec:
    names = (label,) if isinstance(label, str) else label
    return ColumnSpec(table, column, (names,), make, null_ratio)


def _D(table: str, column: str, make: Maker, null_ratio: float = 0.0) -> ColumnSpec:
    return ColumnSpec(table, column, (), make, null_ratio)


EMAIL = ("EMAIL_ADDRESS", "EMAIL")
PHONE = ("PHONE_NUMBER",)
CARD = ("CREDIT_CARD_NUMBER", "CREDIT_CARD")
IBAN = ("IBAN_CODE", "IBAN")
SWIFT = ("SWIFT_CODE", "SWIFT_BIC", "BIC")
SSN = ("US_SOCIAL_SECURITY_NUMBER", "US_SSN")
IP = ("IP_ADDRESS",)
MAC = ("MAC_ADDRESS",)
URL = ("URL",)
VIN = ("VEHICLE_IDENTIFICATION_NUMBER", "VIN")
JWT = ("JSON_WEB_TOKEN", "JWT")
AWS = ("AWS_CREDENTIALS", "AWS_ACCESS_KEY_ID", "AWS_ACCESS_KEY")

_us_card = _faker("en_US", "credit_card_number", sn_luhn.is_valid)
_us_phone = _phones("en_US")

SPECS: tuple[ColumnSpec, ...] = (
    # ---- contact details
    _P("customers", "email", EMAIL, _faker("en_US", "email")),
    _P("crm_kontakte", "cust_mail", EMAIL, _faker("de_DE", "free_email")),
    _P("clientes", "correo_electronico", EMAIL, _faker("es_ES", "email")),
    _P("contacts_fr", "adresse_mail", EMAIL, _faker("fr_FR", "company_email")),
    _P("accounts", "login", EMAIL, _mix(_faker("en_GB", "email"), _faker("nl_NL", "email"), _faker("it_IT", "email"))),
    _P("customers", "phone", PHONE, _us_phone),
    _P("crm_kontakte", "telefon", PHONE, _phones("de_DE")),
    _P("contacts_fr", "telephone", PHONE, _phones("fr_FR")),
    _P("contacts_uk", "mobile", PHONE, _phones("en_GB")),
    _P("clientes", "telefono", PHONE, _phones("es_ES")),
    _P("klanten", "telefoonnummer", PHONE, _phones("nl_NL")),
    _P("kunder_se", "telefonnummer", PHONE, _phones("sv_SE")),
    _P("users_in", "contact_number", PHONE, _phones("en_IN")),
    _P("customers_au", "ph", PHONE, _phones("en_AU")),
    _P("clienti", "cellulare", PHONE, _phones("it_IT")),
    _P("klienci", "numer_telefonu", PHONE, _phones("pl_PL")),
    _P("clientes_br", "celular", PHONE, _phones("pt_BR")),
    _P("customers_ca", "phone_number", PHONE, _phones("en_CA")),
    # ---- finance
    _P("payments", "card_number", CARD, _us_card),
    _P("payments", "pan_formatted", CARD, _card_formatted),
    _P("bestellungen", "kartennummer", CARD, _faker("de_DE", "credit_card_number", sn_luhn.is_valid)),
    _P(
        "payments",
        "iban",
        IBAN,
        _mix(
            *(
                _faker(loc, "iban", _stdnum(sn_iban))
                for loc in ("de_DE", "fr_FR", "nl_NL", "es_ES", "it_IT", "pl_PL", "en_GB")
            )
        ),
    ),
    _P("suppliers", "bank_account", IBAN, _faker("en_GB", "iban", _stdnum(sn_iban))),
    _P("suppliers", "iban_print", IBAN, _iban_printed),
    _P("payments", "swift", SWIFT, _faker("en_US", "swift", _stdnum(sn_bic))),
    _P("suppliers", "bic", SWIFT, _faker("de_DE", "swift", _stdnum(sn_bic))),
    _P(
        "vendors",
        "routing_number",
        ("US_BANK_ROUTING_MICR", "ABA_ROUTING_NUMBER", "US_BANK_ROUTING_NUMBER"),
        _faker("en_US", "aba"),
    ),
    # ---- US identifiers
    _P("employees", "ssn", SSN, _ssn_plain),
    _P("hr_people", "social_security_number", SSN, _faker("en_US", "ssn", _stdnum(sn_us_ssn))),
    _P("w2_forms", "tax_id", SSN, _faker("en_US", "ssn", _stdnum(sn_us_ssn))),
    _P(
        "tax_returns",
        "itin",
        ("US_INDIVIDUAL_TAXPAYER_IDENTIFICATION_NUMBER", "US_ITIN"),
        _faker("en_US", "itin", _stdnum(sn_us_itin)),
    ),
    _P("vendors", "ein", ("US_EMPLOYER_IDENTIFICATION_NUMBER", "US_EIN"), _faker("en_US", "ein", _stdnum(sn_us_ein))),
    _P(
        "vendors",
        "employer_id_number",
        ("US_EMPLOYER_IDENTIFICATION_NUMBER", "US_EIN"),
        _faker("en_US", "ein", _stdnum(sn_us_ein)),
    ),
    _P("travellers", "passport_number", ("US_PASSPORT",), _faker("en_US", "passport_number")),
    # ---- network / technical
    _P("access_log", "client_ip", IP, _faker("en_US", "ipv4_public")),
    _P("access_log", "remote_addr_v6", IP, _faker("en_US", "ipv6")),
    _P("sessions", "ip", IP, _mix(_faker("en_US", "ipv4"), _faker("en_US", "ipv4_private"))),
    _P("devices", "mac_address", MAC, _faker("en_US", "mac_address", _stdnum(sn_mac))),
    _P("devices", "hw_addr", MAC, _mac_upper),
    _P("web_pages", "url", URL, _faker("en_US", "url")),
    _P("web_hits", "referrer", URL, _faker("en_US", "uri")),
    _P("vehicles", "vin", VIN, _faker("en_US", "vin", vin_ok)),
    _P("fleet", "fahrgestellnummer", VIN, _faker("de_DE", "vin", vin_ok)),
    _P("sessions", "access_token", JWT, _jwt),
    _P("api_clients", "auth_jwt", JWT, _jwt),
    _P("deploy_config", "aws_access_key_id", AWS, _aws_keys),
    _P("ci_secrets", "key", AWS, _aws_keys),
    _P("users", "password", ("PASSWORD",), _faker("en_US", "password")),
    _P("users", "password_hash", ("PASSWORD_HASH",), _bcrypt),
    _P("ci_secrets", "github_token", ("GITHUB_TOKEN",), _github_tokens),
    _P("websites", "domain", ("DOMAIN_NAME",), _faker("en_US", "domain_name")),
    _P("devices", "imei", ("IMEI_HARDWARE_ID",), _imeis),
    _P("stores", "coordinates", ("LOCATION_COORDINATES",), _coordinates),
    _P("stores", "latitude", ("LOCATION_COORDINATES",), _latitudes),
    # ---- securities / health / demographics
    _P("securities", "isin", ("ISIN",), _isins),
    _P("securities", "cusip", ("AMERICAN_BANKERS_CUSIP_ID", "CUSIP"), _cusips),
    _P("counterparties", "lei_code", ("LEI",), _leis),
    _P("providers", "npi", ("US_HEALTHCARE_NPI",), _npis),
    _P("prescribers", "dea_number", ("US_DEA_NUMBER",), _deas),
    _P("medicare_claims", "mbi", ("US_MEDICARE_BENEFICIARY_ID_NUMBER",), _mbis),
    _P("payments", "cvv", ("CREDIT_CARD_CVV",), _faker("en_US", "credit_card_security_code")),
    _P("bank_accounts", "account_number", ("FINANCIAL_ACCOUNT_NUMBER",), _account_numbers),
    _P("patients", "age", ("AGE",), _ages),
    _P("customers", "gender", ("GENDER",), _choice(["Male", "Female", "M", "F", "Non-binary", "Unknown"])),
    _P("kunden_de", "geschlecht", ("GENDER",), _choice(["männlich", "weiblich", "divers"])),
    _P(
        "customers",
        "marital_status",
        ("MARITAL_STATUS",),
        _choice(["Single", "Married", "Divorced", "Widowed", "Separated"]),
    ),
    _P(
        "patients",
        "ethnicity",
        ("ETHNIC_GROUP",),
        _choice(
            [
                "White",
                "Black or African American",
                "Asian",
                "Hispanic or Latino",
                "Two or more races",
                "Prefer not to say",
            ]
        ),
    ),
    _P("customers", "zip", ("POSTAL_CODE",), _faker("en_US", "zipcode")),
    _P("kunden_de", "plz", ("POSTAL_CODE",), _faker("de_DE", "postcode")),
    _P("customers_uk", "postcode", ("POSTAL_CODE",), _faker("en_GB", "postcode")),
    # ---- people (held-out name locales)
    _P("customers_uk", "full_name", "PERSON_NAME", _full_names("en_GB")),
    _P("clients_qc", "nom_complet", "PERSON_NAME", _full_names("fr_CA")),
    _P("kunden_at", "name", "PERSON_NAME", _full_names("de_AT")),
    _P("clientes_mx", "nombre_completo", "PERSON_NAME", _full_names("es_MX")),
    _P("accounts", "account_holder", "PERSON_NAME", _full_names("en_GB", "fr_CA", "de_AT", "es_MX")),
    _P("customers_jp", "customer_name", "PERSON_NAME", _ja_romanized),
    _P("customers_uk", "first_name", "FIRST_NAME", _faker("en_GB", "first_name")),
    _P("kunden_at", "vorname", "FIRST_NAME", _faker("de_AT", "first_name")),
    _P("clientes_mx", "nombre", "FIRST_NAME", _faker("es_MX", "first_name")),
    _P("customers_uk", "last_name", "LAST_NAME", _faker("en_GB", "last_name")),
    _P("kunden_at", "nachname", "LAST_NAME", _faker("de_AT", "last_name")),
    _P("clientes_mx", "apellido", "LAST_NAME", _faker("es_MX", "last_name")),
    _P("customers", "street_address", "STREET_ADDRESS", _addresses("en_US")),
    _P("customers_uk", "address_line1", "STREET_ADDRESS", _addresses("en_GB")),
    _P("kunden_de", "strasse", "STREET_ADDRESS", _addresses("de_DE")),
    _P("patients", "date_of_birth", "DATE_OF_BIRTH", _dob),
    _P("members", "dob", "DATE_OF_BIRTH", _dob),
    _P("kunden_de", "geburtsdatum", "DATE_OF_BIRTH", _dob),
    # ---- national identifiers (Europe)
    _P("assures", "nir", ("FRANCE_NIR",), _faker("fr_FR", "ssn", _stdnum(sn_fr_nir))),
    _P("empleados", "dni", ("SPAIN_DNI_NUMBER",), _faker("es_ES", "nif", _stdnum(sn_es_dni))),
    _P("empleados", "nie", ("SPAIN_NIE_NUMBER",), _faker("es_ES", "nie", _stdnum(sn_es_nie))),
    _P("dipendenti", "codice_fiscale", ("ITALY_FISCAL_CODE",), _faker("it_IT", "ssn", _stdnum(sn_it_cf))),
    _P("medewerkers", "bsn", ("NETHERLANDS_BSN_NUMBER",), _faker("nl_NL", "ssn", _stdnum(sn_nl_bsn))),
    _P("pracownicy", "pesel", ("POLAND_PESEL_NUMBER",), _faker("pl_PL", "pesel", _stdnum(sn_pl_pesel))),
    _P("anstallda", "personnummer", ("SWEDEN_NATIONAL_ID_NUMBER",), _faker("sv_SE", "ssn", _stdnum(sn_se_pnr))),
    _P("medarbejdere", "cpr_nummer", ("DENMARK_CPR_NUMBER",), _dk_cpr),
    _P("tyontekijat", "henkilotunnus", ("FINLAND_NATIONAL_ID_NUMBER",), _faker("fi_FI", "ssn", _stdnum(sn_fi_hetu))),
    _P(
        "ansatte",
        "fodselsnummer",
        ("NORWAY_NI_NUMBER", "NORWAY_NATIONAL_ID_NUMBER", "NORWAY_BIRTH_NUMBER"),
        _faker("no_NO", "ssn", _stdnum(sn_no_fnr)),
    ),
    # ---- national identifiers (rest of the world)
    _P("clientes_br", "cpf", ("BRAZIL_CPF_NUMBER",), _faker("pt_BR", "cpf", _stdnum(sn_br_cpf))),
    _P("pacientes_br", "cpf_numero", ("BRAZIL_CPF_NUMBER",), _cpf_plain),
    _P("empresas_br", "cnpj", ("BRAZIL_CNPJ_NUMBER",), _faker("pt_BR", "cnpj", _stdnum(sn_br_cnpj))),
    _P("users_in", "aadhaar", ("INDIA_AADHAAR_INDIVIDUAL",), _faker("en_IN", "aadhaar_id", _stdnum(sn_in_aadhaar))),
    _P(
        "users_in",
        "pan_no",
        ("INDIA_PAN_INDIVIDUAL",),
        _faker("en_IN", "pan", lambda v: len(v) == 10 and v[3] == "P" and _stdnum(sn_in_pan)(v)),
    ),
    _P("employees_ca", "sin", ("CANADA_SOCIAL_INSURANCE_NUMBER",), _faker("en_CA", "ssn", _stdnum(sn_ca_sin))),
    _P("customers_kr", "resident_registration_number", ("KOREA_RRN",), _faker("ko_KR", "ssn", _stdnum(sn_kr_rrn))),
    _P("customers_cn", "resident_id", ("CHINA_RESIDENT_ID_NUMBER",), _faker("zh_CN", "ssn", _stdnum(sn_cn_ric))),
    _P("customers_tw", "national_id", ("TAIWAN_ID_NUMBER",), _faker("zh_TW", "ssn", _taiwan_ok)),
    _P("musteriler", "tc_kimlik_no", ("TURKEY_ID_NUMBER",), _faker("tr_TR", "ssn", _stdnum(sn_tr_tc))),
    _P("kliienty", "rnokpp", ("UKRAINE_RNOKPP",), _faker("uk_UA", "ssn", _stdnum(sn_ua_rntrc))),
    _P("clientes_mx", "curp", ("MEXICO_CURP_NUMBER",), _faker("es_MX", "curp", _stdnum(sn_mx_curp))),
    _P("clientes_mx", "rfc", ("MEXICO_RFC",), _faker("es_MX", "rfc", _stdnum(sn_mx_rfc))),
    _P("clientes_ar", "cuit", ("ARGENTINA_CUIT",), _faker("es_AR", "cuit", _stdnum(sn_ar_cuit))),
    _P("clientes_cl", "rut", ("CHILE_CDI_NUMBER",), _faker("es_CL", "person_rut", _stdnum(sn_cl_rut))),
    _P("clientes_co", "cedula_ciudadania", ("COLOMBIA_CDC_NUMBER",), _faker("es_CO", "nuip")),
    _P(
        "proveedores_co",
        "nit",
        ("COLOMBIA_NIT",),
        _faker("es_CO", "legal_person_nit_with_check_digit", _stdnum(sn_co_nit)),
    ),
    _P("customers_th", "thai_citizen_id", ("THAILAND_NATIONAL_ID_NUMBER",), _faker("th_TH", "ssn", _stdnum(sn_th_pin))),
    _P("klienty_ru", "inn", ("RUSSIA_INN",), _faker("ru_RU", "individuals_inn", _stdnum(sn_ru_inn))),
    _P("customers_il", "teudat_zehut", ("ISRAEL_IDENTITY_CARD_NUMBER",), _faker("he_IL", "ssn", _stdnum(sn_il_idnr))),
    # ---- sparse / embedded
    _P(
        "support_tickets",
        "notes",
        EMAIL,
        _embedded(
            _faker("en_US", "email"), ("{text} Reply to {v}.", "Customer wrote from {v}: {text}", "{text} cc {v}")
        ),
        0.0,
    ),
    _P(
        "support_tickets",
        "call_log",
        PHONE,
        _embedded(_us_phone, ("{text} Call back on {v}.", "Caller {v} said: {text}", "{text} (tel {v})")),
        0.0,
    ),
    _P(
        "orders",
        "comment",
        CARD,
        _embedded(_us_card, ("{text} Paid with card {v}.", "Card {v} declined, {text}", "{text} card no {v}")),
        0.0,
    ),
    _P("hr_cases", "case_notes", SSN, _sparse_ssn, 0.0),
    # ---- decoys
    _D("payments", "transaction_ref", _non_luhn16),
    _D("billing", "account_ref", _ints(9)),
    _D("files", "md5", _hashes("md5")),
    _D("files", "sha1", _hashes("sha1")),
    _D("software", "version", _versions),
    _D("objects", "guid", _uuids),
    _D("users", "email_opt_in", _choice(["true", "false"])),
    _D("users", "email_verified", _choice(["True", "False", "yes", "no", "0", "1"])),
    _D(
        "payments",
        "card_type",
        _choice(["Visa", "Mastercard", "American Express", "Discover", "JCB", "Diners Club", "Maestro"]),
    ),
    _D("vehicles", "model_year", _years),
    _D("orders", "order_date", _order_dates),
    _D("orders", "created_at", _timestamps),
    _D("orders", "price", _prices),
    _D("products", "sku", _skus),
    _D("orders", "order_number", _ints(10)),
    _D("orders", "tracking_number", _tracking),
    _D("orders", "quantity", _quantities),
    _D("orders", "customer_id", _sequential),
    _D("products", "ean", _ean13),
    _D("products", "color", _hex_colors),
    _D("web_sessions", "session_id", _session_ids),
    _D("misc", "tag", _words),
    _D("geo", "city", _faker("en_US", "city")),
    _D("geo", "country_code", _faker("en_US", "country_code")),
    _D(
        "http_log",
        "status_code",
        _choice(
            ["200", "201", "204", "301", "302", "304", "400", "401", "403", "404", "409", "429", "500", "502", "503"]
        ),
    ),
    _D("stats", "conversion_rate", _percentages),
    _D("content", "body", _lorem),
    _D("content", "summary", _sentences),
    # ---- misleading names
    _D("legacy", "email", _words),
    _D("legacy", "ssn", _uuids),
    _D("legacy", "phone", _product_codes),
    _D("legacy", "credit_card", _choice(["visa", "mastercard", "amex", "VISA", "MasterCard"])),
)


@lru_cache(maxsize=1)
def builtin_names() -> frozenset[str]:
    from scanrules_server.engine.library import builtin_classifications

    return frozenset(c.name for c in builtin_classifications())


def resolve_labels(spec: ColumnSpec, available: Iterable[str]) -> frozenset[str] | None:
    """The spec's labels as present in the library; None if a positive spec has none."""
    names = set(available)
    out = set()
    for candidates in spec.labels:
        hit = next((c for c in candidates if c in names), None)
        if hit is not None:
            out.add(hit)
    if spec.positive and not out:
        return None
    return frozenset(out)


def spec_by_kind(kind: str) -> ColumnSpec:
    for spec in SPECS:
        if spec.kind == kind:
            return spec
    raise KeyError(kind)


def generate_values(spec: ColumnSpec, n: int, seed: int = 7, nulls: bool = True) -> list[str | None]:
    """n values for one spec (raises TooFewValid when Faker cannot produce enough valid ones)."""
    ctx = _Ctx(seed, spec.kind)
    values: list[str | None] = list(spec.make(ctx, n))
    if nulls and spec.null_ratio:
        for i in range(n):
            if ctx.rng.random() < spec.null_ratio:
                values[i] = None
    return values


def build_corpus(
    rows_per_column: int = 2000,
    seed: int = 7,
    available: Iterable[str] | None = None,
    skipped: list[tuple[str, str]] | None = None,
) -> list[LabeledColumn]:
    """Every column whose classifications exist in the library (decoys always).

    `skipped`, if given, receives (kind, reason) for each spec left out.
    """
    names = frozenset(available) if available is not None else builtin_names()
    out: list[LabeledColumn] = []
    for spec in SPECS:
        labels = resolve_labels(spec, names)
        if labels is None:
            if skipped is not None:
                skipped.append((spec.kind, "classification not in library: " + "/".join(spec.labels[0])))
            continue
        try:
            values = generate_values(spec, rows_per_column, seed)
        except (TooFewValid, AttributeError) as exc:
            if skipped is not None:
                skipped.append((spec.kind, f"cannot generate: {exc}"))
            continue
        out.append(LabeledColumn(spec.table, spec.column, values, labels))
    return out


if __name__ == "__main__":
    import sys

    skipped: list[tuple[str, str]] = []
    corpus = build_corpus(int(sys.argv[1]) if len(sys.argv) > 1 else 2000, skipped=skipped)
    for col in corpus:
        sample = [v for v in col.values if v is not None][:3]
        print(f"{col.table}.{col.column:<32} {','.join(sorted(col.labels)) or '-':<40} {sample}")
    for kind, why in skipped:
        print(f"skipped {kind}: {why}")
