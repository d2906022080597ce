"""The pytest plugin (entry point ``lambda_toolkit``): options, fixtures, header, hooks.

Only cheap imports here: Faker, jsonschema and freezegun load when first used.
"""

from __future__ import annotations

import random
import sys
from collections.abc import Callable, Generator
from importlib import metadata
from typing import Any, Final

import pytest

from pytest_lambda._core.docs import doc_url
from pytest_lambda._events._factory import FUNCTION_ACCOUNT, LambdaEventFactory
from pytest_lambda._plugin.options import LAST_SEED, add_options, override, resolve

__all__ = [
    "lambda_event",
    "lambda_seed",
    "pytest_addoption",
    "pytest_collection_modifyitems",
    "pytest_configure",
    "pytest_enter_pdb",
    "pytest_exception_interact",
    "pytest_leave_pdb",
    "pytest_report_header",
    "pytest_runtest_makereport",
    "pytest_runtestloop",
    "pytest_unconfigure",
]


def _refuse_foreign_plugin() -> None:
    try:
        foreign = metadata.distribution("pytest-lambda")
    except metadata.PackageNotFoundError:
        return
    raise ImportError(
        f"pytest-lambda-toolkit cannot load: the unrelated distribution 'pytest-lambda' "
        f"{foreign.version} is installed too, and both install a package named 'pytest_lambda'. "
        "Uninstall one of them: 'pip uninstall pytest-lambda' keeps pytest-lambda-toolkit."
    )


_refuse_foreign_plugin()

_EVENTS_USED: Final = pytest.StashKey[bool]()
_EVENT_FACTORY: Final = pytest.StashKey[LambdaEventFactory]()
_TERMINAL_FD: Final = pytest.StashKey[int]()  # the stuck-handler note's way to the terminal
_BASETEMP: Final = pytest.StashKey[Callable[[], "str | None"]]()  # see _register_basetemp
#: Where each run that ran tests stores its seed in pytest's cache, for --lambda-seed=last.
SEED_CACHE_KEY: Final = "lambda/seed"
#: The seed of the last run that had failures: what ``--lf --lambda-seed=last`` replays.
FAILED_SEED_CACHE_KEY: Final = "lambda/failed-seed"


def pytest_addoption(parser: pytest.Parser) -> None:
    add_options(parser)


class _XdistHooks:
    """Workers get the controller's seed, so every process generates the same events."""

    @pytest.hookimpl
    def pytest_configure_node(self, node: Any) -> None:
        seed, source = resolve(node.config, "seed")
        node.workerinput["lambda_seed"] = (seed, source)


def pytest_configure(config: pytest.Config) -> None:
    from pytest_lambda._core.terminal import keep_terminal

    # capture is suspended now: fd 2 is the terminal (see _terminal)
    config.stash[_TERMINAL_FD] = keep_terminal()
    _register_basetemp(config)
    from pytest_lambda._checks.idempotency.options import MARKER_HELP as IDEMPOTENCY_MARKER_HELP
    from pytest_lambda._plugin.fixtures_clock import MARKER_HELP as CLOCK_MARKER_HELP
    from pytest_lambda._plugin.fixtures_runner import MARKER_HELP as RUNNER_MARKER_HELP
    from pytest_lambda._plugin.template import MARKER_HELP as FUNCTION_MARKER_HELP

    for help_line in (
        RUNNER_MARKER_HELP,
        CLOCK_MARKER_HELP,
        IDEMPOTENCY_MARKER_HELP,
        FUNCTION_MARKER_HELP,
        "lambda_check: a built-in conformance check of the --lambda-handler suite "
        "(deselect with -m 'not lambda_check').",
    ):
        config.addinivalue_line("markers", help_line)
    workerinput = getattr(config, "workerinput", None)
    if workerinput is not None and "lambda_seed" in workerinput:
        seed, source = workerinput["lambda_seed"]
        override(config, "seed", seed, f"{source}, from the xdist controller")
    else:
        seed, source = resolve(config, "seed")
        if seed == LAST_SEED:
            override(config, "seed", _last_seed(config, source), f"last run, from {source}")
        elif seed is None:
            override(config, "seed", random.SystemRandom().randrange(10**6, 10**7), "random")
    for name in ("handler", "timeout", "memory", "region", "isolation", "moto", "no_timeout"):
        resolve(config, name)  # bad values are a UsageError now, not mid-run
    from pytest_lambda._plugin.roots import lambda_root

    lambda_root(config)
    if resolve(config, "no_timeout")[0]:
        from pytest_lambda._clock import pause

        pause.set_no_timeout(True)
    if config.pluginmanager.hasplugin("xdist"):
        config.pluginmanager.register(_XdistHooks(), "lambda_toolkit_xdist")
    from pytest_lambda._plugin.suite import register_suite  # the --lambda-events conformance suite

    register_suite(config)
    from pytest_lambda._plugin.template_suite import register_template_suite

    register_template_suite(config)  # --lambda-template: every function of the template


