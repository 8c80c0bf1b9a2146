"""The `limner models` table's status and price columns, for models made up to show each case,
and `limner` run with no arguments."""

from __future__ import annotations

import datetime as dt

import pytest

import limner
from limner.cli.main import main
from limner.cli.render import models_table

TODAY = dt.date.today()


def _model(name: str, life: limner.Lifecycle, prices: limner.PriceSheet | None) -> limner.ModelInfo:
    return limner.ModelInfo(
        id=f"acme/{name}",
        provider="acme",
        name=name,
        capabilities=limner.Capabilities(),
        lifecycle=life,
        pricing=prices,
    )


@pytest.mark.parametrize(
    ("life", "status"),
    [
        (limner.Lifecycle(), "active"),
        (
            limner.Lifecycle(status="deprecated", shutdown_on=TODAY + dt.timedelta(days=9)),
            f"deprecated, ends {TODAY + dt.timedelta(days=9)}",
        ),
        (  # the source's status, its date now past
            limner.Lifecycle(status="deprecated", shutdown_on=dt.date(2020, 1, 2)),
            "deprecated, ended 2020-01-02",
        ),
        (
            limner.Lifecycle(status="shutdown", shutdown_on=dt.date(2020, 1, 2)),
            "shut down 2020-01-02",
        ),
        (limner.Lifecycle(status="retired", shutdown_on=dt.date(2020, 1, 2)), "retired 2020-01-02"),
        (  # a source that calls it shut down before the day: its status, the date to come
            limner.Lifecycle(status="shutdown", shutdown_on=TODAY + dt.timedelta(days=9)),
            f"shutdown, ends {TODAY + dt.timedelta(days=9)}",
        ),
    ],
)
def test_the_status_says_whether_the_shutdown_date_is_past_or_to_come(
    life: limner.Lifecycle, status: str
) -> None:
    row = models_table([_model("one", life, None)]).splitlines()[1]
    assert row.split("  ")[1].strip() == status


def test_a_model_without_a_price_says_unknown_and_one_billed_by_tokens_says_so() -> None:
    tokens = limner.PriceSheet(
        source="https://acme.example/prices",
        as_of=dt.date(2026, 1, 1),
        per_million_tokens=limner.TokenPrices(image_output=limner.money.to_usd(40)),
    )
    table = models_table(
        [_model("free", limner.Lifecycle(), None), _model("tok", limner.Lifecycle(), tokens)]
    )
    prices = [line.rsplit("  ", 1)[1] for line in table.splitlines()[1:]]
    assert prices == ["unknown", "per token"]


def test_no_arguments_show_the_help_and_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as stopped:
        main([])
    assert stopped.value.code == 2
    err = capsys.readouterr().err
    assert err.startswith("usage: limner")
    assert "    generate  make images from a prompt" in err


def test_a_models_details_show_fractions_as_people_write_them(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["models", "openai/gpt-image-2"]) == 0
    (rules,) = [line for line in capsys.readouterr().out.splitlines() if "size_rules:" in line]
    assert rules.endswith("min_aspect=0.3333, max_aspect=3")
