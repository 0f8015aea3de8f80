"""Project paths and defaults, built from this file's location (never the current directory)."""

from __future__ import annotations

from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
PROJ_ROOT = PACKAGE_DIR.parent
SAMPLE_DIR = PROJ_ROOT / "data" / "sample"
NOTEBOOKS_DIR = PROJ_ROOT / "notebooks"
REPORTS_DIR = PROJ_ROOT / "reports"
REPORTS_CONFIG = PROJ_ROOT / "reports.yml"
TARGETS_FILE = PROJ_ROOT / "targets.yml"
LOCALES_DIR = PACKAGE_DIR / "locales"
PRESETS_DIR = PACKAGE_DIR / "presets"

#: Time zone that time-zone-aware timestamps are converted to (then made naive).
DEFAULT_TIMEZONE = "America/Sao_Paulo"
#: Languages with a message catalog.
LANGUAGES = ("en", "pt-BR")
DEFAULT_LANG = "pt-BR"
