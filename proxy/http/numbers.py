"""One way to accept a number from a client: finite, in range, ASCII digits only.

Query strings and form fields arrive as text; ``str.isdigit`` accepts ``"²"`` (which
``int`` then refuses, a 500) and ``int`` reads ``"٤"`` as 4, so text is matched against
ASCII patterns here. JSON numbers are held to the same rules while parsing (see
``proxy.jsonbody``), and the admin models use the pydantic types below, so a number
that would not fit the 64-bit database column, or is infinite or NaN, is a 400 before
anything is written.
"""

from __future__ import annotations

import math
import re
from typing import Annotated

from pydantic import Field

from tarash_gateway.proxy.http.errors import APIError

INT64_MIN = -(2**63)
INT64_MAX = 2**63 - 1
MAX_UNIX_SECONDS = 253_402_300_799.0
"""9999-12-31T23:59:59Z, the last second a datetime can hold."""
MAX_USD = 1e12

_INT_TEXT = re.compile(r"[+-]?[0-9]{1,19}")
_FLOAT_TEXT = re.compile(
    r"[+-]?(?:[0-9]{1,20}(?:\.[0-9]{0,20})?|\.[0-9]{1,20})(?:[eE][+-]?[0-9]{1,3})?"
)

Int64 = Annotated[int, Field(ge=INT64_MIN, le=INT64_MAX)]
PositiveInt64 = Annotated[int, Field(gt=0, le=INT64_MAX)]
"""A count or limit (rpm, parallel jobs) that fits a BIGINT."""
Usd = Annotated[float, Field(ge=0, le=MAX_USD, allow_inf_nan=False)]
UnixSeconds = Annotated[float, Field(ge=0, le=MAX_UNIX_SECONDS, allow_inf_nan=False)]
FiniteFloat = Annotated[float, Field(allow_inf_nan=False)]


def _invalid(param: str, value: object, expected: str) -> APIError:
    shown = repr(value) if len(repr(value)) <= 64 else repr(value)[:61] + "..."
    return APIError(
        400, f"Invalid {param} {shown}; expected {expected}.", param=param, code="invalid_value"
    )


def parse_int(value: object, *, param: str, low: int, high: int) -> int:
    """A JSON integer or ASCII digits (optionally signed) in ``[low, high]``."""
    expected = f"a whole number from {low} to {high}"
    if isinstance(value, bool):
        raise _invalid(param, value, expected)
    if isinstance(value, int):
        number = value
    elif isinstance(value, str) and _INT_TEXT.fullmatch(value.strip()):
        number = int(value.strip())
    else:
        raise _invalid(param, value, expected)
    if not low <= number <= high:
        raise _invalid(param, value, expected)
    return number


def parse_float(value: object, *, param: str, low: float, high: float) -> float:
    """A finite JSON number or ASCII decimal text in ``[low, high]``."""
    expected = f"a number from {low:g} to {high:g}"
    if isinstance(value, bool):
        raise _invalid(param, value, expected)
    if isinstance(value, int | float):
        number = float(value) if abs(value) <= 1e308 else math.inf
    elif isinstance(value, str) and _FLOAT_TEXT.fullmatch(value.strip()):
        number = float(value.strip())
    else:
        raise _invalid(param, value, expected)
    if not math.isfinite(number) or not low <= number <= high:
        raise _invalid(param, value, expected)
    return number


def json_float(text: str) -> float:
    """``json.loads``'s ``parse_float``: ``1e400`` is refused, not read as infinity."""
    number = float(text)
    if not math.isfinite(number):
        raise ValueError(f"number {text[:32]} is out of range")
    return number


def json_int(text: str) -> int:
    """``json.loads``'s ``parse_int``: integers must fit in 64 bits."""
    if len(text) > 20 or not INT64_MIN <= (number := int(text)) <= INT64_MAX:
        raise ValueError(f"integer {text[:32]} does not fit in 64 bits")
    return number


def json_constant(text: str) -> float:
    """``json.loads``'s ``parse_constant``: NaN and Infinity are not JSON."""
    raise ValueError(f"{text} is not a valid JSON number")
