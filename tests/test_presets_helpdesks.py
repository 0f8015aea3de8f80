"""Presets for common helpdesk and call-centre exports (issue #11): Freshdesk tickets,
Zammad tickets, Chatwoot conversations and an ACD call log, each on a small file built
from the product's export columns, with hand-computed results."""

from __future__ import annotations

import pandas as pd
import pytest

import kpi_helpers as kh
from kpi_helpers import compute, load_interactions
from kpi_helpers.mapping import resolve_mapping


def T(text: str) -> pd.Timestamp:
    return pd.Timestamp(text)


def _csv(tmp_path, text: str, name: str):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _vals(series: pd.Series) -> list:
    return [None if pd.isna(v) else v for v in series.tolist()]


_PRESETS = {
    "freshdesk_tickets": "Freshdesk",
    "zammad_tickets": "Zammad",
    "chatwoot_conversations": "Chatwoot",
    "callcenter_acd": "ACD",
}


def test_the_helpdesk_presets_are_registered_and_described():
    names = kh.list_presets()
    for name, product in _PRESETS.items():
        assert name in names
        mapping = resolve_mapping(name)
        assert mapping.name == name and product in mapping.description
        assert {"interaction_id", "created_at"} <= set(mapping.columns)


# --------------------------------------------------------------------------- Freshdesk

_FRESHDESK_HEADER = (
    "Ticket ID,Subject,Status,Priority,Source,Type,Agent,Group,Created time,Due by Time,"
    "Resolved time,Closed time,Last update time,Initial response time,Time tracked,"
    "First response time (in hrs),Resolution time (in hrs),Agent interactions,"
    "Customer interactions,Satisfaction survey\n"
)


def test_freshdesk_tickets(tmp_path):
    text = _FRESHDESK_HEADER + (
        # 0.5 h to the first response = 1800 s; resolved 2 h after creation
        "101,Login fails,Resolved,Medium,Email,Incident,Ana,Support,2025-03-03 09:00:00,"
        "2025-03-04 09:00:00,2025-03-03 11:00:00,2025-03-03 11:00:00,2025-03-03 11:00:00,"
        "2025-03-03 09:30:00,00:20,0.5,2.0,2,1,Awesome\n"
        # a portal ticket (a web form: e-mail), closed; 1.25 h = 4500 s
        "102,Invoice copy,Closed,Low,Portal,Question,Bia,Billing,2025-03-03 10:00:00,"
        "2025-03-05 10:00:00,,2025-03-03 12:00:00,2025-03-03 12:00:00,"
        "2025-03-03 11:15:00,00:05,1.25,,1,1,\n"
        # a phone ticket still open, never answered
        "103,Call back,Open,High,Phone,Problem,,Support,2025-03-03 11:00:00,"
        "2025-03-03 15:00:00,,,2025-03-03 11:00:00,,,,,0,1,\n"
        # a chat waiting on the customer; 0.1 h = 360 s; unhappy
        "104,Refund,Waiting on Customer,Medium,Chat,Refund,Ana,Billing,2025-03-03 12:00:00,"
        "2025-03-04 12:00:00,,,2025-03-03 12:30:00,2025-03-03 12:06:00,,0.1,,3,2,Not Good\n"
    )
    res = load_interactions(_csv(tmp_path, text, "tickets.csv"), "freshdesk_tickets")
    d = res.data
    assert res.report["rejected"] == 0, res.rejected
    assert d["interaction_id"].tolist() == ["101", "102", "103", "104"]
    assert d["created_at"].tolist()[0] == T("2025-03-03 09:00")
    assert d["channel"].tolist() == ["email", "email", "phone", "chat"]
    assert _vals(d["team"]) == ["Support", "Billing", "Support", "Billing"]
    assert _vals(d["agent"]) == ["Ana", "Bia", None, "Ana"]
    assert _vals(d["category"]) == ["Incident", "Question", "Problem", "Refund"]
    assert _vals(d["wait_s"]) == [1800.0, 4500.0, None, 360.0]
    assert d["answered"].tolist() == [True, True, False, True]
    assert d["resolved"].tolist() == [True, True, False, False]
    assert _vals(d["resolved_at"]) == [T("2025-03-03 11:00"), None, None, None]
    assert _vals(d["csat"]) == [5.0, None, None, 1.0]
    kpis = compute(d, ["volume", "answer_rate", "asa", "csat"]).iloc[0]
    assert kpis["volume"] == 4
    assert kpis["answer_rate"] == pytest.approx(3 / 4)
    assert kpis["asa"] == pytest.approx((1800 + 4500 + 360) / 3)
    assert kpis["csat"] == pytest.approx(1 / 2)  # Awesome (5) of Awesome, Not Good


