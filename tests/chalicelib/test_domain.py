from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from chalicelib.domain import (
    NOTES_MAX_LENGTH,
    ORDER_MAX,
    ORDER_MIN,
    TITLE_MAX_LENGTH,
    Priority,
    Todo,
    parse_bulk_completed,
    parse_changes,
    parse_new_todo,
)
from chalicelib.errors import ValidationError


def test_new_todo_defaults() -> None:
    assert parse_new_todo({"title": "  Buy milk "}) == {
        "title": "Buy milk",
        "completed": False,
        "order": 0,
        "notes": None,
        "due": None,
        "priority": Priority.NORMAL,
    }


def test_new_todo_with_every_field() -> None:
    parsed = parse_new_todo(
        {
            "title": "Pay rent",
            "completed": True,
            "order": -5,
            "notes": "by transfer",
            "due": "2026-12-01",
            "priority": "high",
        }
    )
    assert parsed["due"] == dt.date(2026, 12, 1)
    assert parsed["priority"] is Priority.HIGH
    assert parsed["order"] == -5


@pytest.mark.parametrize(
    ("payload", "field", "problem"),
    [
        ({}, "title", "required"),
        ({"title": ""}, "title", "must not be empty"),
        ({"title": "   "}, "title", "must not be empty"),
        ({"title": None}, "title", "must be a string"),
        ({"title": 5}, "title", "must be a string"),
        ({"title": "x" * (TITLE_MAX_LENGTH + 1)}, "title", "at most"),
        ({"title": "a", "completed": "yes"}, "completed", "true or false"),
        ({"title": "a", "completed": 1}, "completed", "true or false"),
        ({"title": "a", "order": "1"}, "order", "integer"),
        ({"title": "a", "order": 1.5}, "order", "integer"),
        ({"title": "a", "order": True}, "order", "integer"),
        ({"title": "a", "order": ORDER_MAX + 1}, "order", "between"),
        ({"title": "a", "order": ORDER_MIN - 1}, "order", "between"),
        ({"title": "a", "notes": 3}, "notes", "string or null"),
        ({"title": "a", "notes": "n" * (NOTES_MAX_LENGTH + 1)}, "notes", "at most"),
        ({"title": "a", "due": "2026-02-30"}, "due", "YYYY-MM-DD"),
        ({"title": "a", "due": "26-11-2026"}, "due", "YYYY-MM-DD"),
        ({"title": "a", "due": "2026-W48-1"}, "due", "YYYY-MM-DD"),
        ({"title": "a", "due": 20261126}, "due", "YYYY-MM-DD"),
        ({"title": "a", "priority": "urgent"}, "priority", "one of"),
        ({"title": "a", "colour": "red"}, "colour", "unknown field"),
        ({"title": "a", "id": "01ABC"}, "id", "read-only"),
        ({"title": "a", "version": 3}, "version", "read-only"),
    ],
)
def test_invalid_new_todo_names_the_field(
    payload: dict[str, Any], field: str, problem: str
) -> None:
    with pytest.raises(ValidationError) as raised:
        parse_new_todo(payload)
    assert raised.value.fields is not None
    assert problem in raised.value.fields[field]


@pytest.mark.parametrize("payload", [None, [], "title", 3, True])
def test_body_must_be_an_object(payload: Any) -> None:
    with pytest.raises(ValidationError, match="JSON object"):
        parse_new_todo(payload)


def test_every_bad_field_is_reported_at_once() -> None:
    with pytest.raises(ValidationError) as raised:
        parse_new_todo({"title": "", "order": "x", "extra": 1})
    assert set(raised.value.fields or {}) == {"title", "order", "extra"}


def test_changes_keep_only_what_was_sent_and_allow_clearing() -> None:
    changes = parse_changes({"notes": None, "due": None, "completed": True})
    assert changes.values == {"notes": None, "due": None, "completed": True}


def test_empty_changes_are_rejected() -> None:
    with pytest.raises(ValidationError, match="at least one"):
        parse_changes({})


def test_bulk_completed() -> None:
    assert parse_bulk_completed({"completed": True}) is True
    for bad in ({}, {"completed": "true"}, {"completed": True, "title": "x"}):
        with pytest.raises(ValidationError):
            parse_bulk_completed(bad)


@pytest.mark.parametrize("name", ["title", "notes", "due", "priority"])
def test_a_lone_surrogate_is_rejected_naming_the_field(name: str) -> None:
    with pytest.raises(ValidationError) as raised:
        parse_new_todo({"title": "ok", name: "a\ud800b"})
    assert raised.value.fields == {name: "must not contain lone UTF-16 surrogates"}


def test_unknown_fields_are_not_echoed_unbounded() -> None:
    payload = {f"{i}-" + "x" * 10_000: 1 for i in range(1_000)}
    with pytest.raises(ValidationError) as raised:
        parse_changes({**payload, "\udc00": 2})
    fields = raised.value.fields or {}
    assert len(fields) == 10
    assert all(len(name) <= 64 for name in fields)
    assert len(raised.value.message) < 1_000
    assert raised.value.message.endswith("and 991 more")


def test_a_change_bumps_the_version_and_keeps_the_first_completion() -> None:
    created = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    todo = Todo("01ARZ3NDEKTSV4RRFFQ69G5FAV", "u", "t", False, 0, None, None,
                Priority.NORMAL, created, created, None, 1)  # fmt: skip
    first, later = created + dt.timedelta(1), created + dt.timedelta(2)
    done = todo.changed({"completed": True}, first)
    assert (done.version, done.completed_at, done.updated_at) == (2, first, first)
    assert done.changed({"completed": True}, later).completed_at == first
    assert done.changed({"title": "x"}, later).completed_at == first
    assert done.changed({"completed": False}, later).completed_at is None
