"""Row checks of canonical input (kpi_helpers.checks) and the one DataWarning of compute()."""

from __future__ import annotations

import warnings

import pandas as pd
import pytest

from kpi_helpers import DataWarning, check_data, compute, compute_components, load_interactions
from kpi_helpers import checks as checks_module
from kpi_helpers.engine import as_table
from kpi_helpers.errors import KpiError
from kpi_helpers.schema import DEFAULT_SCALES

T = pd.Timestamp


def _dirty() -> pd.DataFrame:
    """Eight rows; the problems, counted by hand:

    id    created           first response    resolved          wait  handle  csat nps ces
    a     01-05 10:00       10:01             11:00             60    300     5    9   2
    a     01-05 10:00       10:01             11:00             60    300     5    9   2   dup 1
    a     01-06 09:00       09:00             10:00             0     -5      4    -   -   dup 2,
                                                                                            handle<0
    b     01-07 09:00       08:00 (before)    07:00 (before)    -30   100     7    11  0   wait<0,
                                                            frt<created, res<created,
                                                            res<frt, csat 7, nps 11, ces 0
    None  01-08 09:00       -                 -                 -     -       -    -   -   blank id
    "  "  01-09 09:00       10:00             09:30 (< frt)     3600  -       2    10  8   blank id,
                                                                        res<frt, ces 8
    c     (none)            -                 -                 -     -       1    0   1   no created
    d     01-20 12:00       12:00             12:00             0     0       -    -   -   clean
    """
    return pd.DataFrame(
        {
            "interaction_id": ["a", "a", "a", "b", None, "  ", "c", "d"],
            "created_at": [
                T("2026-01-05 10:00"),
                T("2026-01-05 10:00"),
                T("2026-01-06 09:00"),
                T("2026-01-07 09:00"),
                T("2026-01-08 09:00"),
                T("2026-01-09 09:00"),
                pd.NaT,
                T("2026-01-20 12:00"),
            ],
            "first_response_at": [
                T("2026-01-05 10:01"),
                T("2026-01-05 10:01"),
                T("2026-01-06 09:00"),
                T("2026-01-07 08:00"),
                pd.NaT,
                T("2026-01-09 10:00"),
                pd.NaT,
                T("2026-01-20 12:00"),
            ],
            "resolved_at": [
                T("2026-01-05 11:00"),
                T("2026-01-05 11:00"),
                T("2026-01-06 10:00"),
                T("2026-01-07 07:00"),
                pd.NaT,
                T("2026-01-09 09:30"),
                pd.NaT,
                T("2026-01-20 12:00"),
            ],
            "wait_s": [60.0, 60.0, 0.0, -30.0, None, 3600.0, None, 0.0],
            "handle_time_s": [300.0, 300.0, -5.0, 100.0, None, None, None, 0.0],
            "csat": [5.0, 5.0, 4.0, 7.0, None, 2.0, 1.0, None],
            "nps": [9.0, 9.0, None, 11.0, None, 10.0, 0.0, None],
            "ces": [2.0, 2.0, None, 0.0, None, 8.0, 1.0, None],
        }
    )


EXPECTED = {
    "duplicate_id:interaction_id": 2,
    "missing_value:interaction_id": 2,
    "missing_value:created_at": 1,
    "negative_duration:wait_s": 1,
    "negative_duration:handle_time_s": 1,
    "before_created:first_response_at": 1,
    "before_created:resolved_at": 1,
    "before_response:resolved_at": 2,
    "out_of_scale:csat": 1,
    "out_of_scale:nps": 1,
    "out_of_scale:ces": 2,
}


@pytest.fixture(autouse=True)
def _fresh_cache():
    checks_module.clear_cache()
    yield
    checks_module.clear_cache()


