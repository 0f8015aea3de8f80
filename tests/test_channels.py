"""Channel families (kpi_helpers.channels): spellings, service-level thresholds, channel_family.

The frame of the threshold tests, hand-checked (answered rows have wait_s; i is unanswered):

    id channel             family    wait    default T   within
    a  Social media        social    1000    3600        yes
    b  Social media        social    4000    3600        no
    c  Facebook Messenger  social    30      3600        yes
    d  Facebook Messenger  social    3599    3600        yes
    e  Web Form            web_form  3600    86400       yes
    f  Web Form            web_form  90000   86400       no
    g  Ligação             phone     15      20          yes
    h  Ligação             phone     25      20          no
    i  Instagram DM        social    -       3600        no (unanswered)

Before the families, "Social media", "Facebook Messenger" and "Web Form" took the 20 s default
(Social media 0/2, Facebook Messenger 0/2, Web Form 0/2).
"""

from __future__ import annotations

import ibis
import pandas as pd
import pytest

import kpi_helpers as kh
from kpi_helpers import channels
from kpi_helpers.channels import family, thresholds_for
from kpi_helpers.i18n import segment_label

T = pd.Timestamp


@pytest.fixture
def spelled() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "interaction_id": list("abcdefghi"),
            "created_at": [T("2026-01-05 10:00")] * 9,
            "channel": [
                "Social media",
                "Social media",
                "Facebook Messenger",
                "Facebook Messenger",
                "Web Form",
                "Web Form",
                "Ligação",
                "Ligação",
                "Instagram DM",
            ],
            "wait_s": [1000.0, 4000.0, 30.0, 3599.0, 3600.0, 90000.0, 15.0, 25.0, None],
        }
    )


def _sl(df, by, threshold=None) -> dict:
    opts = None if threshold is None else {"service_level": {"threshold_s": threshold}}
    r = kh.compute(df, "service_level", by=by, options=opts)
    return r.set_index(by)["service_level"].to_dict()


# ----------------------------------------------------------------------------- the table


@pytest.mark.parametrize(
    ("value", "fam"),
    [
        ("Social media", "social"),
        ("Facebook Messenger", "social"),
        ("Messenger", "social"),
        ("Instagram DM", "social"),
        ("Instagram", "social"),
        ("Twitter/X", "social"),
        ("X", "social"),
        ("LinkedIn", "social"),
        ("TikTok", "social"),
        ("REDES SOCIAIS", "social"),
        ("Ligação", "phone"),
        ("ligacao", "phone"),
        ("Telefone", "phone"),
        ("Voz", "phone"),
        ("Phone call", "phone"),
        ("Web Form", "web_form"),
        ("web-form", "web_form"),
        ("Formulário", "web_form"),
        ("Live chat", "chat"),
        ("Chat ao vivo", "chat"),
        ("Webchat", "chat"),
        ("E-mail", "email"),
        ("Email", "email"),
        ("e_mail", "email"),
        ("Correio", "email"),
        ("WhatsApp Business", "whatsapp"),
        ("SMS", "sms"),
        ("App", "app"),
        ("Aplicativo", "app"),
        ("Bot", "bot"),
        ("Chatbot", "bot"),
        ("Outros", "other"),
        ("Loja física", "other"),  # not listed: other
        (None, "unknown"),
        ("  ", "unknown"),
        ("unknown", "unknown"),
    ],
)
def test_family_of_each_spelling(value, fam):
    assert family(value) == fam


def test_channel_families_table():
    table = kh.channels.channel_families()
    assert table["family"].tolist() == [
        "phone",
        "chat",
        "whatsapp",
        "email",
        "social",
        "web_form",
        "sms",
        "app",
        "bot",
        "other",
    ]
    thr = table.set_index("family")["threshold_s"].to_dict()
    assert thr == {
        "phone": 20.0,
        "chat": 60.0,
        "whatsapp": 300.0,
        "email": 86400.0,
        "social": 3600.0,
        "web_form": 86400.0,
        "sms": 20.0,
        "app": 20.0,
        "bot": 20.0,
        "other": 20.0,
    }
    row = table.set_index("family").loc["social"]
    assert (row["label_en"], row["label_pt_BR"]) == ("social networks", "redes sociais")
    assert "Facebook Messenger" in row["spellings"].split(", ")
    # every listed spelling comes back to its own family
    for _, r in table.iterrows():
        for spelling in r["spellings"].split(", "):
            assert family(spelling) == r["family"], spelling


def test_segment_labels_keep_the_data_spelling_and_name_families():
    assert segment_label("channel", "Social media", "pt-BR") == "Social media"
    assert segment_label("channel_family", "social", "pt-BR") == "redes sociais"
    assert segment_label("channel_family", "web_form", "en") == "web form"
    assert segment_label("channel_family", None, "pt-BR") == "desconhecido"


# ----------------------------------------------------------------------------- thresholds


