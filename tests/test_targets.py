"""Tests of kpi_helpers.targets: the YAML format, its errors (with line numbers), the status rules."""

from __future__ import annotations

import math

import pytest

from kpi_helpers.config import TARGETS_FILE
from kpi_helpers.errors import TargetsError
from kpi_helpers.metrics import get_metric
from kpi_helpers.targets import STATUS_POINTS, Target, Targets, load_targets, status_of


def _write(tmp_path, text: str):
    path = tmp_path / "targets.yml"
    path.write_text(text, encoding="utf-8")
    return path


# ----------------------------------------------------------------------------- status rules

HIGH = Target("csat", 0.85, 0.80, True)
LOW = Target("aht", 420.0, 480.0, False)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (0.90, "on_target"),
        (0.85, "on_target"),  # boundary: value == target
        (0.8499, "watch"),
        (0.80, "watch"),  # boundary: value == watch
        (0.7999, "off_target"),
        (0.0, "off_target"),
        (float("nan"), "no_data"),
        (None, "no_data"),
    ],
)
def test_status_higher_is_better(value, expected):
    assert status_of(value, HIGH) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (300.0, "on_target"),
        (420.0, "on_target"),  # boundary
        (420.1, "watch"),
        (480.0, "watch"),  # boundary
        (480.1, "off_target"),
        (float("nan"), "no_data"),
    ],
)
def test_status_lower_is_better(value, expected):
    assert status_of(value, LOW) == expected


def test_status_without_watch_band_is_on_or_off():
    t = Target("fcr", 0.75, None, True)
    assert status_of(0.75, t) == "on_target"
    assert status_of(0.7499, t) == "off_target"
    t = Target("aht", 420.0, None, False)
    assert status_of(421, t) == "off_target"


def test_status_without_target_is_no_data():
    assert status_of(0.9, None) == "no_data"


def test_status_tolerates_floating_point_rounding_at_the_target():
    assert status_of(0.1 + 0.2, Target("x", 0.3, None, True)) == "on_target"  # 0.30000000000000004
    assert status_of(0.7 - 0.1 * 3 + 0.2 - 0.2, Target("x", 0.4, None, False)) == "on_target"


def test_status_points():
    assert STATUS_POINTS == {"on_target": 1.0, "watch": 0.5, "off_target": 0.0}


def test_gap_is_the_miss_in_the_bad_direction():
    assert HIGH.gap(0.80) == pytest.approx(0.05)
    assert HIGH.gap(0.90) == 0.0
    assert LOW.gap(500) == pytest.approx(80)
    assert math.isnan(LOW.gap(None))


# ----------------------------------------------------------------------------- loading


def test_load_from_yaml_with_direction_from_the_registry(tmp_path):
    path = _write(
        tmp_path,
        "csat: {target: 0.85, watch: 0.80}\naht:\n  target: 420\n  watch: 480\nfcr: 0.75\n",
    )
    t = load_targets(path)
    assert isinstance(t, Targets)
    assert t.kpis == ["csat", "aht", "fcr"]
    assert t.get("csat") == Target("csat", 0.85, 0.80, True, None, 1)
    assert t.get("aht").higher_is_better is False
    assert t.get("aht").line == 2
    assert t.get("fcr").watch is None
    assert t.status("aht", 450) == "watch"
    assert t.get("nps") is None
    assert "csat" in t and "nps" not in t and len(t) == 3


def test_segment_overrides_win_for_their_segment(tmp_path):
    path = _write(
        tmp_path,
        "aht:\n  target: 600\n  watch: 660\n  by:\n    team:\n"
        '      "Suporte Técnico": {target: 780, watch: 840}\n'
        "    channel:\n      phone: {target: 400}\n",
    )
    t = load_targets(path)
    assert t.get("aht").target == 600
    assert t.get("aht", team="Suporte Técnico").target == 780
    assert t.get("aht", team="Suporte Técnico").segment == ("team", "Suporte Técnico")
    assert t.get("aht", team="Outra").target == 600
    assert t.get("aht", channel="phone").target == 400
    assert t.status("aht", 700, team="Suporte Técnico") == "on_target"
    assert t.status("aht", 700) == "off_target"
    frame = t.to_frame()
    assert frame["segment"].isna().tolist() == [True, False, False]
    assert list(frame["segment"].iloc[1:]) == ["Suporte Técnico", "phone"]


def test_direction_key_for_kpis_without_a_registry_direction(tmp_path):
    assert get_metric("volume").higher_is_better is None
    t = load_targets({"volume": {"target": 4000, "watch": 4400, "direction": "lower"}})
    assert t.status("volume", 4200) == "watch"
    assert t.status("volume", 3000) == "on_target"


