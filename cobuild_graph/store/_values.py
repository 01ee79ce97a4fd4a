"""The values a store call takes and keeps: dataset names, days, and a dataset's metadata."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from typing import Any

from cobuild_graph.schema import SCHEMA_KEY, schema_from_dict, written_meta

_DATE_TAG = "$date"


def check_dataset_name(dataset: str) -> None:
    """Refuse a dataset name that is not a non-empty text."""
    if not isinstance(dataset, str) or not dataset.strip():
        raise ValueError("a dataset name is a non-empty text, e.g. 'suzhou'")


def as_date(value: dt.date | str | None) -> dt.date | None:
    """A day given as a date, a datetime or ``YYYY-MM-DD`` text, as a date."""
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value).strip())
    except ValueError:
        raise ValueError(f"not a date: {value!r}; write it as YYYY-MM-DD") from None


def meta_dumps(meta: Mapping[str, Any]) -> str:
    """The graph's metadata as JSON text; dates are kept as ``{"$date": "YYYY-MM-DD"}``, a
    schema other than the default as its dict form (:func:`~cobuild_graph.schema.written_meta`).

    Raises ``TypeError`` or ``ValueError`` for a value JSON cannot hold.
    """

    def encode(value: Any) -> Any:
        if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
            return {_DATE_TAG: value.isoformat()}
        raise TypeError(type(value).__name__)

    return json.dumps(written_meta(meta), ensure_ascii=False, default=encode)


def meta_loads(text: str | None) -> dict[str, Any]:
    """The metadata that :func:`meta_dumps` wrote, dates as dates again, the schema a
    :class:`~cobuild_graph.schema.Schema` again."""

    def decode(obj: dict[str, Any]) -> Any:
        if set(obj) == {_DATE_TAG}:
            return dt.date.fromisoformat(obj[_DATE_TAG])
        return obj

    meta = dict(json.loads(text, object_hook=decode)) if text else {}
    if SCHEMA_KEY in meta:  # the schema the dataset was loaded with, if not the default
        meta[SCHEMA_KEY] = schema_from_dict(meta[SCHEMA_KEY], origin="the stored metadata")
    return meta
