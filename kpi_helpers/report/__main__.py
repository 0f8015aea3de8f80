"""``python -m kpi_helpers.report`` = ``kpi-report``."""

from __future__ import annotations

from .cli import main

if __name__ == "__main__":
    main()
