"""The size budget gate: violations, units, and `workbench check`'s exit codes."""

from __future__ import annotations

import json
from types import SimpleNamespace

import docker.errors
import pytest
from typer.testing import CliRunner

from workbench import engine
from workbench.analysis import Compressed, ImageAnalysis
from workbench.checks import budget
from workbench.checks.budget import BudgetResult, Limits, Violation, check_budget
from workbench.cli import app
from workbench.errors import BudgetError
from workbench.store import Store

IMAGE_ID = "sha256:" + "ab" * 32
GB = 10**9
MB = 10**6


def make_analysis(
    size: int = 1_540_962_853,
    shadowed: int = 2_786_145,
    efficiency: float = 0.998,
    gzip_bytes: int | None = 502_493_053,
    image_id: str = IMAGE_ID,
) -> ImageAnalysis:
    """A synthetic analysis shaped like the sample's baseline."""
    components = {"python_dependencies": size - shadowed, "shadowed": shadowed}
    return ImageAnalysis(
        image_id=image_id,
        tags=("app:baseline",),
        size_bytes=size,
        final_bytes=size - shadowed,
        components=components,
        plan_view={"Python dependencies": size},
        layers=(),
        efficiency=efficiency,
        wasted_bytes=shadowed,
        compressed=Compressed(gzip_bytes=gzip_bytes),
    )


# -- check_budget -------------------------------------------------------------------


def test_within_every_limit_there_is_no_violation() -> None:
    limits = Limits(
        max_size=2 * GB, max_compressed=600 * MB, min_efficiency=0.99, max_shadowed=10 * MB
    )
    assert check_budget(make_analysis(), limits) == []


def test_every_figure_over_its_limit_is_reported_in_order_with_the_amount_over() -> None:
    analysis = make_analysis()
    limits = Limits(max_size=GB, max_compressed=400 * MB, min_efficiency=0.999, max_shadowed=MB)
    assert check_budget(analysis, limits) == [
        Violation("size", GB, 1_540_962_853, 540_962_853),
        Violation("compressed", 400 * MB, 502_493_053, 102_493_053, "estimate"),
        Violation("efficiency", 0.999, 0.998, pytest.approx(0.001)),
        Violation("shadowed", MB, 2_786_145, 1_786_145),
    ]


def test_a_figure_exactly_at_its_limit_is_within_budget() -> None:
    analysis = make_analysis(size=GB, shadowed=0, efficiency=0.95, gzip_bytes=300 * MB)
    limits = Limits(max_size=GB, max_compressed=300 * MB, min_efficiency=0.95, max_shadowed=0)
    assert check_budget(analysis, limits) == []


def test_unset_limits_leave_figures_unchecked() -> None:
    assert check_budget(make_analysis(), Limits()) == []
    assert Limits().empty and not Limits(max_shadowed=0).empty


def test_the_measured_total_is_preferred_over_the_estimate_and_says_so() -> None:
    analysis = make_analysis(gzip_bytes=502_493_053)
    limits = Limits(max_compressed=450 * MB)
    assert check_budget(analysis, limits, measured_compressed=492_611_238) == [
        Violation("compressed", 450 * MB, 492_611_238, 42_611_238, "measured")
    ]
    # the measured figure decides, even when the estimate alone would pass or fail
    assert check_budget(analysis, Limits(max_compressed=500 * MB), 492_611_238) == []
    assert check_budget(analysis, Limits(max_compressed=500 * MB)) == [
        Violation("compressed", 500 * MB, 502_493_053, 2_493_053, "estimate")
    ]


def test_compressed_size_names_its_source() -> None:
    assert budget.compressed_size(make_analysis(gzip_bytes=7), 5) == (5, "measured")
    assert budget.compressed_size(make_analysis(gzip_bytes=7)) == (7, "estimate")
    assert budget.compressed_size(make_analysis(gzip_bytes=None)) == (None, "")