def pytest_enter_pdb(config: pytest.Config, pdb: Any) -> None:
    """pdb holds the test (``breakpoint()``, ``--pdb``, ``--trace``): deadlines wait."""
    from pytest_lambda._clock import pause

    if pause.busy():  # a handler is stopped (not a post-mortem after the test)
        pause.started("pytest", pause.real_time())


def pytest_leave_pdb(config: pytest.Config, pdb: Any) -> None:
    """pdb let go: deadlines and the remaining time resume where they were."""
    from pytest_lambda._clock import pause

    pause.ended("pytest", pause.real_time())


def _register_basetemp(config: pytest.Config) -> None:
    """pytest's ``basetemp`` stays writable for a handler even inside its (read-only) task
    root, e.g. under ``--basetemp=.tmp`` or pytester; asked for only when an environment
    starts (``getbasetemp()`` makes the folder)."""
    from pytest_lambda._runtime.machine_tmp import WRITABLE_SOURCES

    def basetemp() -> str | None:
        factory = getattr(config, "_tmp_path_factory", None)
        return None if factory is None else str(factory.getbasetemp())

    config.stash[_BASETEMP] = basetemp
    WRITABLE_SOURCES.append(basetemp)


def pytest_unconfigure(config: pytest.Config) -> None:
    from pytest_lambda._clock import pause
    from pytest_lambda._runtime.machine_tmp import WRITABLE_SOURCES

    source = config.stash.get(_BASETEMP, None)
    if source in WRITABLE_SOURCES:
        WRITABLE_SOURCES.remove(source)
    from pytest_lambda._core.terminal import release_terminal

    pause.set_no_timeout(False)

    fd = config.stash.get(_TERMINAL_FD, None)
    if fd is not None:  # not when an earlier plugin's pytest_configure failed
        release_terminal(fd)


def _last_seed(config: pytest.Config, source: str) -> int:
    """The seed the previous run stored in pytest's cache, for ``--lambda-seed=last``."""
    where = f"--lambda-seed=last (from {source})"
    fix = f"pass the seed itself, --lambda-seed=N; see {doc_url('reference/options', 'seed')}"
    cache = getattr(config, "cache", None)
    if cache is None:
        raise pytest.UsageError(
            f"{where} reads the previous run's seed from pytest's cache, but the cache "
            f"plugin is disabled (-p no:cacheprovider): enable it, or {fix}"
        )
    seed = cache.get(SEED_CACHE_KEY, None)
    if config.getoption("lf", False) or config.getoption("failedfirst", False):
        failed = cache.get(FAILED_SEED_CACHE_KEY, None)  # --lf reruns failures of that run
        if isinstance(failed, int) and not isinstance(failed, bool):
            seed = failed
    if not isinstance(seed, int) or isinstance(seed, bool):
        raise pytest.UsageError(
            f"{where}: pytest's cache holds no seed of an earlier run (none ran tests here "
            f"yet, or the cache was cleared): run once without it, or {fix}"
        )
    return seed


