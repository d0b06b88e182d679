"""The todo itself: its fields, their limits, and validation of client input.

Nothing here knows about HTTP or DynamoDB.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import Any

from chalicelib.errors import ValidationError, bounded_fields

TITLE_MAX_LENGTH = 500
NOTES_MAX_LENGTH = 10_000
ORDER_MIN = -1_000_000_000
ORDER_MAX = 1_000_000_000
DEFAULT_ORDER = 0
# Abuse limits (docs/data-model.md, "Limits"): todos one user may keep, and how
# many todos one bulk call (PATCH/DELETE /todos) changes before asking the
# client to call again.
TODO_QUOTA = 5_000
BULK_LIMIT = 500
_DATE_PATTERN = re.compile(r"^\d{4}-\d{2}-\d{2}$")

# What a title may hold, as character classes that Python's `re` and ECMA-262 read
# alike (openapi.yaml's title pattern is TITLE_PATTERN, checked by tests/contract/test_openapi.py):
# control characters (Unicode Cc: NUL, escape, DEL, the C1 controls, tab and newline too)
_CONTROL = r"\x00-\x1f\x7f-\x9f"
# Python's whitespace (what str.strip removes), code point by code point;
_WHITESPACE = r"\t-\r\x1c-\x20\x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"
# the format characters (Unicode Cf) of the Basic Multilingual Plane but those with a
# glyph of their own (the Arabic and Syriac number signs, "prepended concatenation
# marks"): soft hyphen, zero-width space and joiners, bidi marks, word joiner, BOM...;
_FORMAT = r"\xad\u061c\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb"
# and the fillers that render as blank space (Hangul fillers, the blank braille cell).
_FILLERS = r"\u115f\u1160\u3164\uffa0\u2800"
_INVISIBLE = _CONTROL + _WHITESPACE + _FORMAT + _FILLERS
# No control character anywhere, and at least one character that shows.
TITLE_PATTERN = f"^[^{_CONTROL}]*[^{_INVISIBLE}][^{_CONTROL}]*$"
_CONTROL_CHARACTER = re.compile(f"[{_CONTROL}]")
_VISIBLE_CHARACTER = re.compile(f"[^{_INVISIBLE}]")


class Priority(StrEnum):
    LOW = "low"
    NORMAL = "normal"
    HIGH = "high"


PRIORITIES = tuple(p.value for p in Priority)
WRITABLE_FIELDS = ("title", "completed", "order", "notes", "due", "priority")
READ_ONLY_FIELDS = ("id", "url", "created_at", "updated_at", "completed_at", "version")


@dataclass(frozen=True)
class Todo:
    id: str
    owner: str
    title: str
    completed: bool
    order: int
    notes: str | None
    due: dt.date | None
    priority: Priority
    created_at: dt.datetime
    updated_at: dt.datetime
    completed_at: dt.datetime | None
    version: int

    def changed(self, changes: dict[str, Any], at: dt.datetime) -> Todo:
        """This todo after `changes` (validated writable fields) at `at`.

        The rules of a change, which the DynamoDB adapter runs as one update
        expression (chalicelib.dynamo._update_actions):
        - every change bumps the version by exactly VERSION_STEP;
        - completion_time: the first completion sets completed_at, completing
          again keeps it, reopening clears it.
        """
        values = {**changes, "updated_at": at, "version": self.version + VERSION_STEP}
        if "completed" in changes:
            values["completed_at"] = completion_time(changes["completed"], self.completed_at, at)
        return replace(self, **values)

    def to_json(self, url: str) -> dict[str, Any]:
        return {
            "id": self.id,
            "url": url,
            "title": self.title,
            "completed": self.completed,
            "order": self.order,
            "notes": self.notes,
            "due": self.due.isoformat() if self.due else None,
            "priority": self.priority.value,
            "created_at": format_timestamp(self.created_at),
            "updated_at": format_timestamp(self.updated_at),
            "completed_at": format_timestamp(self.completed_at) if self.completed_at else None,
            "version": self.version,
        }


VERSION_STEP = 1


def completion_time(
    completed: bool, previous: dt.datetime | None, at: dt.datetime
) -> dt.datetime | None:
    """When a todo counts as completed: kept from the first completion, cleared on reopening."""
    if not completed:
        return None
    return previous or at


@dataclass(frozen=True)
class TodoChanges:
    """A validated partial update: only the fields the client sent."""

    values: dict[str, Any] = field(default_factory=dict)


def format_timestamp(value: dt.datetime) -> str:
    return value.astimezone(dt.UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def parse_new_todo(payload: Any) -> dict[str, Any]:
    """Validate a create request body; returns every writable field, defaults filled in."""
    values = _parse_fields(payload)
    if "title" not in values:
        raise ValidationError("title is required", fields={"title": "required"})
    return {
        "title": values["title"],
        "completed": values.get("completed", False),
        "order": values.get("order", DEFAULT_ORDER),
        "notes": values.get("notes"),
        "due": values.get("due"),
        "priority": values.get("priority", Priority.NORMAL),
    }


def parse_changes(payload: Any) -> TodoChanges:
    values = _parse_fields(payload)
    if not values:
        raise ValidationError(
            "the body must contain at least one of: " + ", ".join(WRITABLE_FIELDS)
        )
    return TodoChanges(values)


def parse_bulk_completed(payload: Any) -> bool:
    """Body of PATCH /todos: exactly {"completed": bool}."""
    values = _parse_fields(payload)
    if set(values) != {"completed"}:
        raise ValidationError(
            'the body must be exactly {"completed": true|false}',
            fields={name: "not allowed here" for name in values if name != "completed"}
            or {"completed": "required"},
        )
    completed: bool = values["completed"]
    return completed


def _parse_fields(payload: Any) -> dict[str, Any]:
    if not isinstance(payload, dict):
        raise ValidationError("the body must be a JSON object")
    errors: dict[str, str] = {}
    values: dict[str, Any] = {}
    for name, raw in payload.items():
        if name in READ_ONLY_FIELDS:
            errors[name] = "read-only"
        elif name not in _PARSERS:
            errors[name] = "unknown field"
        elif isinstance(raw, str) and has_lone_surrogate(raw):
            # Valid JSON ("\ud800"), but no UTF-8 string can hold it: DynamoDB cannot store it.
            errors[name] = "must not contain lone UTF-16 surrogates"
        else:
            try:
                values[name] = _PARSERS[name](raw)
            except ValueError as exc:
                errors[name] = str(exc)
    if errors:
        raise ValidationError(_summary(errors), fields=errors)
    return values


def _summary(errors: dict[str, str]) -> str:
    shown = bounded_fields(errors)
    summary = "; ".join(f"{name}: {problem}" for name, problem in shown.items())
    if len(errors) > len(shown):
        summary += f"; and {len(errors) - len(shown)} more"
    return "invalid fields: " + summary


def has_lone_surrogate(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def _parse_title(raw: Any) -> str:
    """The title as stored: NFC, trimmed. NFC first, so the same text has the same
    length whether the client sent it composed ("\u00e9") or decomposed ("e\u0301")."""
    if not isinstance(raw, str):
        raise ValueError("must be a string")
    if _CONTROL_CHARACTER.search(raw):
        raise ValueError("must not contain control characters")
    title = unicodedata.normalize("NFC", raw).strip()
    if not title:
        raise ValueError("must not be empty")
    if not _VISIBLE_CHARACTER.search(title):
        raise ValueError("must contain a visible character")
    if len(title) > TITLE_MAX_LENGTH:
        raise ValueError(f"must be at most {TITLE_MAX_LENGTH} characters")
    return title


def _parse_completed(raw: Any) -> bool:
    if not isinstance(raw, bool):
        raise ValueError("must be true or false")
    return raw


def _parse_order(raw: Any) -> int:
    # bool is a subclass of int in Python; JSON true is not an order.
    if isinstance(raw, bool) or not isinstance(raw, int):
        raise ValueError("must be an integer")
    if not ORDER_MIN <= raw <= ORDER_MAX:
        raise ValueError(f"must be between {ORDER_MIN} and {ORDER_MAX}")
    return raw


def _parse_notes(raw: Any) -> str | None:
    if raw is None:
        return None
    if not isinstance(raw, str):
        raise ValueError("must be a string or null")
    if len(raw) > NOTES_MAX_LENGTH:
        raise ValueError(f"must be at most {NOTES_MAX_LENGTH} characters")
    return raw or None


def _parse_due(raw: Any) -> dt.date | None:
    if raw is None:
        return None
    # fromisoformat alone would also take week dates such as 2026-W48-1.
    if not isinstance(raw, str) or not _DATE_PATTERN.match(raw):
        raise ValueError("must be a date as YYYY-MM-DD or null")
    try:
        return dt.date.fromisoformat(raw)
    except ValueError:
        raise ValueError("must be a date as YYYY-MM-DD or null") from None


def _parse_priority(raw: Any) -> Priority:
    if not isinstance(raw, str) or raw not in PRIORITIES:
        raise ValueError("must be one of: " + ", ".join(PRIORITIES))
    return Priority(raw)


_PARSERS = {
    "title": _parse_title,
    "completed": _parse_completed,
    "order": _parse_order,
    "notes": _parse_notes,
    "due": _parse_due,
    "priority": _parse_priority,
}
