"""reports.yml validation, schedules, placeholders and notebook parameter checks (no kernel)."""

from __future__ import annotations

import copy
import datetime as dt
from pathlib import Path

import pandas as pd
import pytest

from kpi_helpers.errors import ConfigError, ReportError
from kpi_helpers.report.config import (
    Schedule,
    fill_placeholders,
    load_config,
    parse_config,
    parse_schedule,
    safe_name,
)
from kpi_helpers.report.params import (
    ParamSpec,
    check_parameters,
    notebook_parameters,
    parse_cli_value,
)

NOTEBOOKS = Path(__file__).resolve().parent / "notebooks"


def _raw(**job):
    base = {"notebook": "nb.ipynb", "period": "previous_month", "schedule": "daily"}
    base.update(job)
    return {"lang": "en", "jobs": {"sales": base}}


def test_parse_config_defaults_merge_and_paths(tmp_path):
    raw = {
        "output_dir": "out",
        "lang": "pt_BR",
        "defaults": {"parameters": {"data": "d.parquet", "by": "team"}, "lang": "en"},
        "jobs": {
            "a": {"notebook": "n/a.ipynb", "parameters": {"by": "channel"}},
            "b": {"notebook": "n/b.ipynb", "lang": "pt-BR", "schedule": {"weekly": "Monday"}},
        },
    }
    before = copy.deepcopy(raw)
    cfg = parse_config(raw, base_dir=tmp_path)
    assert raw == before  # input not mutated
    assert cfg.lang == "pt-BR"
    assert cfg.output_dir == (tmp_path / "out").resolve()
    a, b = cfg.jobs["a"], cfg.jobs["b"]
    assert dict(a.parameters) == {"data": "d.parquet", "by": "channel"}  # job key wins
    assert a.lang == "en" and b.lang == "pt-BR"
    assert a.notebook == (tmp_path / "n" / "a.ipynb").resolve()
    assert a.title == "a" and a.output == "{job}_{period}" and a.period == "previous_month"
    assert a.schedule == Schedule("manual") and b.schedule == Schedule("weekly", (0,))


@pytest.mark.parametrize(
    ("job", "words"),
    [
        ({"notebok": "x.ipynb"}, ["'sales'", "'notebok'", "valid keys"]),
        ({"schedule": {"weekly": "mondai"}}, ["'sales'", "'schedule'", "'mondai'"]),
        ({"schedule": {"monthly": 32}}, ["'sales'", "'schedule'", "32"]),
        ({"schedule": "hourly"}, ["'sales'", "'schedule'", "'hourly'"]),
        ({"period": "last_month"}, ["'sales'", "'period'", "last_month"]),
        ({"lang": "fr"}, ["'sales'", "'lang'", "'fr'"]),
        ({"output": "{job}_{when}"}, ["'sales'", "'output'", "{when}"]),
        ({"output": "../{job}"}, ["'sales'", "'output'"]),
        ({"parameters": {"a": "{nope}"}}, ["'sales'", "'parameters.a'", "{nope}"]),
        ({"parameters": ["a"]}, ["'sales'", "'parameters'"]),
        ({"timeout": -3}, ["'sales'", "'timeout'", "-3"]),
        ({"notebook": "report.py"}, ["'sales'", "'notebook'", "report.py"]),
    ],
)
def test_bad_job_names_job_and_key(tmp_path, job, words):
    with pytest.raises(ConfigError) as info:
        parse_config(_raw(**job), base_dir=tmp_path)
    for word in words:
        assert word in str(info.value)


def test_bad_top_level(tmp_path):
    with pytest.raises(ConfigError, match="'jobs'"):
        parse_config({"lang": "en"}, base_dir=tmp_path)
    with pytest.raises(ConfigError, match="'colour'"):
        parse_config({"colour": 1, "jobs": {"a": {"notebook": "a.ipynb"}}}, base_dir=tmp_path)
    with pytest.raises(ConfigError, match="'bad name'"):
        parse_config({"jobs": {"bad name": {"notebook": "a.ipynb"}}}, base_dir=tmp_path)
    with pytest.raises(ConfigError, match="missing key 'notebook'"):
        parse_config({"jobs": {"a": {"period": "2026-01"}}}, base_dir=tmp_path)


