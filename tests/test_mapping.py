"""Column mappings and presets (kpi_helpers.mapping)."""

from __future__ import annotations

import pytest

from kpi_helpers import mapping as mapping_module
from kpi_helpers.errors import OptionError
from kpi_helpers.mapping import (
    ColumnMapping,
    get_preset,
    list_presets,
    normalize_name,
    parse_mapping,
    register_preset,
    resolve_mapping,
)
from kpi_helpers.schema import Scale


@pytest.fixture(autouse=True)
def _isolated_registry(monkeypatch):
    """Presets registered by a test vanish after it."""
    mapping_module._load_builtins()
    monkeypatch.setattr(mapping_module, "_PRESETS", dict(mapping_module._PRESETS))


def test_normalize_name():
    assert normalize_name("Created At") == "created_at"
    assert normalize_name(" Data de Criação ") == "data_de_criacao"
    assert normalize_name("Answered (Y/N)") == "answered_y_n"


def test_parse_mapping_value_forms():
    m = parse_mapping(
        {
            "interaction_id": "Call Id",
            "created_at": ["Date", "Time"],
            "channel": {"value": "phone"},
            "handle_time_s": {"column": "Talk", "type": "duration", "unit": "hh:mm:ss"},
            "answered": {"column": "Atendida", "true_values": ["ok"], "false_values": "nok"},
            "csat": {"column": "Nota", "scale": [1, 10], "values": {"Good": 10}},
            "dayfirst": False,
            "timezone": "UTC",
            "scales": {"ces": [1, 5]},
            "decimal": ",",
            "wait_s": {"column": "Espera", "decimal": "."},
        }
    )
    c = m.columns
    assert c["interaction_id"].columns == ("Call Id",) and c["interaction_id"].type == "string"
    assert c["created_at"].columns == ("Date", "Time") and c["created_at"].type == "timestamp"
    assert c["channel"].is_constant and c["channel"].constant == "phone"
    assert c["handle_time_s"].unit == "hh:mm:ss"
    assert c["answered"].true_values == ("ok",) and c["answered"].false_values == ("nok",)
    assert c["csat"].values == (("Good", 10),)
    assert m.scales == {"ces": Scale(1, 5), "csat": Scale(1, 10)}
    assert m.dayfirst is False and m.timezone == "UTC"
    assert m.decimal == "," and c["wait_s"].decimal == "." and c["csat"].decimal is None


def test_parse_mapping_nested_columns_key():
    m = parse_mapping({"name": "x", "columns": {"interaction_id": "Id", "created_at": "When"}})
    assert set(m.columns) == {"interaction_id", "created_at"} and m.name == "x"


@pytest.mark.parametrize(
    ("raw", "needle"),
    [
        ({"created": "Date"}, "Did you mean 'created_at'"),
        ({"agent": ["A", "B"]}, "only for the timestamp columns"),
        ({"wait_s": {"column": "W", "unit": "secs"}}, "`unit` must be one of seconds"),
        ({"wait_s": {"column": "W", "type": "bool"}}, "`type` must be duration or number"),
        ({"csat": {"column": "C", "scale": [5, 1]}}, "low < high"),
        ({"agent": {"column": "A", "scale": [1, 5]}}, "applies to the survey scores"),
        ({"agent": {"colum": "A"}}, "unknown key(s) 'colum'"),
        ({"agent": {"column": "A", "value": "x"}}, "not 'column' and 'value'"),
        ({"agent": {"any_of": "A"}}, "`any_of` must be a list of source columns"),
        ({"agent": {"any_of": ["A", ["B", "C"]]}}, "two columns (date + time) need type"),
        ({"agent": {}}, "needs 'column'"),
        ({"agent": 3}, "expected a column name"),
        ({"scales": {"foo": [1, 5]}}, "`scales` keys must be one of csat, nps, ces"),
        ({"dayfirst": "yes"}, "`dayfirst` must be true or false"),
        ({"decimal": ";"}, '`decimal` must be "," (1.234,5) or "." (1,234.5)'),
        ({"wait_s": {"column": "W", "decimal": "comma"}}, "entry `wait_s`: `decimal` must be"),
    ],
)
def test_parse_mapping_errors_name_the_entry(raw, needle):
    with pytest.raises(OptionError) as exc:
        parse_mapping(raw)
    assert needle in str(exc.value)


def test_builtin_presets_are_listed_and_valid():
    names = list_presets()
    assert {"callcenter_excel", "zendesk_tickets", "helpdesk_ptbr"} <= set(names)
    for name in names:
        assert isinstance(resolve_mapping(name), ColumnMapping)
    cc = resolve_mapping("callcenter_excel")
    assert cc.columns["created_at"].columns == ("Date", "Time")
    assert cc.columns["channel"].constant == "phone"


def test_unknown_preset_lists_the_known_ones():
    with pytest.raises(OptionError) as exc:
        get_preset("zendesk")
    msg = str(exc.value)
    assert "'zendesk'" in msg and "'zendesk_tickets'" in msg and "'callcenter_excel'" in msg
    with pytest.raises(OptionError, match="zendesk_tickets"):
        resolve_mapping("no_such_preset")


def test_register_and_get_preset_returns_a_copy():
    register_preset("test_crm", {"interaction_id": "Ticket", "created_at": "Opened"})
    assert "test_crm" in list_presets()
    got = get_preset("test_crm")
    got["created_at"] = "changed"
    assert get_preset("test_crm")["created_at"] == "Opened"
    assert resolve_mapping("test_crm").columns["created_at"].columns == ("Opened",)


