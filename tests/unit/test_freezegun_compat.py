"""A frozen LambdaClock with pydantic v2 models (Powertools' parser) and lazy modules."""

from __future__ import annotations

import datetime as dt
import sys
import types
from collections.abc import Iterator
from pathlib import Path

import pytest

from pytest_lambda import LambdaClock, LambdaRunner

pydantic = pytest.importorskip("pydantic")


@pytest.fixture
def clock() -> Iterator[LambdaClock]:
    c = LambdaClock()
    yield c
    c.stop()
    from freezegun import api

    assert not api.freeze_factories
    assert dt.datetime.__module__ == "datetime"
    assert dt.datetime.__name__ == "datetime"


def test_a_model_defined_under_the_frozen_clock_builds_and_validates(clock: LambdaClock) -> None:
    clock.move_to("2026-11-22T10:00:00Z")
    from datetime import date, datetime

    class Order(pydantic.BaseModel):
        placed: datetime
        due: date

    order = Order(placed="2026-11-22T09:00:00Z", due="2026-11-30")
    assert order.placed == datetime(2026, 11, 22, 9, tzinfo=dt.timezone.utc)
    assert order.due == date(2026, 11, 30)
    assert Order.model_json_schema()["properties"]["placed"]["format"] == "date-time"


def test_cold_start_of_a_pydantic_handler_under_the_frozen_clock(
    tmp_path: Path, clock: LambdaClock
) -> None:
    (tmp_path / "orders_app.py").write_text(
        "from datetime import datetime\n"
        "from pydantic import BaseModel\n\n"
        "class Order(BaseModel):\n"
        "    id: str\n"
        "    placed: datetime\n\n"
        "def handler(event, context):\n"
        "    order = Order(id=event['id'], placed=datetime.now())\n"
        "    return order.model_dump(mode='json')\n"
    )
    clock.move_to("2026-11-22T10:00:00Z")
    with LambdaRunner("orders_app.handler", root=str(tmp_path), clock=clock) as runner:
        result = runner.invoke({"id": "o-1"})
    assert result.ok, result.error
    assert result.response == {"id": "o-1", "placed": "2026-11-22T10:00:00"}


def test_powertools_parser_models_import_under_the_frozen_clock(clock: LambdaClock) -> None:
    pytest.importorskip("aws_lambda_powertools")
    for name in [m for m in sys.modules if m.startswith("aws_lambda_powertools.utilities.parser")]:
        del sys.modules[name]
    clock.move_to("2026-11-22T10:00:00Z")
    from aws_lambda_powertools.utilities.parser.models import SqsModel

    assert SqsModel.__name__ == "SqsModel"


def test_a_failed_freeze_is_undone_and_explained(
    clock: LambdaClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    lazy = types.ModuleType("lazy_mod_for_freeze_test")

    def __getattr__(name: str) -> object:
        raise ValueError("import went wrong")

    lazy.__getattr__ = __getattr__  # type: ignore[method-assign]
    lazy.__dir__ = lambda: ["thing"]  # type: ignore[method-assign]
    monkeypatch.setitem(sys.modules, lazy.__name__, lazy)
    with pytest.raises(RuntimeError, match="LambdaClock could not freeze time") as info:
        clock.move_to("2026-11-22T10:00:00Z")
    assert "ValueError: import went wrong" in str(info.value)
    assert not clock.frozen


def test_localtime_under_the_frozen_clock_is_complete(clock: LambdaClock) -> None:
    import time

    clock.move_to("2026-11-22T10:00:00Z")
    local = time.localtime()
    assert time.mktime(local) == 1795341600
    assert local.tm_gmtoff is not None
    assert local.tm_zone
    assert time.strftime("%z") != ""
    assert time.localtime(0) == time.localtime(0.0)


def test_pydantic_past_date_under_the_frozen_clock(clock: LambdaClock) -> None:
    clock.move_to("2026-11-22T10:00:00Z")

    class Shipment(pydantic.BaseModel):
        shipped: pydantic.PastDate

    assert str(Shipment(shipped="2020-01-01").shipped) == "2020-01-01"


def test_pydantic_v1_first_imported_under_the_frozen_clock() -> None:
    """FastAPI imports pydantic.v1, whose ConstrainedDate subclasses date with a metaclass."""
    import subprocess
    import textwrap

    pytest.importorskip("pydantic.v1")
    code = textwrap.dedent(
        """
        import sys
        from pytest_lambda import LambdaClock
        assert "pydantic.v1.types" not in sys.modules
        clock = LambdaClock()
        clock.move_to("2026-11-22T10:00:00Z")
        from datetime import date
        from pydantic.v1 import BaseModel
        class Order(BaseModel):
            due: date
        assert Order(due="2026-11-30").due == date(2026, 11, 30)
        clock.stop()
        print("ok")
        """
    )
    done = subprocess.run(
        [sys.executable, "-W", "error", "-c", code], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "ok"
