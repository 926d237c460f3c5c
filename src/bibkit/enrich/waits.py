"""What a service says about waiting: a Retry-After header, rate-limit headers, and a 429
that means a budget is spent (OpenAlex meters credits a day: no retry is answered before it
resets, so the service is not asked again this run)."""

from __future__ import annotations

import datetime
import email.utils
import json
import re
from typing import Any


def retry_after(value: str | None, now: float) -> float | None:
    """Seconds to wait from a Retry-After header: delta-seconds or an HTTP date."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - now)


# a 429 that says a budget is spent, not that requests came too fast (OpenAlex: "daily limit
# exceeded", with X-RateLimit-Remaining 0)
_BUDGET_WORDS = re.compile(rb"daily|per day|budget|credits?|quota", re.IGNORECASE)


def quota_spent(code: int, headers: Any, answer: bytes, now: float) -> str | None:
    """Why no request will be answered before a reset ("the day's budget is spent, resets
    in 7 h 12 min"), or None for an ordinary 429 that a wait cures."""
    if code != 429:
        return None
    remaining = (headers.get("X-RateLimit-Remaining") or headers.get("X-RateLimit-Remaining-USD")
                 or "").strip()
    try:
        exhausted = bool(remaining) and float(remaining) <= 0
    except ValueError:
        exhausted = False
    if not exhausted and not _BUDGET_WORDS.search(answer):
        return None
    when = reset_in(headers.get("X-RateLimit-Reset"), now)
    if when is None:
        when = _reset_in_body(answer, now)
    if when is None:  # documented as a daily budget: it resets at midnight UTC
        when = 86400 - now % 86400
    return f"the day's request budget is spent (resets in {span(when)})"


def reset_in(value: str | None, now: float) -> float | None:
    """Seconds until a reset given as seconds, a Unix time or an HTTP or ISO date."""
    if not value:
        return None
    value = value.strip()
    try:
        number = float(value)
    except ValueError:
        number = -1.0
    if number >= 0:
        return max(0.0, number - now) if number > 1e9 else number
    parsed = retry_after(value, now)
    if parsed is not None:
        return parsed
    try:
        when = datetime.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=datetime.UTC)
    return max(0.0, when.timestamp() - now)


def _reset_in_body(answer: bytes, now: float) -> float | None:
    """A JSON error body's reset time ({"resets_at": "2026-12-08T00:00:00Z"}, "reset_in")."""
    try:
        data = json.loads(answer)
    except ValueError:
        return None
    if not isinstance(data, dict):
        return None
    for name, value in data.items():
        if "reset" in str(name).lower() and isinstance(value, (str, int, float)):
            found = reset_in(str(value), now)
            if found is not None:
                return found
    return None


def span(seconds: float) -> str:
    """"7 h 12 min", "4 min", "30 s"."""
    seconds = int(seconds)
    if seconds >= 3600:
        return f"{seconds // 3600} h {seconds % 3600 // 60} min"
    return f"{seconds // 60} min" if seconds >= 60 else f"{seconds} s"
