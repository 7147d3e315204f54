"""Masking of evidence: what users see of a matched value never reveals it."""

from __future__ import annotations


def _mask_word(word: str) -> str:
    return word[:1] + "*" * max(len(word) - 1, 3) if word else word


def mask(value: str) -> str:
    """`john@example.com` -> `j***@e******.com`; `4242 4242 4242 4242` -> `**** **** **** 4242`."""
    value = value.strip()
    if "@" in value and "." in value.split("@", 1)[1]:
        local, domain = value.split("@", 1)
        host, _, tld = domain.rpartition(".")
        return f"{_mask_word(local)}@{_mask_word(host)}.{tld}"
    alnum = [c for c in value if c.isalnum()]
    digits = sum(c.isdigit() for c in alnum)
    if alnum and digits / len(alnum) >= 0.6 and len(alnum) >= 8:
        # Numbers: keep the last four digits, as card receipts do.
        keep_from = len(alnum) - 4
        out, seen = [], 0
        for c in value:
            if c.isalnum():
                out.append(c if seen >= keep_from else "*")
                seen += 1
            else:
                out.append(c)
        return "".join(out)
    if len(alnum) <= 4:
        return "*" * len(value)
    if " " in value:
        return " ".join(_mask_word(w) for w in value.split())
    # Tokens and other single strings: a short prefix says what kind of thing it is.
    prefix = 4 if len(value) >= 20 else 1
    return value[:prefix] + "*" * (len(value) - prefix)