def test_load_config_missing_and_invalid_yaml(tmp_path):
    with pytest.raises(ConfigError, match="not found"):
        load_config(tmp_path / "nope.yml")
    bad = tmp_path / "r.yml"
    bad.write_text("jobs:\n  a: [unclosed\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="not valid YAML at line"):
        load_config(bad)


def test_unknown_job_lists_known(tmp_path):
    cfg = parse_config(_raw(), base_dir=tmp_path)
    with pytest.raises(ConfigError, match="Unknown job 'x'.*sales"):
        cfg.get("x")


@pytest.mark.parametrize(
    ("schedule", "day", "due"),
    [
        ("daily", dt.date(2026, 11, 4), True),
        ({"weekly": "monday"}, dt.date(2026, 11, 2), True),  # a Monday
        ({"weekly": "monday"}, dt.date(2026, 11, 3), False),
        ({"weekly": ["monday", "thursday"]}, dt.date(2026, 11, 5), True),
        ({"monthly": 1}, dt.date(2026, 12, 1), True),
        ({"monthly": 1}, dt.date(2026, 12, 2), False),
        ({"monthly": 31}, dt.date(2026, 2, 28), True),  # clamped to the last day
        ({"monthly": 31}, dt.date(2026, 2, 27), False),
        ({"monthly": 31}, dt.date(2026, 3, 31), True),
        ({"monthly": 30}, dt.date(2026, 3, 31), False),
        ("manual", dt.date(2026, 1, 1), False),
        ("weekly: friday", dt.date(2026, 11, 6), True),
    ],
)
def test_schedule_is_due(schedule, day, due):
    assert parse_schedule(schedule).is_due(day) is due


def test_schedule_describe():
    assert (
        parse_schedule({"weekly": ["thursday", "monday"]}).describe() == "weekly: monday, thursday"
    )
    assert parse_schedule({"monthly": 1}).describe() == "monthly: 1"


def test_fill_placeholders_walks_and_does_not_mutate():
    value = {"a": "{previous}", "b": ["{period}", 3], "c": "plain"}
    before = copy.deepcopy(value)
    out = fill_placeholders(value, {"previous": "2026-09", "period": "2026-10"})
    assert out == {"a": "2026-09", "b": ["2026-10", 3], "c": "plain"}
    assert value == before


def test_safe_name():
    assert safe_name("2026-W43") == "2026-W43"
    assert safe_name("a/b\\c d") == "a_b_c_d"
    assert safe_name("..") == "_.."
    assert safe_name("<script>") == "_script_"


def test_notebook_parameters_reads_annotations_papermill_misses():
    declared = notebook_parameters(NOTEBOOKS / "good.ipynb")
    assert set(declared) == {"data", "period", "period_start", "period_end", "lang", "top", "note"}
    assert declared["top"].annotation == "int"
    assert declared["note"].annotation == "str | None"  # papermill's own regex drops this one
    assert declared["top"].help == "bars to show"


def test_notebook_without_parameters_cell(tmp_path):
    import nbformat

    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("x = 1")])
    path = tmp_path / "n.ipynb"
    nbformat.write(nb, str(path))
    with pytest.raises(ReportError, match="no cell tagged 'parameters'"):
        notebook_parameters(path)


@pytest.mark.parametrize(
    ("annotation", "default", "value", "ok"),
    [
        ("int", "1", 3, True),
        ("int", "1", True, False),  # a bool is not an int here
        ("int", "1", "3", False),
        ("float", "1.0", 2, True),
        ("str", '"a"', 2, False),
        ("str | None", "None", None, True),
        ("Optional[str]", "None", "x", True),
        ("list[str]", "[]", ["a", "b"], True),
        ("list[str]", "[]", ["a", 1], False),
        ("list[str] | str", "[]", "csat", True),
        ("dict[str, float]", "{}", {"a": 1.5}, True),
        ("bool", "False", 0, False),
        ("Literal['week', 'month']", '"week"', "month", True),
        ("Literal['week', 'month']", '"week"', "weekly", False),
        (None, "5", 2.5, True),  # no annotation: the default's type (numbers)
        (None, '"x"', 5, False),
        (None, "None", 5, True),  # nothing to check against
        ("SomeClass", "None", 5, True),  # unknown annotation: accepted
    ],
)
def test_check_parameters_types(annotation, default, value, ok):
    declared = {"p": ParamSpec("p", annotation, default)}
    if ok:
        check_parameters({"p": value}, declared, notebook="n.ipynb")
    else:
        with pytest.raises(ReportError, match="Parameter 'p' of n.ipynb must be"):
            check_parameters({"p": value}, declared, notebook="n.ipynb")


def test_check_parameters_unknown_lists_declared():
    declared = {"b": ParamSpec("b", "int", "1"), "a": ParamSpec("a", "str", '"x"')}
    with pytest.raises(ReportError, match=r"Unknown parameter 'c' for n.ipynb: .* a, b"):
        check_parameters({"c": 1}, declared, notebook="n.ipynb")


@pytest.mark.parametrize(
    ("raw", "annotation", "expected"),
    [
        ("3", "int", 3),
        ("3", "str", "3"),  # a str parameter keeps the text
        ("true", "bool", True),
        ("[csat, nps]", "list[str]", ["csat", "nps"]),
        ("2026-10-01", "str", "2026-10-01"),  # YAML would make it a date
        ("null", "str | None", None),
        ("abc", "int", "abc"),  # left as is: check_parameters reports it
        ("1.5", "float", 1.5),
    ],
)
def test_parse_cli_value(raw, annotation, expected):
    assert parse_cli_value(raw, ParamSpec("p", annotation, None)) == expected