def test_default_thresholds_follow_the_family_of_each_spelling(spelled):
    assert _sl(spelled, "channel") == {
        "Facebook Messenger": 1.0,  # c, d within 3600 s (were 0/2 at 20 s)
        "Instagram DM": 0.0,  # unanswered
        "Ligação": 0.5,  # g
        "Social media": 0.5,  # a (was 0/2 at 20 s)
        "Web Form": 0.5,  # e within 86400 s (was 0/2 at 20 s)
    }
    overall = kh.compute(spelled, "service_level")["service_level"].iloc[0]
    assert overall == pytest.approx(5 / 9)  # a, c, d, e, g


def test_user_threshold_keyed_by_family(spelled):
    # social 1000 s: a (1000, on the limit) and c; b, d and i miss
    got = _sl(spelled, "channel_family", {"social": 1000})
    assert got == {"phone": 0.5, "social": pytest.approx(2 / 5), "web_form": 0.5}
    # web forms take the e-mail threshold in force: 3000 s misses e (3600) and f
    assert _sl(spelled, "channel", {"email": 3000})["Web Form"] == 0.0
    # ... unless given themselves
    assert _sl(spelled, "channel", {"email": 3000, "web_form": 90000})["Web Form"] == 1.0


def test_user_threshold_keyed_by_the_data_spelling_wins_over_the_family(spelled):
    given = {"social": 1000, "facebook messenger": 4000, "Social media": 5000}
    got = _sl(spelled, "channel", given)
    assert got["Facebook Messenger"] == 1.0  # c, d within 4000 s (case ignored)
    assert got["Social media"] == 1.0  # a, b within 5000 s
    assert got["Instagram DM"] == 0.0  # the family's 1000 s; unanswered anyway
    assert got["Ligação"] == 0.5  # untouched: phone's default


def test_a_number_still_applies_to_every_channel(spelled):
    got = _sl(spelled, "channel_family", 30)
    assert got == {"phone": 1.0, "social": pytest.approx(1 / 5), "web_form": 0.0}  # g, h; c


def test_thresholds_for_and_missing_channel():
    per, missing = thresholds_for({"other": 45}, ["Loja", "Ligação"])
    assert per == {"Loja": 45.0, "Ligação": 20.0}
    assert missing == 45.0  # a missing channel takes other's threshold
    df = pd.DataFrame(
        {
            "interaction_id": ["a", "b"],
            "created_at": [T("2026-01-05 10:00")] * 2,
            "channel": [None, "Loja"],
            "wait_s": [40.0, 40.0],
        }
    )
    assert _sl(df, "channel_family") == {"other": 0.0, "unknown": 0.0}  # 40 s > 20 s
    assert _sl(df, "channel_family", {"other": 45}) == {"other": 1.0, "unknown": 1.0}


# ----------------------------------------------------------------------------- channel_family


def test_by_channel_family_groups_the_spellings(spelled):
    r = kh.compute(spelled, ["volume", "service_level"], by="channel_family", with_n=True)
    assert r["channel_family"].tolist() == ["phone", "social", "web_form"]
    assert r["volume"].tolist() == [2, 5, 2]
    assert r["service_level"].tolist() == [0.5, pytest.approx(3 / 5), 0.5]  # g; a c d; e


def test_by_channel_keeps_the_values_as_written(spelled):
    r = kh.compute(spelled, "volume", by=["channel", "channel_family"])
    assert r[["channel", "channel_family"]].values.tolist() == [
        ["Facebook Messenger", "social"],
        ["Instagram DM", "social"],
        ["Ligação", "phone"],
        ["Social media", "social"],
        ["Web Form", "web_form"],
    ]


def test_channel_family_without_a_channel_column_is_unknown(spelled):
    r = kh.compute(spelled.drop(columns=["channel"]), "volume", by="channel_family")
    assert r.values.tolist() == [["unknown", 9]]


def test_channel_family_on_a_parquet_file_and_backlog(spelled, tmp_path):
    path = tmp_path / "spelled.parquet"
    spelled.assign(resolved_at=pd.NaT).to_parquet(path)
    r = kh.compute(str(path), ["backlog", "volume"], by="channel_family")
    assert r[["channel_family", "backlog", "volume"]].values.tolist() == [
        ["phone", 2, 2],
        ["social", 5, 5],
        ["web_form", 2, 2],
    ]


def test_family_case_compiles_for_other_engines():
    t = ibis.table({"channel": "string"}, name="contacts")
    for values in (["Ligação", "Social media", None], None):
        expr = t.mutate(fam=channels.family_case(t.channel, values))
        for dialect in ("postgres", "pyspark", "snowflake", "trino"):
            sql = ibis.to_sql(expr, dialect=dialect)
            assert "CASE" in sql.upper()


def test_family_case_without_values_knows_accents_and_case():
    df = pd.DataFrame({"channel": ["LIGAÇÃO", "e-mail", " Social media ", "Fax", None]})
    t = ibis.memtable(df)
    fam = channels.family_case(t.channel).fill_null("(missing)")
    got = t.select(fam=fam).to_pandas()["fam"].tolist()
    assert got == ["phone", "email", "social", "other", "(missing)"]