def test_freshdesk_without_the_optional_columns(tmp_path):
    # a trimmed export: only the id, the creation time and the status
    text = (
        "Ticket ID,Created time,Status\n1,2025-03-03 09:00:00,Closed\n2,2025-03-03 10:00:00,Open\n"
    )
    res = load_interactions(_csv(tmp_path, text, "small.csv"), "freshdesk_tickets")
    assert res.data["resolved"].tolist() == [True, False]
    assert res.data["channel"].tolist() == ["unknown", "unknown"]
    assert any("'Source' (for channel) not found" in w for w in res.warnings)


# --------------------------------------------------------------------------- Zammad


def test_zammad_tickets_api_flavour(tmp_path):
    text = (
        "number,title,state,priority,group,owner,customer,organization,create_article_type,"
        "created_at,first_response_at,close_at,first_response_in_min,close_in_min,updated_at\n"
        "31001,Printer,closed,2 normal,Users,Ana Lima,Carl,ACME,email,"
        "2025-03-03T09:00:00Z,2025-03-03T09:45:00Z,2025-03-03T13:00:00Z,45,240,"
        "2025-03-03T13:00:00Z\n"
        "31002,VPN,open,3 high,Network,-,Dora,ACME,phone,"
        "2025-03-03T10:00:00Z,2025-03-03T10:05:00Z,,5,,2025-03-03T10:05:00Z\n"
        "31003,Access,pending reminder,2 normal,Users,Ana Lima,Eve,,web,"
        "2025-03-03T11:00:00Z,,,,,2025-03-03T11:00:00Z\n"
    )
    res = load_interactions(_csv(tmp_path, text, "zammad.csv"), "zammad_tickets", timezone="UTC")
    d = res.data
    assert res.report["rejected"] == 0, res.rejected
    assert d["interaction_id"].tolist() == ["31001", "31002", "31003"]
    assert d["created_at"].tolist() == [
        T("2025-03-03 09:00"), T("2025-03-03 10:00"), T("2025-03-03 11:00")
    ]  # fmt: skip
    assert d["channel"].tolist() == ["email", "phone", "email"]
    assert _vals(d["agent"]) == ["Ana Lima", None, "Ana Lima"]  # "-": unassigned
    assert d["team"].tolist() == ["Users", "Network", "Users"]
    assert _vals(d["wait_s"]) == [2700.0, 300.0, None]  # 45 min, 5 min, no answer
    assert d["resolved"].tolist() == [True, False, False]
    assert _vals(d["resolved_at"]) == [T("2025-03-03 13:00"), None, None]
    kpis = compute(d, ["frt_mean", "resolution_time_mean"]).iloc[0]
    assert kpis["frt_mean"] == pytest.approx((2700 + 300) / 2)
    assert kpis["resolution_time_mean"] == pytest.approx(4 * 3600)


def test_zammad_report_spreadsheet(tmp_path):
    text = (
        "#,Title,State,Priority,Group,Owner,Customer,Create Channel,Created at,"
        "First Response At,Close At\n"
        "41001,Mail,closed,2 normal,Users,Bia,Carl,email,2025-03-03 09:00:00,"
        "2025-03-03 09:10:00,2025-03-03 10:00:00\n"
        "41002,Call,new,2 normal,Users,-,Dora,phone,2025-03-03 09:30:00,,\n"
    )
    res = load_interactions(_csv(tmp_path, text, "report.csv"), "zammad_tickets")
    d = res.data
    assert d["interaction_id"].tolist() == ["41001", "41002"]
    assert _vals(d["wait_s"]) == [600.0, None]
    assert d["resolved"].tolist() == [True, False]
    assert d["channel"].tolist() == ["email", "phone"]


# --------------------------------------------------------------------------- Chatwoot


def test_chatwoot_conversations(tmp_path):
    text = (
        "Conversation ID,Status,Inbox,Channel,Assignee,Team,Created at,"
        "First reply created at,Waiting since,CSAT rating\n"
        "501,resolved,Site,Channel::WebWidget,Ana,Sales,2025-03-03 09:00:00,"
        "2025-03-03 09:02:00,,5\n"
        "502,open,Zap,Channel::Whatsapp,Bia,Support,2025-03-03 09:10:00,"
        "2025-03-03 09:20:00,2025-03-03 09:30:00,\n"
        "503,pending,Mail,Channel::Email,,Support,2025-03-03 09:20:00,,2025-03-03 09:20:00,\n"
        "504,resolved,Zap,Channel::Whatsapp,Ana,Support,2025-03-03 09:30:00,"
        "2025-03-03 09:31:00,,3\n"
    )
    res = load_interactions(_csv(tmp_path, text, "chatwoot.csv"), "chatwoot_conversations")
    d = res.data
    assert res.report["rejected"] == 0, res.rejected
    assert d["interaction_id"].tolist() == ["501", "502", "503", "504"]
    assert d["channel"].tolist() == ["chat", "whatsapp", "email", "whatsapp"]
    assert _vals(d["agent"]) == ["Ana", "Bia", None, "Ana"]
    assert d["team"].tolist() == ["Sales", "Support", "Support", "Support"]
    assert _vals(d["wait_s"]) == [120.0, 600.0, None, 60.0]
    assert d["resolved"].tolist() == [True, False, False, True]
    assert _vals(d["csat"]) == [5.0, None, None, 3.0]
    kpis = compute(d, ["answer_rate", "frt_median", "csat"]).iloc[0]
    assert kpis["answer_rate"] == pytest.approx(3 / 4)
    assert kpis["frt_median"] == pytest.approx(120.0)
    assert kpis["csat"] == pytest.approx(1 / 2)