def test_data_as_of_is_the_day_after_the_latest_contact(tmp_path):
    from kpi_helpers.report.runner import data_as_of

    frame = pd.DataFrame(
        {
            "created_at": pd.to_datetime(
                ["2026-10-30 08:00:00", "2026-10-31 23:59:59", "2026-10-01 00:00:00"]
            )
        }
    )
    frame.to_parquet(tmp_path / "d.parquet")
    frame.to_csv(tmp_path / "d.csv", index=False)
    assert data_as_of(tmp_path / "d.parquet") == dt.date(2026, 11, 1)
    assert data_as_of(tmp_path / "d.csv") == dt.date(2026, 11, 1)
    with pytest.raises(ReportError, match="not found"):
        data_as_of(tmp_path / "nope.parquet")
    (tmp_path / "d.xlsx").write_bytes(b"")
    with pytest.raises(ReportError, match="--as-of"):
        data_as_of(tmp_path / "d.xlsx")


def test_plan_job_resolves_fills_and_does_not_mutate(tmp_path):
    from kpi_helpers.report.runner import plan_job

    raw = {
        "output_dir": "out",
        "jobs": {
            "good": {
                "notebook": str(NOTEBOOKS / "good.ipynb"),
                "period": "previous_month",
                "lang": "en",
                "parameters": {"data": "x.parquet", "note": "vs {previous}"},
            }
        },
    }
    cfg = parse_config(raw, base_dir=tmp_path)
    job = cfg.jobs["good"]
    before = dict(job.parameters)
    plan = plan_job(job, cfg, as_of=dt.date(2026, 11, 1), overrides={"top": "3"})
    assert dict(job.parameters) == before
    assert plan.period.label == "2026-10"
    assert dict(plan.parameters) == {
        "data": "x.parquet",
        "note": "vs 2026-09",
        "top": 3,
        "period": "2026-10",
        "period_start": "2026-10-01",
        "period_end": "2026-11-01",
        "lang": "en",
    }
    assert plan.html_path == (tmp_path / "out" / "good" / "2026-10" / "good_2026-10.html").resolve()
    with pytest.raises(ReportError, match="Job good: unknown parameter 'nope'"):
        plan_job(job, cfg, as_of=dt.date(2026, 11, 1), overrides={"nope": "1"})
    weekly = plan_job(job, cfg, as_of=dt.date(2026, 11, 1), period="2026-W43")
    assert weekly.parameters["period_start"] == "2026-10-19"
    assert weekly.out_dir.name == "2026-W43"


def test_timezone_key(tmp_path):
    from kpi_helpers.config import DEFAULT_TIMEZONE

    assert parse_config(_raw(), base_dir=tmp_path).timezone == DEFAULT_TIMEZONE
    assert parse_config({**_raw(), "timezone": "UTC"}, base_dir=tmp_path).timezone == "UTC"
    with pytest.raises(ConfigError, match="'timezone'.*'Mars/Olympus'"):
        parse_config({**_raw(), "timezone": "Mars/Olympus"}, base_dir=tmp_path)


def test_every_data_file_of_a_job_is_recorded_and_listed():
    """The scorecard reads interactions, operations and targets: all three are inputs,
    checksummed in run.json and listed (translated, language-neutral paths) in the header."""
    import datetime as _dt

    from kpi_helpers.config import PROJ_ROOT
    from kpi_helpers.report.runner import _page, _record, _sha256, plan_job

    cfg = load_config(PROJ_ROOT / "reports.yml")
    plan = plan_job(cfg.get("scorecard"), cfg, as_of=dt.date(2026, 11, 1))
    assert dict(plan.inputs) == {
        "data": "data/sample/interactions.parquet",
        "operations": "data/sample/operations.csv",
        "targets": "targets.yml",
    }
    started = _dt.datetime(2026, 11, 1, 6, tzinfo=_dt.UTC)
    record = _record(plan, status="ok", started=started, duration=1.0)
    assert set(record["inputs"]) == {"data", "operations", "targets"}
    ops = PROJ_ROOT / "data" / "sample" / "operations.csv"
    assert record["inputs"]["operations"]["sha256"] == _sha256(ops)
    assert record["title_source"] == "Balanced Scorecard"
    sources = _page(plan, None).data_source
    assert [(s.role, s.path, s.note) for s in sources] == [
        ("contatos", "data/sample/interactions.parquet", "dados de amostra"),
        ("operações", "data/sample/operations.csv", "dados de amostra"),
        ("metas", "targets.yml", ""),
    ]
    # a job that leaves them blank still records what the notebook reads ("" = the sample)
    raw = {"jobs": {"sc": {"notebook": "notebooks/scorecard.ipynb", "parameters": {"data": ""}}}}
    blank = parse_config(raw, base_dir=PROJ_ROOT)
    plan = plan_job(blank.get("sc"), blank, as_of=dt.date(2026, 11, 1))
    assert dict(plan.inputs) == {
        "data": "data/sample/interactions.parquet",
        "operations": "data/sample/operations.csv",
        "targets": "targets.yml",
    }
    # an English page lists them in English
    en = plan_job(blank.get("sc"), blank, as_of=dt.date(2026, 11, 1), overrides={"lang": "en"})
    assert [s.role for s in _page(en, None).data_source] == ["contacts", "operations", "targets"]
