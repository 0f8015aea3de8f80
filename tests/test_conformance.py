"""The Ibis engine against the plain-pandas reference (tests/reference.py) on generated data.

Generated with nulls everywhere, unanswered contacts, microsecond timestamps, several
channels (including social and unknown ones) and empty groups; every KPI, grouped several
ways, must agree to a relative difference of 1e-9.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from reference import reference

from kpi_helpers import compute, get_metric, list_metrics

INTERACTION_KPIS = [m for m in list_metrics() if get_metric(m).source == "interactions"]


def generate(n: int, seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    start = pd.Timestamp("2025-11-20")
    created = start + pd.to_timedelta(rng.integers(0, 120 * 86400 * 10**6, n), unit="us")
    answered = rng.random(n) < 0.8
    wait_us = rng.exponential(90 * 10**6, n).astype("int64")
    first = pd.Series(created + pd.to_timedelta(wait_us, unit="us")).where(answered)
    resolved = rng.random(n) < 0.6
    res_us = rng.exponential(30 * 3600 * 10**6, n).astype("int64")
    resolved_at = pd.Series(created + pd.to_timedelta(res_us, unit="us")).where(resolved)

    def maybe(values, p_null):
        s = pd.Series(values)
        return s.where(rng.random(n) >= p_null)

    def flags(p_true, p_null):
        arr = pd.array(rng.random(n) < p_true, dtype="boolean")
        arr[rng.random(n) < p_null] = pd.NA
        return arr

    df = pd.DataFrame(
        {
            "interaction_id": [f"i{i}" for i in range(n)],
            "created_at": created,
            "channel": maybe(
                rng.choice(["phone", "chat", "whatsapp", "email", "instagram", "sms"], n), 0.05
            ),
            "team": maybe(rng.choice(["n1", "n2", "n3"], n), 0.05),
            "first_response_at": first,
            "resolved_at": resolved_at,
            "contacts": pd.array(rng.integers(1, 4, n), dtype="Int64"),
            "reopened": flags(0.1, 0.1),
            "transferred": flags(0.15, 0.1),
            "bot_handled": flags(0.3, 0.0),
            "escalated": flags(0.4, 0.1),
            "handle_time_s": maybe(rng.gamma(2.0, 200.0, n), 0.2),
            "csat": maybe(rng.integers(1, 6, n).astype(float), 0.7),
            "nps": maybe(rng.integers(0, 11, n).astype(float), 0.75),
            "ces": maybe(rng.integers(1, 8, n).astype(float), 0.8),
            "delivered": flags(0.9, 0.6),
        }
    )
    df.loc[rng.random(n) < 0.1, "contacts"] = pd.NA
    # some rows give the wait directly instead of a timestamp
    direct = rng.random(n) < 0.1
    df["wait_s"] = np.where(direct & answered, wait_us / 1e6, np.nan)
    df.loc[direct, "first_response_at"] = pd.NaT
    return df


BYS = [None, "month", "week", "channel", ["month", "channel"], ["day", "team"], ["quarter", "team"]]


@pytest.mark.parametrize("seed", [1, 2, 3])
@pytest.mark.parametrize("by", BYS, ids=lambda b: str(b))
def test_engine_matches_reference(seed, by):
    df = generate(1500 if by != ["day", "team"] else 600, seed)
    ours = compute(df, INTERACTION_KPIS, by=by)
    ref = reference(df, by=by)
    keys = [] if by is None else ([by] if isinstance(by, str) else list(by))
    if keys:
        merged = ref.merge(ours, on=keys, how="left", suffixes=("_ref", "_ours"))
        assert len(merged) == len(ref)
        # groups only the engine lists are the filled empty buckets
        extra = ours.merge(ref[keys], on=keys, how="left", indicator=True)
        assert (extra.loc[extra["_merge"] == "left_only", "volume"] == 0).all()
    else:
        merged = ref.add_suffix("_ref").join(ours.add_suffix("_ours"))
    for kpi in INTERACTION_KPIS:
        a = merged[f"{kpi}_ref"].astype(float).to_numpy()
        b = merged[f"{kpi}_ours"].astype(float).to_numpy()
        assert np.array_equal(np.isnan(a), np.isnan(b)), kpi
        ok = ~np.isnan(a)
        np.testing.assert_allclose(b[ok], a[ok], rtol=1e-9, atol=1e-12, err_msg=kpi)