@pytest.hookimpl(hookwrapper=True)
def pytest_runtestloop(session: pytest.Session) -> Generator[None, Any, None]:
    """Store the seed of a run that ran tests (even if interrupted), for ``--lambda-seed=last``.

    Not on --collect-only (nor --help, --fixtures, --markers: they run no test loop), not
    when every test was deselected, and not on xdist workers (the controller stores it).
    A run with failures also stores its seed as the failing run's: with ``--lf`` or
    ``--ff``, ``last`` is that seed, so the failures are replayed with their own events.
    """
    yield
    config = session.config
    cache = getattr(config, "cache", None)
    if cache is None or hasattr(config, "workerinput") or config.option.collectonly:
        return
    controller = config.pluginmanager.hasplugin("dsession")  # xdist: the workers collect
    if not session.items and not controller:  # everything deselected: no test ran
        return
    seed = resolve(config, "seed")[0]
    cache.set(SEED_CACHE_KEY, seed)
    if session.testsfailed:
        cache.set(FAILED_SEED_CACHE_KEY, seed)


def pytest_report_header(config: pytest.Config) -> list[str]:
    seed, seed_source = resolve(config, "seed")
    parts = [f"seed={seed} ({seed_source})"]
    handler, handler_source = resolve(config, "handler")
    if handler:
        parts.append(f"handler={handler} ({handler_source})")
    for name in ("timeout", "memory", "region", "isolation"):
        value, source = resolve(config, name)
        if source != "default":
            parts.append(f"{name}={value} ({source})")
    parts.extend(_header_debug_parts(config, shown=bool(handler)))
    return ["lambda: " + ", ".join(parts)]


def _header_debug_parts(config: pytest.Config, *, shown: bool) -> list[str]:
    """The import root (when a handler is set or the root was given) and --lambda-no-timeout."""
    from pytest_lambda._plugin.roots import lambda_root

    parts = []
    root, source = lambda_root(config)
    if shown or source != "rootdir":
        parts.append(f"root={root} ({source})")
    no_timeout, source = resolve(config, "no_timeout")
    if no_timeout:
        parts.append(f"no-timeout ({source})")
    return parts


def pytest_terminal_summary(terminalreporter: Any, exitstatus: int, config: pytest.Config) -> None:
    """A handler with no event kinds and nothing collected: say how to get the suite."""
    if exitstatus != pytest.ExitCode.NO_TESTS_COLLECTED or not resolve(config, "handler")[0]:
        return
    if resolve(config, "events")[0]:
        return
    from pytest_lambda._events._kinds import KINDS

    terminalreporter.write_line(
        "lambda: no conformance suite: the handler is set, but no event kinds. Name the kinds "
        f"it takes, e.g. --lambda-events=sqs (kinds: {', '.join(KINDS)}), or ini lambda_events.",
        yellow=True,
    )


# Fixtures that run pytest inside this process (pytester's in-process runs).
_INNER_PYTEST_FIXTURES: Final = frozenset({"pytester", "testdir"})


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> None:
    """Before a test that can run pytest in this process: the in-process runtime imported.

    pytester forgets, after each in-process run, the modules first imported during it. The
    runtime keeps process-wide state that outlives its module (the watchdog's thread, fork
    and exit hooks), so each inner run that imported it anew left one more copy behind, a
    thread included. Imported here, before pytester takes its snapshot of ``sys.modules``,
    it is kept, and every inner run shares it. Other tests pay one set check.
    """
    if _INNER_PYTEST_FIXTURES.isdisjoint(getattr(item, "fixturenames", ())):
        return
    import pytest_lambda._checks.runner  # noqa: F401  (the runner the fixtures make, its runtime)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    from pytest_lambda._plugin.fixtures_clock import add_clock_fixture

    add_clock_fixture(items)


@pytest.fixture
def lambda_seed(pytestconfig: pytest.Config) -> int:
    """The session seed events derive from; override this fixture to pin it in code."""
    seed: int = resolve(pytestconfig, "seed")[0]
    return seed