# --------------------------------------------------------------------------- ACD log


def test_acd_call_log(tmp_path):
    text = (
        "Call ID,Queue,Agent,Call start,Answer time,Wait time,Talk time,Hold time,"
        "Wrap-up time,Abandoned,Disposition\n"
        # answered after 20 s: 4 min talk + 30 s hold + 1 min wrap-up = 330 s
        "C1,Sales,Ana,2025-03-03 09:00:00,2025-03-03 09:00:20,20,00:04:00,00:00:30,00:01:00,"
        "N,Sale\n"
        # abandoned after 45 s in the queue: not answered, no handle time
        "C2,Sales,,2025-03-03 09:05:00,,45,,,,Y,\n"
        # answered after 5 s: 120 s talk, no hold, 15 s wrap-up = 135 s
        "C3,Support,Bia,2025-03-03 09:10:00,2025-03-03 09:10:05,5,120,,15,N,Info\n"
    )
    res = load_interactions(_csv(tmp_path, text, "calls.csv"), "callcenter_acd")
    d = res.data
    assert res.report["rejected"] == 0, res.rejected
    assert res.warnings == []
    assert d["interaction_id"].tolist() == ["C1", "C2", "C3"]
    assert d["channel"].tolist() == ["phone"] * 3
    assert d["team"].tolist() == ["Sales", "Sales", "Support"]
    assert _vals(d["category"]) == ["Sale", None, "Info"]
    assert d["wait_s"].tolist() == [20.0, 45.0, 5.0]
    assert _vals(d["handle_time_s"]) == [330.0, None, 135.0]
    assert d["abandoned"].tolist() == [False, True, False]
    assert d["answered"].tolist() == [True, False, True]  # the wait of C2 does not answer it
    kpis = compute(d, ["volume", "answer_rate", "abandonment_rate", "aht", "asa"]).iloc[0]
    assert kpis["volume"] == 3
    assert kpis["answer_rate"] == pytest.approx(2 / 3)
    assert kpis["abandonment_rate"] == pytest.approx(1 / 3)
    assert kpis["aht"] == pytest.approx((330 + 135) / 2)
    assert kpis["asa"] == pytest.approx((20 + 5) / 2)


def test_acd_log_with_other_spellings_and_date_time_columns(tmp_path):
    text = (
        "CallID,Date,Time,Skill,Agent name,Queue time,Talk duration,Hold,ACW,Abandoned (Y/N)\n"
        "9001,03/03/2025,09:00,Billing,Ana,00:30,00:03:00,00:00:00,00:00:30,0\n"
        "9002,03/03/2025,09:20,Billing,,01:10,,,,1\n"
    )
    res = load_interactions(_csv(tmp_path, text, "acd.csv"), "callcenter_acd", dayfirst=True)
    d = res.data
    assert d["created_at"].tolist() == [T("2025-03-03 09:00"), T("2025-03-03 09:20")]
    assert d["wait_s"].tolist() == [30.0, 70.0]  # mm:ss
    assert _vals(d["handle_time_s"]) == [210.0, None]
    assert d["answered"].tolist() == [True, False]
    assert d["abandoned"].tolist() == [False, True]
    assert d["team"].tolist() == ["Billing", "Billing"]


def test_acd_log_without_abandoned_calls_loads_without_warnings(tmp_path):
    text = "Call ID,Call start,Wait time,Talk time,Hold time,Wrap-up time,Abandoned\n"
    text += "A1,2025-03-03 09:00,10,60,0,5,N\nA2,2025-03-03 09:01,12,90,,10,N\n"
    res = load_interactions(_csv(tmp_path, text, "calls.csv"), "callcenter_acd")
    # only the optional columns it lacks are mentioned, not "no value maps to false"
    assert all(w.startswith("Optional column") for w in res.warnings), res.warnings
    assert len(res.warnings) == 4  # queue, agent, disposition, answer time
    assert res.data["answered"].tolist() == [True, True]
    assert res.data["handle_time_s"].tolist() == [65.0, 100.0]