def test_a_compressed_limit_without_any_compressed_figure_is_an_error() -> None:
    with pytest.raises(BudgetError, match="workbench push"):
        check_budget(make_analysis(gzip_bytes=None), Limits(max_compressed=GB))


@pytest.mark.parametrize(
    "limits, message",
    [
        (dict(min_efficiency=95.0), "fraction from 0 to 1"),
        (dict(min_efficiency=-0.1), "fraction from 0 to 1"),
        (dict(max_size=-1), "max-size must not be negative"),
    ],
)
def test_malformed_limits_are_refused(limits: dict, message: str) -> None:
    with pytest.raises(BudgetError, match=message):
        Limits(**limits)


def test_the_result_keeps_every_figure_and_its_json_shape() -> None:
    result = budget.budget_result("app:baseline", make_analysis(), Limits(max_size=GB), 492_611_238)
    assert not result.within_budget
    assert result.to_dict() == {
        "image": "app:baseline",
        "image_id": IMAGE_ID,
        "within_budget": False,
        "limits": {
            "max_size": GB,
            "max_compressed": None,
            "min_efficiency": None,
            "max_shadowed": None,
        },
        "figures": {
            "size_bytes": 1_540_962_853,
            "compressed_bytes": 492_611_238,
            "compressed_source": "measured",
            "efficiency": 0.998,
            "shadowed_bytes": 2_786_145,
        },
        "violations": [
            {
                "what": "size",
                "limit": GB,
                "actual": 1_540_962_853,
                "over_by": 540_962_853,
                "source": "",
            }
        ],
    }


def test_the_text_report_is_a_short_table_of_what_is_over() -> None:
    limits = Limits(max_size=GB, max_compressed=400 * MB, min_efficiency=0.999)
    lines = budget.render_text(budget.budget_result("app:baseline", make_analysis(), limits))
    assert lines[0] == "over budget: app:baseline (3 limits exceeded)"
    assert lines[1].split() == ["what", "limit", "actual", "over", "by"]
    assert lines[2].split() == ["Image", "size", "1.00", "GB", "1.54", "GB", "+541", "MB"]
    assert lines[3].split() == [
        "Compressed", "size", "(estimate)", "400", "MB", "502", "MB", "+102", "MB"
    ]  # fmt: skip
    assert lines[4].split() == ["Efficiency", "0.9990", "0.9980", "0.0010", "under"]
    assert len(lines) == 5


def test_the_text_report_within_budget_shows_each_figure_beside_its_limit() -> None:
    result = BudgetResult("app", IMAGE_ID, Limits(max_size=2 * GB), 1_540_962_853, None, "", 1, 0)
    assert budget.render_text(result) == [
        "within budget: app",
        f"  {'Image size':34}    1.54 GB   limit 2.00 GB",
    ]


# -- `workbench check` --------------------------------------------------------------


@pytest.fixture
def fake_engine(monkeypatch: pytest.MonkeyPatch) -> None:
    """An engine that knows one image, `app:baseline`, analysed in the store."""

    def get(ref: str) -> SimpleNamespace:
        if ref in ("app:baseline", IMAGE_ID):
            return SimpleNamespace(id=IMAGE_ID, tags=["app:baseline"])
        raise docker.errors.ImageNotFound(f"No such image: {ref}")

    client = SimpleNamespace(images=SimpleNamespace(get=get))
    monkeypatch.setattr(engine, "connect", lambda *args, **kwargs: client)
    Store().save_analysis(IMAGE_ID, "synthetic", make_analysis().to_dict())


def check(*args: str):
    return CliRunner().invoke(app, ["check", "app:baseline", *args])


def test_check_exits_0_within_budget(fake_engine) -> None:
    result = check("--max-size", "2GB")
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[0] == "within budget: app:baseline"


def test_check_exits_1_over_budget_with_what_is_over_and_by_how_much(fake_engine) -> None:
    result = check("--max-size", "1GB", "--max-shadowed", "10MB")
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert lines[0] == "over budget: app:baseline (1 limit exceeded)"
    assert "Image size" in lines[2] and "+541 MB" in lines[2]
    assert len(lines) == 3