def test_every_check_counted_by_hand():
    chk = check_data(_dirty())
    assert chk.problems == EXPECTED
    assert chk.rows == 8 and not chk.ok and not chk.skipped
    assert chk.first == T("2026-01-05 10:00") and chk.last == T("2026-01-20 12:00")
    assert chk.coverage.covered_days("2026-01-01", "2026-02-01") == 16  # 5 Jan .. 20 Jan
    assert chk.ranges["csat"] == (1.0, 7.0) and chk.ranges["ces"] == (0.0, 8.0)
    assert "two" not in chk.counts  # only known check ids
    assert set(chk.counts) <= set(checks_module.CHECK_IDS)


def test_clean_data_passes_and_says_nothing(tiny):
    chk = check_data(tiny)
    assert chk.ok and chk.problems == {} and chk.messages("en") == []
    assert chk.warning_text() is None
    assert all(v == 0 for v in chk.counts.values()) and len(chk.counts) >= 10


def test_messages_in_both_languages():
    chk = check_data(_dirty())
    en = chk.messages("en")
    assert en[0] == "2 duplicate interaction_id values (counted as separate contacts)"
    assert "2 blank interaction_id values" in en
    assert "1 negative wait_s value" in en
    assert "1 first_response_at before created_at (answered before the contact)" in en
    assert "2 resolved_at before first_response_at (resolved before the first response)" in en
    assert "csat answers range from 1 to 7, outside the scale 1-5 in force (1 outside)" in en
    assert "nps answers range from 0 to 11, outside the scale 0-10 in force (1 outside)" in en
    pt = chk.messages("pt-BR")
    assert pt[0] == "2 interaction_id duplicados (contados como contatos à parte)"
    assert "1 valor negativo em wait_s" in pt
    assert len(pt) == len(en) == len(EXPECTED)


def test_compute_warns_once_with_every_failed_check():
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        out = compute(_dirty(), ["volume", "asa"])
    data_warnings = [w for w in caught if issubclass(w.category, DataWarning)]
    assert len(data_warnings) == 1
    w = data_warnings[0]
    assert w.filename == __file__  # points at the caller, not inside the package
    text = str(w.message)
    assert text.startswith("data: 2 duplicate interaction_id values (counted as separate ")
    assert "; 1 negative wait_s value; " in text
    assert "Load the export with kpi_helpers.load_interactions(...)" in text
    assert "Declare the survey's scale" in text and "'ces'" in text and "'nps'" not in text
    assert w.message.check.problems == EXPECTED
    assert isinstance(w.message, KpiError) and isinstance(w.message, UserWarning)
    # the data is computed as it is: every row is a contact, duplicates too
    assert out["volume"].iloc[0] == 8


def test_checks_are_the_same_fused_or_standalone():
    # no period: the checks ride in the KPI query; a period: a query of their own (whole data)
    df = _dirty()
    with pytest.warns(DataWarning) as fused:
        compute(df, "volume", by="month")
    checks_module.clear_cache()
    with pytest.warns(DataWarning) as alone:
        compute(df, "volume", period=("2026-01-20", "2026-01-21"))
    assert fused[0].message.check.problems == alone[0].message.check.problems == EXPECTED
    assert fused[0].message.check.first == alone[0].message.check.first


def test_compute_components_and_its_coverage():
    with pytest.warns(DataWarning):
        comps = compute_components(_dirty(), "volume", periods={"a": ("2026-01-01", "2026-01-10")})
    cov = comps.attrs["coverage"]
    assert (cov.first_day.isoformat(), cov.last_day.isoformat()) == ("2026-01-05", "2026-01-20")
    assert comps.attrs["data_check"].problems == EXPECTED


