"""Mapping entry forms of issue #11: flag value lists with ``otherwise``, text columns
mapped as flags, composite ids, ``in:`` and ``on_or_before:`` flags, ``plus:`` durations,
and "closest column" hints that respect the target's type."""

from __future__ import annotations

import re

import pandas as pd
import pytest
import yaml

from kpi_helpers import compute, load_interactions
from kpi_helpers.errors import DataError, OptionError
from kpi_helpers.io import _fits
from kpi_helpers.mapping import parse_mapping


def _csv(tmp_path, text: str, name: str = "export.csv"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _vals(series: pd.Series) -> list:
    return [None if pd.isna(v) else v for v in series.tolist()]


# A helpdesk export whose status is text: 5 Resolved, 3 Open, 2 Pending.
_STATUS = (
    "Ticket,Created,Status\n"
    "T1,2025-03-03 09:00,Resolved\n"
    "T2,2025-03-03 09:10,Open\n"
    "T3,2025-03-03 09:20,Resolved\n"
    "T4,2025-03-03 09:30,Pending\n"
    "T5,2025-03-03 09:40,Resolved\n"
    "T6,2025-03-03 09:50,Open\n"
    "T7,2025-03-03 10:00,Resolved\n"
    "T8,2025-03-03 10:10,Pending\n"
    "T9,2025-03-03 10:20,Open\n"
    "T10,2025-03-03 10:30,Resolved\n"
)
_BASE = {"interaction_id": "Ticket", "created_at": "Created"}


# --------------------------------------------------------------------------- 1. flags


def test_a_text_status_mapped_as_a_flag_fails_fast_with_one_message(tmp_path):
    path = _csv(tmp_path, _STATUS, "tickets.csv")
    with pytest.raises(DataError) as exc:
        load_interactions(path, {**_BASE, "resolved": "Status"})
    msg = str(exc.value)
    assert msg.startswith(
        "tickets.csv: the column 'Status' is mapped to the yes/no field `resolved`"
    )
    assert "found: 3 distinct value(s): 'Resolved' (5), 'Open' (3), 'Pending' (2)" in msg
    line = "resolved: {column: Status, true_values: [Resolved], otherwise: false}"
    assert f"`{line}`" in msg
    assert "is not a yes/no value" not in msg  # no row-by-row rejection
    # the line it suggests is valid YAML and does what it says
    res = load_interactions(path, {**_BASE, **yaml.safe_load(line)})
    assert res.data["resolved"].tolist() == [
        True, False, True, False, True, False, True, False, False, True
    ]  # fmt: skip
    assert res.report["rejected"] == 0 and res.warnings == []


def test_a_yes_no_column_with_a_typo_still_rejects_that_row_only(tmp_path):
    text = "interaction_id,created_at,answered\n1,2025-03-03 09:00,S\n2,2025-03-03 09:05,talvez\n"
    text += "3,2025-03-03 09:10,N\n"
    res = load_interactions(_csv(tmp_path, text))
    assert res.report["rejected_by_reason"] == {"invalid_bool": 1}
    assert res.data["answered"].tolist() == [True, False]


def test_otherwise_decides_the_values_in_neither_list(tmp_path):
    text = "Ticket,Created,Status\n"
    for i, status in enumerate(["Closed", "fechado", "Open", "", "Sim", "Pending"], start=1):
        text += f"T{i},2025-03-03 09:0{i},{status}\n"
    path = _csv(tmp_path, text)
    lists = {"column": "Status", "true_values": ["closed", "Fechado"], "false_values": ["open"]}
    # otherwise: false -> Pending is false; "Sim" is still a yes word; blank stays blank
    res = load_interactions(path, {**_BASE, "resolved": {**lists, "otherwise": False}})
    assert _vals(res.data["resolved"]) == [True, True, False, None, True, False]
    # otherwise: true -> Pending is true
    res = load_interactions(path, {**_BASE, "resolved": {**lists, "otherwise": "true"}})
    assert _vals(res.data["resolved"]) == [True, True, False, None, True, True]
    # otherwise: reject (the default) -> the Pending row is rejected
    for entry in ({**lists, "otherwise": "reject"}, lists):
        res = load_interactions(path, {**_BASE, "resolved": entry})
        assert res.report["rejected_by_reason"] == {"invalid_bool": 1}
        assert res.rejected["value"].tolist() == ["Pending"]
        assert res.warnings == []  # both sides have values: nothing to say


def test_a_flag_whose_lists_leave_false_empty_warns(tmp_path):
    # an order export: 3 delivered, 2 canceled
    text = "order_id,order_purchase_timestamp,order_status\n"
    statuses = ["delivered", "canceled", "delivered", "delivered", "canceled"]
    for i, status in enumerate(statuses, start=1):
        text += f"o{i},2025-03-0{i} 12:00,{status}\n"
    path = _csv(tmp_path, text, "orders.csv")
    base = {"interaction_id": "order_id", "created_at": "order_purchase_timestamp"}
    res = load_interactions(
        path, {**base, "delivered": {"column": "order_status", "true_values": ["delivered"]}}
    )
    assert res.report["rejected"] == 2
    assert res.warnings == [
        "delivered: no value maps to false; 2 row(s) rejected (in neither list: 'canceled' "
        "(2)). List those values under false_values or add `otherwise: false` to the mapping "
        "entry."
    ]
    assert "nenhum valor corresponde a false; 2 linha(s) rejeitada(s)" in res.summary("pt-BR")
    # with on_invalid="null" the values are blanked, and the warning says so
    res = load_interactions(
        path,
        {**base, "delivered": {"column": "order_status", "true_values": ["delivered"]}},
        on_invalid="null",
    )
    assert "2 value(s) blanked" in res.warnings[0]
    # otherwise: false settles it: 3 of 5 delivered
    res = load_interactions(
        path,
        {
            **base,
            "delivered": {
                "column": "order_status",
                "true_values": ["delivered"],
                "otherwise": False,
            },
        },
    )
    assert res.warnings == []
    assert compute(res.data, ["delivery_success"])["delivery_success"].iloc[0] == 0.6
    # otherwise: true makes every row true: said aloud
    res = load_interactions(
        path,
        {
            **base,
            "delivered": {
                "column": "order_status",
                "true_values": ["delivered"],
                "otherwise": True,
            },
        },
    )
    assert res.data["delivered"].all()
    assert res.warnings == [
        "delivered: no value maps to false: every row is true (values of 'order_status': "
        "'delivered' (3), 'canceled' (2)). Check the values listed in the mapping entry."
    ]


@pytest.mark.parametrize(
    ("entry", "needle"),
    [
        ({"wait_s": {"column": "W", "otherwise": False}}, "apply to the yes/no columns"),
        ({"agent": {"column": "A", "in": ["x"]}}, "apply to the yes/no columns"),
        ({"resolved": {"column": "S", "otherwise": "maybe"}}, "false, true or reject"),
        ({"resolved": {"column": "S", "in": []}}, "`in` lists the values that mean true"),
        (
            {"resolved": {"column": "S", "in": ["a"], "true_values": ["a"]}},
            "does not combine with `true_values`",
        ),
        ({"delivered": {"column": "D", "on_or_before": ""}}, "names the column of the deadline"),
        ({"delivered": {"value": True, "on_or_before": "E"}}, "need a source column"),
        ({"agent": ["First", "Last"]}, "joins columns into one id"),
        ({"handle_time_s": {"column": "Talk", "plus": [""]}}, "each `plus` item"),
        ({"agent": {"column": "A", "plus": ["B"]}}, "`plus` adds durations"),
    ],
)
def test_bad_flag_and_form_entries_name_the_entry(entry, needle):
    with pytest.raises(OptionError) as exc:
        parse_mapping({"interaction_id": "Id", "created_at": "When", **entry})
    assert needle in str(exc.value) and f"entry `{next(iter(entry))}`" in str(exc.value)


def test_otherwise_spellings_in_a_yaml_mapping(tmp_path):
    yml = tmp_path / "m.yml"
    yml.write_text(
        "interaction_id: Ticket\ncreated_at: Created\n"
        "resolved: {column: Status, true_values: [Resolved], otherwise: no}\n",
        encoding="utf-8",
    )
    # YAML reads an unquoted `no` as false
    res = load_interactions(_csv(tmp_path, _STATUS), yml)
    assert int(res.data["resolved"].sum()) == 5 and res.report["rejected"] == 0


# --------------------------------------------------------------------------- 2. ids, in, dates

_REVIEWS = (
    "review_id,order_id,review_score,review_creation_date\n"
    "r1,o1,5,2025-03-01 00:00:00\n"
    "r2,o1,4,2025-03-02 00:00:00\n"  # a second review of the same order
    "r1,o2,1,2025-03-02 00:00:00\n"  # review ids repeat across orders
    ",o3,3,2025-03-03 00:00:00\n"  # a blank part: no id
    "r1,o1,2,2025-03-04 00:00:00\n"  # the same order and review again: a duplicate
)


def test_a_composite_id_joins_its_columns_with_a_bar(tmp_path):
    path = _csv(tmp_path, _REVIEWS, "reviews.csv")
    mapping = {
        "interaction_id": ["order_id", "review_id"],
        "created_at": "review_creation_date",
        "csat": "review_score",
    }
    res = load_interactions(path, mapping)
    assert res.data["interaction_id"].tolist() == ["o1|r1", "o1|r2", "o2|r1"]
    assert res.data["csat"].tolist() == [5.0, 4.0, 1.0]
    assert res.rejected["row"].tolist() == [5, 6]
    assert res.rejected["check"].tolist() == ["missing_value", "duplicate_id"]
    assert "'o1|r1' already appears in row 2" in res.rejected["reason"].iloc[1]
    # the same in the dict form, and in YAML
    res2 = load_interactions(
        path, {**mapping, "interaction_id": {"column": ["order_id", "review_id"]}}
    )
    assert res2.data["interaction_id"].tolist() == res.data["interaction_id"].tolist()
    yml = tmp_path / "reviews.yml"
    yml.write_text(
        "interaction_id: [order_id, review_id]\ncreated_at: review_creation_date\n",
        encoding="utf-8",
    )
    assert load_interactions(path, yml).data["interaction_id"].tolist()[:2] == ["o1|r1", "o1|r2"]


def test_an_in_flag_folds_case_and_accents(tmp_path):
    text = "Pedido,Data,Situação\n"
    for i, status in enumerate(
        ["Entregue", " ENTREGUE ", "Não entregue", "", "Enviado", "cancelado"], start=1
    ):
        text += f"P{i},1{i}/03/2025 10:00,{status}\n"
    res = load_interactions(
        _csv(tmp_path, text),
        {
            "interaction_id": "Pedido",
            "created_at": "Data",
            "delivered": {"column": "Situação", "in": ["entregue", "ENVIADO"]},
        },
    )
    assert _vals(res.data["delivered"]) == [True, True, False, None, True, False]
    # 3 of the 5 known
    assert compute(res.data, ["delivery_success"])["delivery_success"].iloc[0] == 0.6
    assert res.warnings == []


def test_on_or_before_compares_two_timestamps(tmp_path):
    # Olist-like orders: the estimate is a date (00:00), so its whole day counts
    text = (
        "order_id,order_purchase_timestamp,order_delivered_customer_date,"
        "order_estimated_delivery_date\n"
        "o1,2025-03-01 10:00,2025-03-10 15:00,2025-03-10 00:00:00\n"  # same day: on time
        "o2,2025-03-01 10:00,2025-03-12 09:00,2025-03-11 00:00:00\n"  # a day late
        "o3,2025-03-01 10:00,,2025-03-11 00:00:00\n"  # not delivered: unknown
        "o4,2025-03-01 10:00,2025-03-05 08:00,2025-03-11 00:00:00\n"  # early
        "o5,2025-03-01 10:00,2025-03-06 08:00,\n"  # no estimate: unknown
        "o6,2025-03-01 10:00,soon,2025-03-11 00:00:00\n"  # unreadable: rejected
    )
    res = load_interactions(
        _csv(tmp_path, text, "orders.csv"),
        {
            "interaction_id": "order_id",
            "created_at": "order_purchase_timestamp",
            "delivered": {
                "column": "order_delivered_customer_date",
                "on_or_before": "order_estimated_delivery_date",
            },
        },
    )
    assert _vals(res.data["delivered"]) == [True, False, None, True, None]
    assert res.rejected["check"].tolist() == ["invalid_timestamp"]
    assert res.rejected["column"].tolist() == ["order_delivered_customer_date"]
    assert compute(res.data, ["delivery_success"])["delivery_success"].iloc[0] == 2 / 3
    # a deadline with times compares to the minute
    text = "id,created_at,done,due\n1,2025-03-01 10:00,2025-03-01 12:00,2025-03-01 11:00\n"
    text += "2,2025-03-01 10:00,2025-03-01 11:00,2025-03-01 11:00\n"
    res = load_interactions(
        _csv(tmp_path, text),
        {
            "interaction_id": "id",
            "created_at": "created_at",
            "delivered": {"column": "done", "on_or_before": "due"},
        },
    )
    assert res.data["delivered"].tolist() == [False, True]


def test_on_or_before_reads_day_first_dates_like_the_file(tmp_path):
    text = "id,created_at,entregue,previsto\n1,01/03/2025 10:00,13/03/2025 09:00,12/03/2025\n"
    text += "2,01/03/2025 10:00,02/03/2025 09:00,12/03/2025\n"
    res = load_interactions(
        _csv(tmp_path, text),
        {
            "interaction_id": "id",
            "created_at": "created_at",
            "delivered": {"column": "entregue", "on_or_before": "previsto"},
        },
    )
    assert res.data["delivered"].tolist() == [False, True]


def test_plus_adds_durations_to_a_column(tmp_path):
    text = (
        "Call ID,Start,Talk time,Hold time,Wrap-up time\n"
        "c1,2025-03-03 09:00,00:04:00,00:01:00,30\n"  # 240 + 60 + 30
        "c2,2025-03-03 09:10,00:02:00,,00:00:20\n"  # no hold: 120 + 0 + 20
        "c3,2025-03-03 09:20,,,\n"  # abandoned: no talk, no handle time
    )
    path = _csv(tmp_path, text)
    mapping = {
        "interaction_id": "Call ID",
        "created_at": "Start",
        "handle_time_s": {"column": "Talk time", "plus": ["Hold time", ["ACW", "Wrap-up time"]]},
    }
    res = load_interactions(path, mapping)
    assert _vals(res.data["handle_time_s"]) == [330.0, 140.0, None]
    # a column to add that is not in the file: left out, with a warning
    mapping["handle_time_s"] = {"column": "Talk time", "plus": ["Hold", "Wrap-up time"]}
    res = load_interactions(path, mapping)
    assert _vals(res.data["handle_time_s"]) == [270.0, 140.0, None]
    assert res.warnings == [
        "Column 'Hold' (added to handle_time_s) not found; handle_time_s is 'Talk time' without it."
    ]


# --------------------------------------------------------------------------- 3. typed hints


def test_the_closest_column_for_created_at_holds_dates(tmp_path):
    text = "Ticket,Created by,Opened on\nT1,Ana,2025-03-03 09:00\nT2,Bia,2025-03-03 09:30\n"
    with pytest.raises(DataError) as exc:
        load_interactions(_csv(tmp_path, text, "t.csv"), {"interaction_id": "Ticket"})
    msg = str(exc.value)
    assert "required field `created_at`" in msg
    assert "closest: 'Opened on'" in msg and "YAML line `created_at: Opened on`" in msg
    assert "'Created by';" not in msg and "created_at: Created by" not in msg


def test_the_closest_column_for_an_id_is_unique_and_not_a_date(tmp_path):
    text = (
        "Ticket created,Number,Status\n"
        "2025-03-03 09:00,1001,Open\n"
        "2025-03-03 09:30,1002,Open\n"
        "2025-03-03 10:00,1003,Closed\n"
    )
    with pytest.raises(DataError) as exc:
        load_interactions(_csv(tmp_path, text, "t.csv"), {"created_at": "Ticket created"})
    msg = str(exc.value)
    assert "required field `interaction_id`" in msg
    assert "closest: 'Number'" in msg and "`interaction_id: Number`" in msg
    assert "interaction_id: Ticket created" not in msg


def test_a_missing_mapped_column_is_not_replaced_by_one_of_the_wrong_type(tmp_path):
    text = "id,created_at,Store,Scores,Waiter,Wait (s)\n"
    text += "1,2025-03-03 09:00,101,5,Ana,30\n2,2025-03-03 09:10,205,4,Bia,45\n"
    path = _csv(tmp_path, text, "s.csv")
    with pytest.raises(DataError) as exc:
        load_interactions(
            path, {"interaction_id": "id", "created_at": "created_at", "csat": "Score"}
        )
    msg = str(exc.value)
    assert (
        "closest: 'Scores'" in msg
        and "`csat: Scores`" in msg
        and "'Store'" not in msg.split("closest:")[1]
    )
    with pytest.raises(DataError) as exc:
        load_interactions(
            path, {"interaction_id": "id", "created_at": "created_at", "wait_s": "Waits"}
        )
    assert re.search(r"closest: 'Wait \(s\)'\n", str(exc.value))


@pytest.mark.parametrize(
    ("target", "values", "fits"),
    [
        ("created_at", ["2025-03-03 09:00", "03/03/2025"], True),
        ("created_at", ["45352.5", 45353.25], True),  # Excel dates
        ("created_at", ["Open", "Closed"], False),
        ("created_at", [1001, 1002], False),  # ids, not Excel dates
        ("created_at", ["00:05:30", "00:01:00"], False),  # durations
        ("interaction_id", ["A1", "A2", "A3"], True),
        ("interaction_id", [1, 2, 3], True),
        ("interaction_id", ["2025-03-03", "2025-03-04"], False),
        ("interaction_id", ["x", "x", "y"], False),  # not unique
        ("resolved", ["S", "N", "S"], True),
        ("resolved", [f"T{i}" for i in range(10)], False),
        ("csat", [1, 5, 3], True),
        ("csat", [101, 205], False),  # outside 1-5
        ("csat", ["good", "bad"], False),
        ("nps", [0, 10, 7], True),
        ("wait_s", ["00:05:30", 12, "1:00"], True),
        ("wait_s", ["Ana", "Bia"], False),
        ("wait_s", ["2025-03-03 09:00", "2025-03-04 10:00"], False),
        ("contacts", [1, 2, 3], True),
        ("contacts", [0, 1], False),
        ("agent", ["Ana", "Bia"], True),
        ("agent", [None, ""], False),  # no values: no evidence
    ],
)
def test_fits_tells_a_columns_type_from_its_values(target, values, fits):
    from kpi_helpers.schema import DEFAULT_SCALES

    assert _fits(target, pd.Series(values, dtype=object), DEFAULT_SCALES) is fits


# --------------------------------------------------------------------------- 5. operations


def test_load_operations_rejects_a_row_cut_off_like_load_interactions(tmp_path):
    from kpi_helpers import load_operations

    text = (
        "month,team,cost_total,headcount_start\n"
        "2026-01,A,1000,10\n"
        "2026-02,A,1200,11\n"
        "2026-03,A,13"  # the download stopped here: 3 of 4 fields
    )
    res = load_operations(_csv(tmp_path, text, "ops.csv"))
    assert res.data["month"].dt.strftime("%Y-%m").tolist() == ["2026-01", "2026-02"]
    assert res.data["cost_total"].tolist() == [1000.0, 1200.0]
    assert len(res.rejected) == 1
    rej = res.rejected.iloc[0]
    assert rej["row"] == 4 and rej["check"] == "short_row"
    assert rej["reason"] == (
        "row 4 has 3 of 4 fields (the line is cut off: an incomplete download?)"
    )
    assert rej["column"] == "(whole row)" and rej["value"] == "2026-03,A,13"
    assert "fewer fields than the header (line cut off): 1" in res.summary("en")
    assert "menos campos que o cabeçalho (linha cortada): 1" in res.summary("pt-BR")


def test_a_flag_whose_every_value_is_listed_on_one_side_does_not_warn(tmp_path):
    # every order delivered, and the mapping says "delivered" is true: nothing to say
    text = "order_id,order_purchase_timestamp,order_status\n"
    text += "o1,2025-03-01 12:00,delivered\no2,2025-03-02 12:00,Delivered\n"
    path = _csv(tmp_path, text, "orders.csv")
    base = {"interaction_id": "order_id", "created_at": "order_purchase_timestamp"}
    for entry in (
        {"column": "order_status", "true_values": ["delivered"], "otherwise": False},
        {"column": "order_status", "in": ["delivered"]},
    ):
        res = load_interactions(path, {**base, "delivered": entry})
        assert res.data["delivered"].tolist() == [True, True] and res.warnings == []
    # but an `in:` list that matches nothing is a typo until proven otherwise
    res = load_interactions(
        path, {**base, "delivered": {"column": "order_status", "in": ["entregue"]}}
    )
    assert res.data["delivered"].tolist() == [False, False]
    assert res.warnings == [
        "delivered: no value maps to true: every row is false (values of 'order_status': "
        "'Delivered' (1), 'delivered' (1)). Check the values listed in the mapping entry."
    ]
