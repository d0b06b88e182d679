from __future__ import annotations

import datetime as dt
import re
import unicodedata
from typing import Any

import pytest

from chalicelib.domain import (
    NOTES_MAX_LENGTH,
    ORDER_MAX,
    ORDER_MIN,
    TITLE_MAX_LENGTH,
    TITLE_PATTERN,
    Priority,
    Todo,
    parse_bulk_completed,
    parse_changes,
    parse_new_todo,
)
from chalicelib.errors import ValidationError
from chalicelib.ids import is_ulid, new_ulid


@pytest.mark.parametrize(
    ("payload", "field", "problem"),
    [
        ({}, "title", "required"),
        ({"title": ""}, "title", "must not be empty"),
        ({"title": "   "}, "title", "must not be empty"),
        ({"title": None}, "title", "must be a string"),
        ({"title": 5}, "title", "must be a string"),
        ({"title": "x" * (TITLE_MAX_LENGTH + 1)}, "title", "at most"),
        ({"title": "a\u0000b"}, "title", "control characters"),
        ({"title": "\u0000"}, "title", "control characters"),
        ({"title": "red \x1b[31m"}, "title", "control characters"),
        ({"title": "a\x7fb"}, "title", "control characters"),
        ({"title": "a\x9bb"}, "title", "control characters"),  # C1: CSI
        ({"title": "two\nlines"}, "title", "control characters"),
        ({"title": "\u200b"}, "title", "visible character"),
        ({"title": " \u200b\u200d\ufeff "}, "title", "visible character"),
        ({"title": "\u2060\u202e"}, "title", "visible character"),
        ({"title": "\u3164"}, "title", "visible character"),
        ({"title": "\u00ad"}, "title", "visible character"),
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


def test_a_title_is_stored_in_nfc_and_its_length_counted_so() -> None:
    composed, decomposed = "\u00e9" * TITLE_MAX_LENGTH, "e\u0301" * TITLE_MAX_LENGTH
    assert unicodedata.normalize("NFC", decomposed) == composed
    assert parse_new_todo({"title": decomposed})["title"] == composed
    assert parse_changes({"title": decomposed}).values == {"title": composed}
    with pytest.raises(ValidationError, match="at most"):
        parse_new_todo({"title": decomposed + "e\u0301"})


@pytest.mark.parametrize(
    "title", ["\U0001f468\u200d\U0001f469\u200d\U0001f467", "a\u200bb", "\u0600", "\u0301", "x"]
)
def test_titles_with_something_visible_are_kept(title: str) -> None:
    # A zero-width joiner inside an emoji family, a zero-width space between
    # letters, an Arabic number sign (a format character with a glyph).
    assert parse_new_todo({"title": title})["title"] == unicodedata.normalize("NFC", title)


def test_the_invisible_characters_are_every_basic_plane_format_character() -> None:
    """The title's character classes name Unicode's Cf characters of the Basic
    Multilingual Plane, but those with a glyph (Prepended_Concatenation_Mark)."""
    with_a_glyph = {0x600, 0x601, 0x602, 0x603, 0x604, 0x605, 0x6DD, 0x70F, 0x890, 0x891, 0x8E2}
    for code in range(0x10000):
        char = chr(code)
        if 0xD800 <= code < 0xE000 or unicodedata.category(char) != "Cf":
            continue
        expected_blank = code not in with_a_glyph
        assert (re.fullmatch(TITLE_PATTERN, char) is None) == expected_blank, hex(code)


def test_the_title_pattern_is_what_the_parser_accepts() -> None:
    """openapi.yaml's pattern (TITLE_PATTERN) and the parser agree on every
    character of the Basic Multilingual Plane, alone and between two letters."""
    for code in [*range(0xD800), *range(0xE000, 0x10000)]:
        for title in (chr(code), f"a{chr(code)}b"):
            try:
                parse_new_todo({"title": title})
                accepted = True
            except ValidationError:
                accepted = False
            assert (re.fullmatch(TITLE_PATTERN, title) is not None) == accepted, hex(code)


def test_is_ulid_takes_the_whole_string() -> None:
    ulid = new_ulid()
    assert is_ulid(ulid)
    for bad in (ulid + "\n", ulid + "0", "\n" + ulid, ulid[:-1], ulid.lower(), "8" + ulid[1:]):
        assert not is_ulid(bad), repr(bad)