def test_the_check_runs_once_per_source(monkeypatch, tmp_path):
    calls = []
    real = checks_module._plan

    def counting(*args, **kwargs):
        calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(checks_module, "_plan", counting)
    df = _dirty()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DataWarning)
        for _ in range(5):
            compute(df, ["volume", "asa"], by="month")
        assert len(calls) == 1
        # a path: keyed by its resolved name, size and mtime
        path = tmp_path / "x.parquet"
        df.to_parquet(path)
        for _ in range(3):
            compute(path, "volume")
        assert len(calls) == 2
        df.iloc[:7].to_parquet(path)  # rewritten: checked again
        assert compute(path, "volume")["volume"].iloc[0] == 7
        assert len(calls) == 3
        # an Ibis table: keyed by its expression
        table = as_table(path).table
        compute(table, "volume")
        compute(table, "volume")
        assert len(calls) == 4
    # another scale in force is another check (the out-of-scale count depends on it)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        compute(df, "csat", options={"csat": {"scale": [1, 7]}})
    assert len(calls) == 5
    text = str(next(w.message for w in caught if w.category is DataWarning))
    assert "csat answers" not in text


def test_warning_repeats_on_every_call_even_when_cached():
    df = _dirty()
    for _ in range(2):
        with pytest.warns(DataWarning, match="2 duplicate interaction_id values"):
            compute(df, "volume")


def test_a_frame_that_is_gone_leaves_the_cache():
    df = _dirty()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DataWarning)
        compute(df, "volume")
    assert any(k[0] == "frame" for k in checks_module._CACHE)
    del df
    import gc

    gc.collect()
    checks_module._cache_get(("nothing",))  # the next access drops the collected frame's entry
    assert not any(k[0] == "frame" for k in checks_module._CACHE)


def test_load_result_is_not_checked_again():
    res = load_interactions(_dirty())
    chk = check_data(res)
    assert chk.skipped and chk.counts == {} and chk.rows == len(res.data)
    assert chk.first is not None
    with warnings.catch_warnings():
        warnings.simplefilter("error", DataWarning)
        compute(res, "volume")


def test_parquet_statistics_decide_single_column_checks(tmp_path):
    df = _dirty().drop(columns=["first_response_at", "resolved_at"])
    clean = df[df["interaction_id"].isin(["d"])]
    path = tmp_path / "clean.parquet"
    clean.to_parquet(path)
    plan = checks_module._plan(as_table(path), DEFAULT_SCALES)
    assert plan.known["negative_duration:wait_s"] == 0  # min 0 in the footer: no scan
    assert plan.known["missing_value:interaction_id"] == 0
    assert plan.coverage_known and plan.first == T("2026-01-20 12:00")
    assert not any(what == "negative_duration:wait_s" for _, (_, what), _ in plan.row)
    dirty = tmp_path / "dirty.parquet"
    df.to_parquet(dirty)
    chk = check_data(dirty)
    assert chk.problems["negative_duration:wait_s"] == 1
    assert chk.problems["duplicate_id:interaction_id"] == 2
    assert chk.source == str(dirty)


def test_csv_text_values_that_do_not_parse(tmp_path):
    path = tmp_path / "x.csv"
    path.write_text(
        "interaction_id,created_at,wait_s,csat\n"
        "1,2026-01-05 10:00:00,30,5\n"
        "2,not a date,40,oops\n"
        "2,2026-01-07 10:00:00,-1,4\n"
    )
    chk = check_data(path)
    assert chk.problems == {
        "duplicate_id:interaction_id": 1,
        "invalid_timestamp:created_at": 1,
        "invalid_number:csat": 1,
        "negative_duration:wait_s": 1,
    }
    assert chk.messages("en")[-1] == (
        "values that could not be read were treated as missing (created_at: 1, csat: 1)"
    )
    assert chk.last == T("2026-01-07 10:00")


def test_hashed_ids_are_recounted_exactly(monkeypatch):
    # a hash collision must not read as a duplicate: the exact count decides
    df = pd.DataFrame(
        {"interaction_id": ["x", "y", "z"], "created_at": pd.to_datetime(["2026-01-05"] * 3)}
    )
    real = checks_module._finish

    def collide(source, plan, scales, row_values, raw_row, rows):
        assert plan.hashed_ids
        return real(source, plan, scales, row_values, {**raw_row, "_distinct": 2}, rows)

    monkeypatch.setattr(checks_module, "_finish", collide)
    assert check_data(df).counts["duplicate_id:interaction_id"] == 0