@pytest.mark.parametrize(
    "args, limits",
    [
        (["--max-size", "1GB"], {"max_size": 10**9}),
        (["--max-size", "1.5GiB"], {"max_size": int(1.5 * 2**30)}),
        (["--max-size", "1400 MiB"], {"max_size": 1400 * 2**20}),
        (["--max-compressed", "300MB"], {"max_compressed": 300 * 10**6}),
        (["--max-shadowed", "512kB"], {"max_shadowed": 512_000}),
        (["--min-efficiency", "0.95"], {"min_efficiency": 0.95}),
    ],
)
def test_check_parses_decimal_and_binary_units(fake_engine, args: list[str], limits: dict) -> None:
    result = check(*args, "--json")
    assert result.exit_code in (0, 1), result.output
    data = json.loads(result.stdout)
    expected = {"max_size": None, "max_compressed": None, "min_efficiency": None}
    assert data["limits"] == {**expected, "max_shadowed": None, **limits}


def test_check_json_over_budget_exits_1_with_the_violations(fake_engine) -> None:
    result = check("--max-size", "1GB", "--json")
    assert result.exit_code == 1
    data = json.loads(result.stdout)
    assert data["within_budget"] is False
    assert [v["what"] for v in data["violations"]] == ["size"]


def test_check_uses_the_stored_push_and_says_it_is_measured(fake_engine) -> None:
    layers = [{"index": 0, "digest": "sha256:1", "size": 400 * MB, "media_type": "gzip"}]
    Store().save_push(
        image_id=IMAGE_ID,
        registry="127.0.0.1:5000",
        reference="127.0.0.1:5000/workbench/app:baseline",
        manifest_digest="sha256:m",
        total_bytes=400 * MB,
        layers=layers,
        seconds=3.0,
    )
    result = check("--max-compressed", "450MB")
    assert result.exit_code == 0, result.output
    assert "Compressed size (measured)" in result.output
    over = check("--max-compressed", "350MB", "--json")
    assert over.exit_code == 1
    assert json.loads(over.stdout)["violations"] == [
        {
            "what": "compressed",
            "limit": 350 * MB,
            "actual": 400 * MB,
            "over_by": 50 * MB,
            "source": "measured",
        }
    ]


@pytest.mark.parametrize(
    "args, message",
    [
        (["--max-size", "1XB"], "error: --max-size: not a size: '1XB'"),
        (["--max-compressed", "lots"], "error: --max-compressed: not a size: 'lots'"),
        (["--min-efficiency", "95"], "error: min-efficiency is a fraction from 0 to 1"),
        ([], "error: name at least one limit"),
    ],
)
def test_check_exits_2_with_one_line_on_bad_input(fake_engine, args, message) -> None:
    result = check(*args)
    assert result.exit_code == 2
    assert result.stderr.startswith(message)
    assert len(result.stderr.splitlines()) == 1 and "Traceback" not in result.output


def test_check_exits_2_for_an_image_the_engine_lacks(fake_engine) -> None:
    result = CliRunner().invoke(app, ["check", "nope:none", "--max-size", "1GB"])
    assert result.exit_code == 2
    assert result.stderr.splitlines() == [
        "error: the engine has no image 'nope:none'; build it first (`workbench build`) "
        "or check `docker images`"
    ]


def test_check_exits_2_when_no_engine_answers(monkeypatch: pytest.MonkeyPatch) -> None:
    from workbench.errors import EngineUnavailable

    def unavailable(*args, **kwargs):
        raise EngineUnavailable("No Docker engine answers at unix:///nowhere.")

    monkeypatch.setattr(engine, "connect", unavailable)
    result = check("--max-size", "1GB")
    assert result.exit_code == 2
    assert result.stderr.splitlines() == ["error: No Docker engine answers at unix:///nowhere."]