def test_register_preset_validates_and_reads_yaml(tmp_path):
    with pytest.raises(OptionError, match="not a canonical column"):
        register_preset("bad", {"ticket": "Id"})
    assert "bad" not in list_presets()
    path = tmp_path / "crm.yml"
    path.write_text("interaction_id: Nº\ncreated_at: [Dia, Hora]\ndayfirst: true\n", "utf-8")
    register_preset("test_yaml", path)
    assert resolve_mapping("test_yaml").columns["interaction_id"].columns == ("Nº",)
    with pytest.raises(OptionError, match="non-empty"):
        register_preset("", {})


def test_resolve_mapping_from_yaml_path(tmp_path):
    path = tmp_path / "m.yaml"
    path.write_text("columns:\n  interaction_id: Id\n  created_at: Quando\n", "utf-8")
    assert resolve_mapping(path).columns["created_at"].columns == ("Quando",)
    assert resolve_mapping(str(path)).columns["interaction_id"].columns == ("Id",)
    with pytest.raises(OptionError, match="does not exist"):
        resolve_mapping(tmp_path / "missing.yml")
    bad = tmp_path / "bad.yml"
    bad.write_text("- a\n- b\n", "utf-8")
    with pytest.raises(OptionError, match="must hold a mapping"):
        resolve_mapping(bad)
    broken = tmp_path / "broken.yml"
    broken.write_text("a: [b\n", "utf-8")
    with pytest.raises(OptionError, match="not valid YAML"):
        resolve_mapping(broken)
    tabs = tmp_path / "tabs.yml"
    tabs.write_text("interaction_id: Id\n\tcreated_at: Date\n", "utf-8")
    with pytest.raises(OptionError, match="YAML indents with spaces, not tabs"):
        resolve_mapping(tabs)


def test_resolve_mapping_rejects_other_types():
    assert resolve_mapping(None) is None
    with pytest.raises(OptionError, match="`mapping` must be None, a dict"):
        resolve_mapping(42)


def test_any_of_lists_alternative_source_columns():
    m = parse_mapping(
        {
            "interaction_id": "Id",
            "created_at": {"any_of": [["Data", "Hora"], "Aberto em"]},
            "category": {"any_of": ["Assunto", "Categoria"], "optional": True},
        }
    )
    c = m.columns
    assert c["category"].alternatives == (("Assunto",), ("Categoria",))
    assert c["category"].columns == ("Assunto",) and c["category"].optional
    assert c["created_at"].alternatives == (("Data", "Hora"), ("Aberto em",))
    assert c["interaction_id"].alternatives == (("Id",),)
    assert c["category"].label == "'Assunto' or 'Categoria'"
    with pytest.raises(OptionError, match="give one of 'column', 'any_of'"):
        parse_mapping({"agent": {"column": "A", "any_of": ["B"]}})


def test_unquoted_yaml_booleans_in_true_values(tmp_path):
    # regression: `true_values: [yes, on]` became Python booleans ("True")
    path = tmp_path / "m.yml"
    path.write_text(
        "interaction_id: Id\ncreated_at: Quando\n"
        "answered: {column: Atendida, true_values: [yes, on], false_values: [no, off, 0]}\n"
        "csat: {column: Nota, values: {yes: 5, no: 1}}\n",
        "utf-8",
    )
    c = resolve_mapping(path).columns
    assert c["answered"].true_values == ("yes", "true", "on")
    assert c["answered"].false_values == ("no", "false", "off", "0")
    assert dict(c["csat"].values) == {"yes": 5, "true": 5, "on": 5, "no": 1, "false": 1, "off": 1}


def test_a_cp1252_mapping_file_is_read_with_a_warning(tmp_path):
    # regression: a mapping saved by Notepad as "ANSI" raised UnicodeDecodeError
    path = tmp_path / "ansi.yml"
    path.write_bytes(
        "interaction_id: Nº\ncreated_at: Data de criação\ncsat: {column: Nota, "
        "values: {Ótimo: 5}}\n".encode("cp1252")
    )
    m = resolve_mapping(path)
    assert m.columns["interaction_id"].columns == ("Nº",)
    assert m.columns["created_at"].columns == ("Data de criação",)
    assert dict(m.columns["csat"].values) == {"Ótimo": 5}
    assert m.warnings == ((mapping_module.W_MAPPING_CP1252, {"file": "'ansi.yml'"}),)
    with pytest.warns(UserWarning, match="Mapping file 'ansi.yml': not UTF-8"):
        register_preset("test_ansi", path)
    assert resolve_mapping(tmp_path / "ansi.yml").columns["csat"].values == (("Ótimo", 5),)
    bom = tmp_path / "bom.yml"
    bom.write_bytes("\ufeffinteraction_id: Nº\ncreated_at: Quando\n".encode())
    assert resolve_mapping(bom).warnings == ()


def test_presets_list_alternatives_for_known_variants():
    cc = resolve_mapping("callcenter_excel").columns["handle_time_s"]
    assert cc.alternatives == (("AvgTalkDuration (hh:mm:ss)",), ("AvgTalkDuration",))
    hd = resolve_mapping("helpdesk_ptbr").columns["category"]
    assert hd.alternatives == (("Assunto",), ("Categoria",))
    zd = resolve_mapping("zendesk_tickets").columns
    assert dict(zd["csat"].values)["good with comment"] == 5
    assert dict(zd["channel"].values)["web form"] == "email"
    assert zd["reopened"].columns == ("Reopens",) and zd["reopened"].optional
