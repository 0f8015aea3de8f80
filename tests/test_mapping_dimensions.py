"""``dimensions:`` in a mapping keeps further text columns (priority, queue...) as dimensions."""

from __future__ import annotations

import pandas as pd
import pytest

import kpi_helpers as kh
from kpi_helpers.errors import DataError, OptionError
from kpi_helpers.mapping import parse_mapping

CSV = (
    "Ticket,Created,Prioridade,Fila de atendimento,Answered\n"
    "1,2026-10-01 10:00,Alta,N1,Y\n"
    "2,2026-10-01 11:00,Baixa,N2,N\n"
    "3,2026-10-02 10:00, Alta ,N1,Y\n"
    "3,2026-10-02 10:00,Alta,N1,Y\n"
    "4,2026-10-03 10:00,,N2,Y\n"
)
BASE = {"interaction_id": "Ticket", "created_at": "Created", "answered": "Answered"}


@pytest.fixture
def export(tmp_path):
    path = tmp_path / "tickets.csv"
    path.write_text(CSV, encoding="utf-8")
    return path


def test_dimensions_by_name_and_as_a_list(export):
    res = kh.load_interactions(export, mapping={**BASE, "dimensions": {"priority": "Prioridade"}})
    assert res.data["priority"].iloc[:3].tolist() == ["Alta", "Baixa", "Alta"]  # stripped
    assert pd.isna(res.data["priority"].iloc[3])  # a blank stays blank
    assert res.report["rejected"] == 1  # the duplicate ticket, dimension or not
    res = kh.load_interactions(export, mapping={**BASE, "dimensions": ["Fila de atendimento"]})
    assert res.data["fila_de_atendimento"].tolist() == ["N1", "N2", "N1", "N2"]


def test_a_dimension_splits_the_kpis(export):
    res = kh.load_interactions(
        export, mapping={**BASE, "dimensions": {"queue": "Fila de atendimento"}}
    )
    out = kh.compute(res, ["volume", "answer_rate"], by="queue").set_index("queue")
    assert out.loc["N1", "volume"] == 2 and out.loc["N1", "answer_rate"] == 1.0
    assert out.loc["N2", "volume"] == 2 and out.loc["N2", "answer_rate"] == 0.5


def test_dimension_errors(export):
    with pytest.raises(DataError, match="the dimension `nope` names the column 'Nope'"):
        kh.load_interactions(export, mapping={**BASE, "dimensions": ["Nope"]})
    with pytest.raises(OptionError, match="dimension name 'channel' is taken"):
        parse_mapping({**BASE, "dimensions": {"channel": "Prioridade"}})
    with pytest.raises(OptionError, match="dimension name 'Priority' must be lower-case"):
        parse_mapping({**BASE, "dimensions": {"Priority": "Prioridade"}})
    with pytest.raises(OptionError, match="`dimensions` must list source columns"):
        parse_mapping({**BASE, "dimensions": 3})
    assert parse_mapping({**BASE, "dimensions": "Prioridade"}).dimensions == {
        "prioridade": "Prioridade"
    }


def test_yaml_mapping_with_dimensions(tmp_path, export):
    (tmp_path / "m.yml").write_text(
        "interaction_id: Ticket\ncreated_at: Created\ndimensions:\n  priority: Prioridade\n",
        encoding="utf-8",
    )
    res = kh.load_interactions(export, mapping=str(tmp_path / "m.yml"))
    assert isinstance(res.data, pd.DataFrame) and "priority" in res.data.columns
