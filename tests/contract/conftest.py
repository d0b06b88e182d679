from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.contract.runtimes import RUNTIMES
from tests.contract.runtimes.base import Runtime, User


# Package scope: each runtime (and its in-process AWS) lives only while tests/contract runs.
@pytest.fixture(scope="package", params=sorted(RUNTIMES))
def api(request: pytest.FixtureRequest) -> Iterator[Runtime]:
    with RUNTIMES[request.param]() as runtime:
        yield runtime


@pytest.fixture
def alice(api: Runtime) -> User:
    return api.new_user()


@pytest.fixture
def bob(api: Runtime) -> User:
    return api.new_user()
