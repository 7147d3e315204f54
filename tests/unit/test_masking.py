from __future__ import annotations

import pytest

from scanrules_server.engine.masking import mask


@pytest.mark.parametrize(
    ("raw", "masked"),
    [
        ("john@example.com", "j***@e******.com"),
        ("4242 4242 4242 4242", "**** **** **** 4242"),
        ("123-45-6789", "***-**-6789"),
        ("John Smith", "J*** S****"),
        ("abc", "***"),
    ],
)
def test_mask(raw: str, masked: str) -> None:
    assert mask(raw) == masked


@pytest.mark.parametrize(
    "raw", ["AKIAIOSFODNN7EXAMPLE", "hunter2-password", "FR7630006000011234567890189", "DE89370400440532013000"]
)
def test_mask_never_reveals_most_of_a_secret(raw: str) -> None:
    masked = mask(raw)
    assert len(masked) == len(raw)
    revealed = sum(1 for a, b in zip(raw, masked, strict=True) if a == b and a.isalnum())
    assert revealed <= 4