def test_the_committed_targets_file_is_valid_and_covers_the_scorecard():
    from kpi_helpers.scorecard import DEFAULT_KPIS

    t = load_targets(TARGETS_FILE)
    wanted = {k for kpis in DEFAULT_KPIS.values() for k in kpis}
    assert wanted <= set(t.kpis)


def test_dict_input_is_not_mutated():
    raw = {"csat": {"target": 0.85, "watch": 0.8, "by": {"team": {"A": {"target": 0.9}}}}}
    before = repr(raw)
    load_targets(raw)
    assert repr(raw) == before


# ----------------------------------------------------------------------------- errors


def test_unknown_kpi_names_the_line_and_suggests(tmp_path):
    path = _write(tmp_path, "csat: {target: 0.85}\n\ncsatt: {target: 0.9}\n")
    with pytest.raises(
        TargetsError,
        match=r"targets\.yml, line 3 .*unknown KPI id 'csatt'.*"
        r"Did you mean 'csat'",
    ):
        load_targets(path)


def test_watch_on_the_wrong_side_higher_is_better(tmp_path):
    path = _write(
        tmp_path, "fcr: {target: 0.75, watch: 0.70}\ncsat:\n  target: 0.85\n  watch: 0.90\n"
    )
    with pytest.raises(TargetsError, match=r"line 4 .*watch 0\.9 is above the target 0\.85"):
        load_targets(path)


def test_watch_on_the_wrong_side_lower_is_better(tmp_path):
    path = _write(tmp_path, "aht: {target: 420, watch: 380}\n")
    with pytest.raises(TargetsError, match=r"line 1 .*watch 380 is below the target 420.*lower"):
        load_targets(path)


def test_watch_on_the_wrong_side_in_a_segment_override(tmp_path):
    path = _write(
        tmp_path, "csat:\n  target: 0.85\n  by:\n    team:\n      A: {target: 0.8, watch: 0.9}\n"
    )
    with pytest.raises(TargetsError, match=r"line 5 \(csat\.by\.team\.A\)"):
        load_targets(path)


@pytest.mark.parametrize(
    ("text", "pattern"),
    [
        ("csat: {target: high}\n", r"line 1 .*`target` must be a number, got 'high'"),
        ("csat: {target: 0.85, watch: yes}\n", r"`watch` must be a number, got True"),
        ("csat: {target: .nan}\n", r"finite number"),
        ("csat:\n  target: 0.85\n  wacth: 0.8\n", r"line 3 .*unknown key 'wacth'"),
        ("csat: {watch: 0.8}\n", r"line 1 .*needs `target`"),
        ("csat: 0.8\nnps: 10\ncsat: 0.9\n", r"line 3: 'csat' is listed twice \(first on line 1\)"),
        ("volume: {target: 10}\n", r"line 1 .*no direction.*direction: higher"),
        ("volume: {target: 10, direction: up}\n", r"`direction` must be 'higher' or 'lower'"),
        # any text column of the data may key segment targets; a measure or a time may not
        ("csat: {target: 0.8, by: {created_at: {}}}\n", r"`by` keys must be one of"),
        ("- csat\n", r"line 1: the file must map KPI ids"),
        ("csat: {target: [\n", r"not valid YAML"),
    ],
)
def test_invalid_files_name_the_line(tmp_path, text, pattern):
    with pytest.raises(TargetsError, match=pattern):
        load_targets(_write(tmp_path, text))


def test_dict_errors_name_the_entry():
    with pytest.raises(TargetsError, match=r"targets\[csat\]: watch 0\.9 is above"):
        load_targets({"csat": {"target": 0.85, "watch": 0.9}})
    with pytest.raises(TargetsError, match="unknown KPI id 'nope'"):
        load_targets({"nope": 1})


def test_missing_file_and_bad_type():
    with pytest.raises(TargetsError, match="does not exist"):
        load_targets("no/such/targets.yml")
    with pytest.raises(TargetsError, match="must be a path to a YAML file"):
        load_targets(3.5)


def test_empty_file_gives_no_targets(tmp_path):
    assert len(load_targets(_write(tmp_path, "# nothing yet\n"))) == 0


def test_kpi_options_in_the_targets_file(tmp_path):
    path = tmp_path / "targets.yml"
    path.write_text(
        "csat: {target: 0.85}\nbacklog:\n  target: 150\n  options: {exclude_abandoned: true}\n",
        encoding="utf-8",
    )
    tg = load_targets(path)
    assert tg.options == {"backlog": {"exclude_abandoned": True}}
    assert tg.get("backlog").target == 150.0


def test_unknown_kpi_option_names_the_line(tmp_path):
    path = tmp_path / "targets.yml"
    path.write_text(
        "backlog:\n  target: 150\n  options:\n    exclude_abandon: true\n", encoding="utf-8"
    )
    with pytest.raises(TargetsError, match=r"line 4.*unknown option 'exclude_abandon'.*as_of"):
        load_targets(path)
