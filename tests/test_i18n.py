"""Every message of the package exists in pt-BR; the registry speaks both languages; the
number formats follow the locale."""

from __future__ import annotations

import ast
import datetime as dt
import string
from pathlib import Path

import pytest

from kpi_helpers.config import PACKAGE_DIR
from kpi_helpers.errors import OptionError
from kpi_helpers.i18n import (
    catalog_messages,
    format_currency,
    format_date,
    format_number,
    format_percent,
    format_signed_percent,
    normalize_lang,
    t,
)
from kpi_helpers.metrics import get_metric, list_metrics


def _is_t(func: ast.expr) -> bool:
    """``t(...)`` or ``i18n.t(...)`` / ``kpi_helpers.i18n.t(...)``."""
    if isinstance(func, ast.Name):
        return func.id == "t"
    return (
        isinstance(func, ast.Attribute)
        and func.attr == "t"
        and (
            isinstance(func.value, ast.Name)
            and func.value.id == "i18n"
            or isinstance(func.value, ast.Attribute)
            and func.value.attr == "i18n"
        )
    )


def _message_ids() -> dict[str, list[str]]:
    """Literal first arguments of every t(...) call in kpi_helpers/**/*.py -> where used."""
    found: dict[str, list[str]] = {}
    for path in sorted(PACKAGE_DIR.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and _is_t(node.func) and node.args:
                first = node.args[0]
                if isinstance(first, ast.Constant) and isinstance(first.value, str):
                    where = f"{path.relative_to(PACKAGE_DIR.parent)}:{node.lineno}"
                    found.setdefault(first.value, []).append(where)
    return found


MESSAGE_IDS = _message_ids()


def _fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def test_the_extraction_finds_messages():
    # sanity: ids of several areas are found (core, explorer, primer)
    assert "KPIs by {grain}" in MESSAGE_IDS
    assert "Right! {why}" in MESSAGE_IDS
    assert len(MESSAGE_IDS) > 50


def test_every_message_id_has_a_pt_br_translation():
    messages = catalog_messages("pt-BR")
    missing = {
        mid: where[0] for mid, where in MESSAGE_IDS.items() if not messages.get(mid, "").strip()
    }
    assert not missing, "untranslated message ids (id -> first use):\n" + "\n".join(
        f"  {where}: {mid!r}" for mid, where in sorted(missing.items(), key=lambda kv: kv[1])
    )


def test_every_placeholder_appears_in_its_translation():
    messages = catalog_messages("pt-BR")
    bad = []
    for mid, text in messages.items():
        if _fields(mid) != _fields(text):
            bad.append(f"{mid!r}: {sorted(_fields(mid))} vs {sorted(_fields(text))}")
    assert not bad, "placeholders differ between id and translation:\n" + "\n".join(bad)


def test_every_catalog_parses_and_has_the_standard_header():
    folder = PACKAGE_DIR / "locales" / "pt_BR" / "LC_MESSAGES"
    files = sorted(folder.glob("*.po"))
    assert {"core.po", "explore.po", "primer.po"} <= {f.name for f in files}
    for po in files:
        text = po.read_text(encoding="utf-8")
        assert '"Language: pt_BR\\n"' in text, po.name
        assert "charset=UTF-8" in text, po.name


def test_english_is_the_id_and_fields_are_filled():
    assert t("KPIs by {grain}", "en", grain="week") == "KPIs by week"
    assert t("KPIs by {grain}", "pt-BR", grain="semana") == "KPIs por semana"


@pytest.mark.parametrize("mid", list_metrics())
def test_every_metric_speaks_both_languages(mid):
    m = get_metric(mid)
    for lang in ("en", "pt-BR"):
        for text in (m.label(lang), m.description(lang), m.formula(lang)):
            assert isinstance(text, str) and text.strip(), (mid, lang)
    assert m.labels["pt-BR"].strip() and m.descriptions["pt-BR"].strip()
    assert m.formulas.get("pt-BR", "").strip() and m.formulas.get("en", "").strip()


def test_number_formats_follow_the_locale():
    assert format_number(1234.5, "pt-BR") == "1.234,5"
    assert format_number(1234.5, "en") == "1,234.5"
    assert format_number(1234.5, "pt-BR", decimals=0) == "1.234"  # half-even rounding
    assert format_percent(0.8734, "pt-BR") == "87,3%"
    assert format_percent(0.8734, "en") == "87.3%"
    assert format_signed_percent(-0.088, "pt-BR") == "−8,8%"
    assert format_currency(1234.5, "pt-BR").replace("\xa0", " ") == "R$ 1.234,50"
    assert format_date(dt.date(2026, 2, 14), "en") == "Feb 14, 2026"
    assert format_number(float("nan"), "en") == "–"


def test_lang_spellings_and_errors():
    assert normalize_lang("pt_BR") == "pt-BR" and normalize_lang("EN-us") == "en"
    with pytest.raises(OptionError, match="`lang`.*'fr'"):
        normalize_lang("fr")


def test_no_catalog_file_is_empty():
    folder = Path(PACKAGE_DIR / "locales" / "pt_BR" / "LC_MESSAGES")
    for po in folder.glob("*.po"):
        assert "msgid" in po.read_text(encoding="utf-8"), po.name
