"""gunicorn.conf.py's hooks on the garbage collector: a worker freezes what it
imported, and a large response's garbage is collected once it has gone out.

The hooks are called as gunicorn calls them, on this process, with the
collector's automatic runs switched off so that only the hook can collect.
"""

import gc
import runpy
import weakref
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def hooks() -> Iterator[dict]:
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield runpy.run_path(str(ROOT / "gunicorn.conf.py"))
    finally:
        gc.unfreeze()
        if was_enabled:
            gc.enable()


class Report:
    """Stands for a report kept alive by a reference cycle, as DRF's view and
    response keep each other."""

    def __init__(self) -> None:
        self.me = self


def garbage_report() -> weakref.ref:
    return weakref.ref(Report())


def response(sent: int) -> SimpleNamespace:
    return SimpleNamespace(sent=sent)


def test_a_worker_freezes_what_it_has_imported(hooks):
    gc.unfreeze()

    hooks["post_worker_init"](None)

    assert gc.get_freeze_count() > 1000


def test_a_large_response_is_followed_by_a_collection(hooks):
    report = garbage_report()

    hooks["post_request"](None, None, {}, response(hooks["LARGE_RESPONSE_BYTES"]))

    assert report() is None


def test_a_small_response_leaves_collection_to_the_collector(hooks):
    report = garbage_report()

    hooks["post_request"](None, None, {}, response(2_000))

    assert report() is not None
    gc.collect()
    assert report() is None


def test_a_request_that_got_no_response_collects_nothing(hooks):
    report = garbage_report()

    hooks["post_request"](None, None, {}, None)

    assert report() is not None
