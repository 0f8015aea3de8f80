"""A plain-pandas reference implementation of KPIS.md, for the conformance tests only.

Written straight from the specification, row by row in pandas, independently of the Ibis
definitions in kpi_helpers.metrics. Slow and simple on purpose.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

SL_DEFAULTS = {"phone": 20.0, "chat": 60.0, "whatsapp": 300.0, "email": 86400.0}
SOCIAL = {"social", "instagram", "facebook", "messenger", "twitter", "x", "tiktok", "linkedin"}
GRAIN_FREQ = {"day": "D", "week": "W-SUN", "month": "M", "quarter": "Q", "year": "Y"}


def _flag(df, col):
    if col not in df:
        return None
    return df[col].astype("boolean")


def derive(df: pd.DataFrame) -> pd.DataFrame:
    """The notation of KPIS.md as explicit per-row columns."""
    out = pd.DataFrame(index=df.index)
    fr = df.get("first_response_at")
    ws = df.get("wait_s")
    derived = None
    if fr is not None:
        derived = fr.notna()
    if ws is not None:
        derived = ws.notna() if derived is None else (derived | ws.notna())
    ans = _flag(df, "answered")
    if ans is not None:
        fill = derived if derived is not None else False
        out["answered"] = ans.fillna(fill).fillna(False).astype(bool)
    elif derived is not None:
        out["answered"] = derived.astype(bool)
    ab = _flag(df, "abandoned")
    if ab is not None:
        out["abandoned"] = ab.fillna(~out["answered"] if "answered" in out else False).astype(bool)
    elif "answered" in out:
        out["abandoned"] = ~out["answered"]
    wait = pd.Series(np.nan, index=df.index)
    if fr is not None:
        wait = (fr - df["created_at"]).dt.total_seconds()
    if ws is not None:
        wait = ws.astype(float).where(ws.notna(), wait)
    out["wait"] = wait
    res = _flag(df, "resolved")
    if res is not None:
        fill = df["resolved_at"].notna() if "resolved_at" in df else False
        out["resolved"] = res.fillna(fill).fillna(False).astype(bool)
    elif "resolved_at" in df:
        out["resolved"] = df["resolved_at"].notna()
    if "resolved_at" in df:
        out["res_time"] = (df["resolved_at"] - df["created_at"]).dt.total_seconds()
    return out


def _ratio(num, den):
    return num / den if den else np.nan


def _threshold(channel: str, threshold=None) -> float:
    if isinstance(threshold, (int, float)):
        return float(threshold)
    ch = str(channel).strip().lower()
    if isinstance(threshold, dict) and ch in threshold:
        return float(threshold[ch])
    if ch in SL_DEFAULTS:
        return SL_DEFAULTS[ch]
    if ch in SOCIAL:
        return 3600.0
    return 20.0


def kpis_for_group(g: pd.DataFrame, d: pd.DataFrame, *, days: float, as_of, options=None):
    """Every interaction KPI over the rows of one group (g = raw rows, d = derived)."""
    options = options or {}
    r = {}
    volume = len(g)
    r["volume"] = volume
    r["volume_per_day"] = volume / days if days else np.nan
    if "answered" in d:
        answered = int(d["answered"].sum())
        r["answered"] = answered
        r["answer_rate"] = _ratio(answered, volume)
        r["abandonment_rate"] = _ratio(int(d["abandoned"].sum()), volume)
        w = d.loc[d["answered"] & d["wait"].notna(), "wait"]
        r["asa"] = w.mean() if len(w) else np.nan
        r["frt_mean"] = r["asa"]
        r["frt_median"] = w.quantile(0.5) if len(w) else np.nan
        r["frt_p90"] = w.quantile(0.9) if len(w) else np.nan
        chan = g["channel"] if "channel" in g else pd.Series("unknown", index=g.index)
        thr = chan.map(lambda c: _threshold(c, options.get("threshold_s")))
        within = d["answered"] & (d["wait"] <= thr)
        r["service_level"] = _ratio(int(within.sum()), volume)
        if "transferred" in g:
            r["transfer_rate"] = _ratio(int((g["transferred"] == True).sum()), answered)  # noqa: E712
        if "handle_time_s" in g:
            h = g.loc[d["answered"] & g["handle_time_s"].notna(), "handle_time_s"]
            r["aht"] = h.mean() if len(h) else np.nan
    if "resolved" in d:
        resolved = int(d["resolved"].sum())
        r["resolution_rate"] = _ratio(resolved, volume)
        if "contacts" in g:
            r["fcr"] = _ratio(int((d["resolved"] & (g["contacts"] == 1)).sum()), resolved)
        if "reopened" in g:
            r["reopen_rate"] = _ratio(int((g["reopened"] == True).sum()), resolved)  # noqa: E712
        if "bot_handled" in g and "escalated" in g:
            bot = g["bot_handled"] == True  # noqa: E712
            contained = bot & ~g["escalated"].fillna(False).astype(bool) & d["resolved"]
            r["bot_containment"] = _ratio(int(contained.sum()), int(bot.sum()))
        if "res_time" in d:
            rt = d.loc[d["resolved"] & d["res_time"].notna(), "res_time"]
            r["resolution_time_mean"] = rt.mean() if len(rt) else np.nan
            r["resolution_time_median"] = rt.median() if len(rt) else np.nan
            target = 86400.0
            met = d["resolved"] & (d["res_time"] <= target)
            open_for = (as_of - g["created_at"]).dt.total_seconds()
            late = ~d["resolved"] & (open_for > target)
            r["sla_compliance"] = _ratio(int(met.sum()), int((d["resolved"] | late).sum()))
    if "delivered" in g:
        dl = g["delivered"].dropna()
        r["delivery_success"] = _ratio(int((dl == True).sum()), len(dl))  # noqa: E712
    if "csat" in g:
        c = g["csat"].dropna()
        r["csat"] = _ratio(int((c >= 4).sum()), len(c))
        r["csat_mean"] = c.mean() if len(c) else np.nan
    if "nps" in g:
        n = g["nps"].dropna()
        r["nps"] = 100 * (int((n >= 9).sum()) - int((n <= 6).sum())) / len(n) if len(n) else np.nan
    if "ces" in g:
        c = g["ces"].dropna()
        r["ces"] = c.mean() if len(c) else np.nan
    return r


def latest_timestamp(df):
    cols = [c for c in ("created_at", "first_response_at", "resolved_at") if c in df]
    return max(df[c].max() for c in cols if df[c].notna().any())


def reference(df: pd.DataFrame, by=None, options=None) -> pd.DataFrame:
    """KPIs per group, with the bucket start for a time grain (only non-empty groups)."""
    df = df.copy()
    if "channel" not in df:
        df["channel"] = "unknown"
    for dim in ("channel", "team", "agent", "category"):
        if dim in df:
            df[dim] = df[dim].fillna("unknown")
    d = derive(df)
    as_of = latest_timestamp(df)
    by = [] if by is None else ([by] if isinstance(by, str) else list(by))
    grain = next((b for b in by if b in GRAIN_FREQ), None)
    keys = []
    if grain:
        df[grain] = df["created_at"].dt.to_period(GRAIN_FREQ[grain]).dt.start_time
        keys.append(grain)
    keys += [b for b in by if b not in GRAIN_FREQ]
    rows = []
    if not keys:
        days = (df["created_at"].max().normalize() - df["created_at"].min().normalize()).days + 1
        r = kpis_for_group(df, d, days=days, as_of=as_of, options=options)
        if "resolved_at" in df:
            r["backlog"] = int(df["resolved_at"].isna().sum())
        return pd.DataFrame([r])
    for key, g in df.groupby(keys, sort=True):
        key = key if isinstance(key, tuple) else (key,)
        info = dict(zip(keys, key, strict=True))
        if grain:
            start = info[grain]
            end = (pd.Period(start, GRAIN_FREQ[grain]) + 1).start_time
            days = (end - start).days
        else:
            days = (
                df["created_at"].max().normalize() - df["created_at"].min().normalize()
            ).days + 1
        r = kpis_for_group(g, d.loc[g.index], days=days, as_of=as_of, options=options)
        if "resolved_at" in df and grain:
            same = np.ones(len(df), dtype=bool)
            for k in keys:
                if k != grain:
                    same &= (df[k] == info[k]).to_numpy()
            sel = df[same]
            open_at_end = (sel["created_at"] < end) & (
                sel["resolved_at"].isna() | (sel["resolved_at"] >= end)
            )
            r["backlog"] = int(open_at_end.sum())
        elif "resolved_at" in df:
            r["backlog"] = int(g["resolved_at"].isna().sum())
        rows.append({**info, **r})
    return pd.DataFrame(rows)