@pytest.fixture
def lambda_event(request: pytest.FixtureRequest, lambda_seed: int) -> LambdaEventFactory:
    """Factory of realistic events, seeded from the session seed and this test's id."""
    region, _ = resolve(request.config, "region")
    node = request.node
    marker = node.get_closest_marker("lambda_handler")
    if marker is not None and isinstance(marker.kwargs.get("region"), str):
        region = marker.kwargs["region"]  # the function's own region, as the runner gets it

    def mark_used() -> None:
        node.stash[_EVENTS_USED] = True
        node.stash[_EVENT_FACTORY] = factory

    def clock_time() -> float | None:
        """The frozen ``lambda_clock``'s time (the events' invocation time), else None."""
        __tracebackhide__ = True
        if "lambda_clock" not in request.fixturenames:
            return None
        clock = request.getfixturevalue("lambda_clock")
        if not clock.frozen:
            return None
        from ._events._core import EARLIEST_MS, LATEST_MS

        now: float = clock.time()
        if not EARLIEST_MS <= now * 1000 < LATEST_MS:
            from pytest_lambda._core.errors import InvalidEventSpec

            raise InvalidEventSpec(
                f"lambda_event: the test's lambda_clock is frozen at {clock.now():%Y-%m-%dT%H:%M:%SZ}, "
                "outside the years events are generated for (2014 to 2099); pass time= for the "
                "event, or freeze the clock in that range"
            )
        return now

    from pytest_lambda._plugin.template import event_defaults

    defaults, default_kind = event_defaults(request)  # @pytest.mark.lambda_function's triggers
    # Triggers live with the function: its region and (by default) its account.
    factory = LambdaEventFactory(
        _defaults=defaults,
        _default_kind=default_kind,
        seed=lambda_seed,
        nodeid=node.nodeid,
        region=region,
        account_id=FUNCTION_ACCOUNT,
        _on_use=mark_used,
        _clock_time=clock_time,
    )
    return factory


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, Any, None]:
    outcome = yield
    report: pytest.TestReport = outcome.get_result()
    if report.failed and item.stash.get(_EVENTS_USED, False):
        seed, _ = resolve(item.config, "seed")
        factory = item.stash.get(_EVENT_FACTORY, None)
        events_lines = factory.reproduce_lines() if factory is not None else []
        text = "\n".join([f"reproduce with --lambda-seed={seed}", *events_lines])
        report.sections.append(("lambda", text))
    if report.failed and report.when != "teardown":
        try:
            from pytest_lambda._plugin.failure import add_sections

            factory = item.stash.get(_EVENT_FACTORY, None)
            made = [g.event for g in factory.generated] if factory is not None else []
            add_sections(item, report, made)
        except Exception as exc:  # a handler broke the process (sys.modules["json"] = None)
            # the test's own failure is what matters: never an INTERNALERROR for the extras
            report.sections.append(
                ("lambda", f"pytest-lambda could not add its failure report: {exc!r}")
            )
    if report.when == "teardown":  # the item's last report: what it kept for one can go
        if _EVENT_FACTORY in item.stash:
            del item.stash[_EVENT_FACTORY]
        if "pytest_lambda._plugin.failure" in sys.modules:
            from pytest_lambda._plugin.failure import forget

            forget(item)


@pytest.hookimpl(tryfirst=True)
def pytest_exception_interact(node: Any, call: pytest.CallInfo[Any], report: Any) -> None:
    """``--pdb``: a test that failed after its handler raised opens at the handler's frame."""
    if isinstance(node, pytest.Item):
        from pytest_lambda._plugin.failure import pdb_excinfo

        pdb_excinfo(node, call)


# --- runner fixtures (issue 3) are imported below this line ---
from pytest_lambda._plugin.fixtures_clock import lambda_clock, lambda_context  # noqa: E402, F401
from pytest_lambda._plugin.fixtures_runner import lambda_handler, lambda_runner  # noqa: E402, F401
from pytest_lambda._plugin.template import lambda_template_aws  # noqa: E402, F401
