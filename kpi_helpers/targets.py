"""KPI targets with a tolerance ("watch") band, from YAML, and the status rules.

``targets.yml`` (at the top of the project; :data:`kpi_helpers.config.TARGETS_FILE`) holds one
entry per KPI id::

    csat: {target: 0.85, watch: 0.80}        # higher is better (from the registry)
    aht:  {target: 420, watch: 480}          # lower is better: the band lies above the target
    fcr: 0.75                                # a target without a watch band
    volume: {target: 3000, watch: 2500, direction: higher}   # KPIs without a direction
    service_level:
      target: 0.80
      watch: 0.70
      by:
        channel:
          email: {target: 0.90, watch: 0.85}
        team:
          "Suporte Técnico": {target: 0.75, watch: 0.65}
        channel_family:
          social: {target: 0.70}
        priority:                            # any other text column of the data
          Urgent: {target: 0.95}

An entry may carry the KPI ``options`` the scorecard computes it with (the same options as
:func:`kpi_helpers.compute`), e.g. ``backlog: {target: 150, options: {exclude_abandoned: true}}``.

The direction (higher or lower is better) comes from the registry; KPIs that have none
(``volume``, ``answered``, ``volume_per_day``) need ``direction: higher`` or ``lower``.

Status rules (:func:`status_of`), for a higher-is-better KPI: ``on_target`` when
``value >= target``; ``watch`` when ``watch <= value < target``; ``off_target`` below the watch
band (or below the target when there is no band). Lower-is-better KPIs mirror this. A missing
value (NaN) or a KPI without a target is ``no_data``. Comparisons allow a relative tolerance
of 1e-9, so a value that equals the target up to floating-point rounding is on target.

Errors (:class:`~kpi_helpers.errors.TargetsError`) name the file and the line: an unknown KPI
id, a watch band on the wrong side of the target, a value that is not a number, an unknown
key, a KPI listed twice.

Examples
--------
>>> t = load_targets({"csat": {"target": 0.85, "watch": 0.80}})
>>> t.status("csat", 0.82)
'watch'
>>> t.get("csat").target
0.85
"""

from __future__ import annotations

import math
import os
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from .config import TARGETS_FILE
from .errors import TargetsError, UnknownMetricError
from .metrics import get_metric, list_metrics
from .schema import DERIVED_DIMENSIONS, DIMENSION_COLUMNS, INTERACTION_COLUMNS, TIME_GRAINS

__all__ = ["Target", "Targets", "load_targets", "status_of", "STATUSES", "STATUS_POINTS"]

#: The statuses, in display order.
STATUSES = ("on_target", "watch", "off_target", "no_data")
#: Points of a status in a perspective score (no_data is excluded from scores).
STATUS_POINTS = {"on_target": 1.0, "watch": 0.5, "off_target": 0.0}
_ENTRY_KEYS = ("target", "watch", "direction", "by", "options")
_SEGMENT_KEYS = ("target", "watch")
_DIRECTIONS = {"higher": True, "lower": False}
_REL_TOL = 1e-9


@dataclass(frozen=True)
class Target:
    """The target of one KPI (optionally for one segment such as a team).

    Attributes
    ----------
    kpi : str
        The KPI id.
    target : float
        The value to reach.
    watch : float or None
        The edge of the tolerance band (below the target when higher is better).
    higher_is_better : bool
        The direction (from the registry unless the file gives ``direction``).
    segment : tuple or None
        ``("team", "Suporte Técnico")`` for an override, None for the KPI's own target.
    line : int or None
        Line of the entry in the YAML file (1-based), None for dicts.
    """

    kpi: str
    target: float
    watch: float | None
    higher_is_better: bool
    segment: tuple[str, str] | None = None
    line: int | None = None

    def status(self, value) -> str:
        """``on_target``, ``watch``, ``off_target`` or ``no_data`` (see :func:`status_of`)."""
        return status_of(value, self)

    def gap(self, value) -> float:
        """How far ``value`` misses the target, in the bad direction (0 when met; NaN if none)."""
        if _missing(value):
            return math.nan
        diff = (self.target - value) if self.higher_is_better else (value - self.target)
        return max(diff, 0.0)


@dataclass
class Targets:
    """All targets of a file: ``get(kpi, team=..., channel=...)`` picks the most specific."""

    targets: dict[str, Target] = field(default_factory=dict)
    overrides: dict[tuple[str, str, str], Target] = field(default_factory=dict)
    source: str = "targets"
    #: KPI options the scorecard computes with (``backlog: {options: {exclude_abandoned: true}}``)
    options: dict[str, dict[str, Any]] = field(default_factory=dict)

    def get(self, kpi: str, **segment: str | None) -> Target | None:
        """The target of ``kpi`` for a segment (``team="..."``, ``channel="..."``,
        ``priority="Urgent"``...), or None.

        A segment override wins over the KPI's own target; with several segment keys the
        first that has an override wins, in the order ``channel``, ``channel_family``,
        ``team``, ``agent``, ``category``, then the other dimensions as given. A channel
        without an override of its own takes its family's (``channel="Facebook Messenger"``
        uses ``by: {channel_family: {social: ...}}``).
        """
        from .channels import family

        keys = dict(segment)
        if keys.get("channel") is not None and keys.get("channel_family") is None:
            keys["channel_family"] = family(keys["channel"])
        order = ["channel", "channel_family", *DIMENSION_COLUMNS[1:], *keys]
        for dim in dict.fromkeys(order):
            value = keys.get(dim)
            if value is not None and (kpi, dim, str(value)) in self.overrides:
                return self.overrides[(kpi, dim, str(value))]
        return self.targets.get(kpi)

    def status(self, kpi: str, value, **segment: str | None) -> str:
        """The status of ``value`` for ``kpi`` (``no_data`` when it has no target)."""
        return status_of(value, self.get(kpi, **segment))

    def __contains__(self, kpi: object) -> bool:
        return kpi in self.targets or any(k[0] == kpi for k in self.overrides)

    def __iter__(self) -> Iterator[str]:
        return iter(self.kpis)

    def __len__(self) -> int:
        return len(self.kpis)

    @property
    def kpis(self) -> list[str]:
        """KPI ids with a target (own or segment), in file order."""
        return list(dict.fromkeys([*self.targets, *(k[0] for k in self.overrides)]))

    def to_frame(self):
        """One row per target: kpi, segment_by, segment, target, watch, higher_is_better, line."""
        import pandas as pd

        rows = [
            {
                "kpi": t.kpi,
                "segment_by": t.segment[0] if t.segment else None,
                "segment": t.segment[1] if t.segment else None,
                "target": t.target,
                "watch": t.watch,
                "higher_is_better": t.higher_is_better,
                "line": t.line,
            }
            for t in [*self.targets.values(), *self.overrides.values()]
        ]
        return pd.DataFrame(
            rows,
            columns=["kpi", "segment_by", "segment", "target", "watch", "higher_is_better", "line"],
        )


def _missing(value) -> bool:
    if value is None:
        return True
    try:
        return math.isnan(float(value))
    except (TypeError, ValueError):
        return True


def _ge(a: float, b: float) -> bool:
    return a >= b or math.isclose(a, b, rel_tol=_REL_TOL, abs_tol=1e-12)


def status_of(value, target: Target | None) -> str:
    """The status of ``value`` against ``target``.

    Higher is better: ``on_target`` if ``value >= target``, ``watch`` if
    ``watch <= value < target``, else ``off_target``. Lower is better: ``on_target`` if
    ``value <= target``, ``watch`` if ``target < value <= watch``, else ``off_target``.
    ``no_data`` when the value is missing or there is no target.

    >>> status_of(0.80, Target("csat", 0.85, 0.80, True))
    'watch'
    >>> status_of(500, Target("aht", 420, 480, False))
    'off_target'
    """
    if target is None or _missing(value):
        return "no_data"
    v = float(value)
    if target.higher_is_better:
        if _ge(v, target.target):
            return "on_target"
        if target.watch is not None and _ge(v, target.watch):
            return "watch"
        return "off_target"
    if _ge(-v, -target.target):
        return "on_target"
    if target.watch is not None and _ge(-v, -target.watch):
        return "watch"
    return "off_target"


# ----------------------------------------------------------------------------- parsing


class _Where:
    """Formats the location of an entry: ``targets.yml, line 4`` or ``targets['csat']``."""

    def __init__(self, source: str, from_file: bool):
        self.source, self.from_file = source, from_file

    def __call__(self, line: int | None, path: str) -> str:
        if self.from_file and line is not None:
            return f"{self.source}, line {line} ({path})"
        return f"{self.source}[{path}]"


def _node_line(node) -> int | None:
    return node.start_mark.line + 1 if node is not None and hasattr(node, "start_mark") else None


def _plain(node, loader) -> Any:
    """A YAML node -> Python value, keeping mapping values as (value, line) pairs."""
    if isinstance(node, yaml.MappingNode):
        out: dict[Any, tuple[Any, int | None]] = {}
        lines: dict[Any, int | None] = {}
        for key_node, value_node in node.value:
            key = loader.construct_object(key_node, deep=True)
            if isinstance(key, list):
                key = tuple(key)
            if key in out:
                raise _Duplicate(key, lines[key], _node_line(key_node))
            lines[key] = _node_line(key_node)
            out[key] = (_plain(value_node, loader), _node_line(value_node))
        return _Map(out, lines)
    return loader.construct_object(node, deep=True)


class _Duplicate(Exception):
    def __init__(self, key, first, second):
        super().__init__(key)
        self.key, self.first, self.second = key, first, second


class _Map(dict):
    """A parsed mapping: key -> (value, line); ``.lines`` key -> line of the key."""

    def __init__(self, items, lines):
        super().__init__(items)
        self.lines = lines


def _from_dict(raw: Mapping) -> _Map:
    items, lines = {}, {}
    for key, value in raw.items():
        items[key] = (_from_dict(value) if isinstance(value, Mapping) else value, None)
        lines[key] = None
    return _Map(items, lines)


def _unwrap(value):
    """A parsed value without the line numbers (plain dicts and lists)."""
    if isinstance(value, _Map):
        return {k: _unwrap(v[0]) for k, v in value.items()}
    return value


def _options(kpi: str, metric, body, line, where) -> dict[str, Any]:
    raw = _unwrap(body)
    if not isinstance(raw, Mapping):
        raise TargetsError(
            f"{where(line, kpi + '.options')}: `options` must map option names to values, e.g. "
            "`options: {exclude_abandoned: true}`."
        )
    valid = sorted(metric.options)
    for key in raw:
        if key not in metric.options:
            kline = body.lines.get(key, line) if isinstance(body, _Map) else line
            raise TargetsError(
                f"{where(kline, kpi + '.options')}: unknown option {key!r} for {kpi}; valid "
                f"options: {', '.join(valid) or 'none'}."
            )
    return dict(raw)


def _number(value, where: str, what: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise TargetsError(f"{where}: `{what}` must be a number, got {value!r}.")
    f = float(value)
    if not math.isfinite(f):
        raise TargetsError(f"{where}: `{what}` must be a finite number, got {value!r}.")
    return f


def _make_target(
    kpi: str,
    body,
    line,
    where,
    path: str,
    direction: bool | None,
    keys: tuple[str, ...],
    segment=None,
) -> Target:
    if isinstance(body, _Map):
        unknown = [k for k in body if k not in keys]
        if unknown:
            k = unknown[0]
            raise TargetsError(
                f"{where(body.lines.get(k, line), path)}: unknown key {k!r}; valid keys: "
                f"{', '.join(keys)}."
            )
        if "target" not in body:
            raise TargetsError(
                f"{where(line, path)}: needs `target` (e.g. {{target: 0.85, watch: 0.80}})."
            )
        target_value, target_line = body["target"]
        target = _number(target_value, where(target_line, path), "target")
        watch = None
        if "watch" in body and body["watch"][0] is not None:
            watch_value, watch_line = body["watch"]
            watch = _number(watch_value, where(watch_line, path), "watch")
        else:
            watch_line = line
    else:
        target = _number(body, where(line, path), "target")
        watch, watch_line = None, line
    if watch is not None:
        if direction and watch > target:
            raise TargetsError(
                f"{where(watch_line, path)}: watch {watch:g} is above the target {target:g}, but "
                f"higher is better for {kpi}: the watch band must lie below the target "
                f"(watch <= target)."
            )
        if not direction and watch < target:
            raise TargetsError(
                f"{where(watch_line, path)}: watch {watch:g} is below the target {target:g}, but "
                f"lower is better for {kpi}: the watch band must lie above the target "
                f"(watch >= target)."
            )
    return Target(kpi, target, watch, bool(direction), segment, line)


def _parse(root: _Map, where: _Where) -> Targets:
    out = Targets(source=where.source)
    known = list_metrics()
    for kpi, (body, vline) in root.items():
        kline = root.lines.get(kpi) or vline
        try:
            metric = get_metric(kpi)
        except UnknownMetricError:
            import difflib

            close = difflib.get_close_matches(str(kpi), known, n=3)
            hint = f" Did you mean {', '.join(repr(c) for c in close)}?" if close else ""
            raise TargetsError(
                f"{where(kline, str(kpi))}: unknown KPI id {kpi!r}.{hint} Known ids: "
                f"{', '.join(known)}."
            ) from None
        direction = metric.higher_is_better
        if isinstance(body, _Map) and "direction" in body:
            dvalue, dline = body["direction"]
            if dvalue not in _DIRECTIONS:
                raise TargetsError(
                    f"{where(dline, kpi)}: `direction` must be 'higher' or 'lower', got {dvalue!r}."
                )
            direction = _DIRECTIONS[dvalue]
        if direction is None:
            raise TargetsError(
                f"{where(kline, kpi)}: {kpi} has no direction in the registry (neither higher nor "
                "lower is better); add `direction: higher` or `direction: lower`."
            )
        if body is None:
            raise TargetsError(
                f"{where(kline, kpi)}: needs a target, e.g. `{kpi}: {{target: ...}}`."
            )
        out.targets[kpi] = _make_target(kpi, body, kline, where, kpi, direction, _ENTRY_KEYS)
        if isinstance(body, _Map) and "options" in body:
            obody, oline = body["options"]
            out.options[kpi] = _options(kpi, metric, obody, oline, where)
        if isinstance(body, _Map) and "by" in body:
            by_body, by_line = body["by"]
            if not isinstance(by_body, _Map):
                raise TargetsError(
                    f"{where(by_line, kpi + '.by')}: `by` must map a dimension "
                    f"({_DIMENSIONS_TEXT}) to segments, e.g. "
                    "`by: {team: {Suporte: {target: 0.8}}}`."
                )
            for dim, (segments, sline) in by_body.items():
                dline = by_body.lines.get(dim) or sline
                if not _is_dimension_name(dim):
                    raise TargetsError(
                        f"{where(dline, f'{kpi}.by')}: `by` keys must be one of "
                        f"{_DIMENSIONS_TEXT}, got {dim!r}."
                    )
                if not isinstance(segments, _Map):
                    raise TargetsError(
                        f"{where(dline, f'{kpi}.by.{dim}')}: must map each {dim} to "
                        "{target: ..., watch: ...}."
                    )
                for seg, (seg_body, seg_line) in segments.items():
                    path = f"{kpi}.by.{dim}.{seg}"
                    line = segments.lines.get(seg) or seg_line
                    if dim == "channel_family":
                        seg = _family_id(seg, where(line, path))
                    out.overrides[(kpi, dim, str(seg))] = _make_target(
                        kpi,
                        seg_body,
                        line,
                        where,
                        path,
                        direction,
                        _SEGMENT_KEYS,
                        segment=(dim, str(seg)),
                    )
    return out


_DIMENSIONS_TEXT = (
    f"{', '.join((*DIMENSION_COLUMNS, *DERIVED_DIMENSIONS))} or another text column of the data"
)


def _is_dimension_name(dim) -> bool:
    """Whether ``dim`` can name a dimension (whether the data has it is known at compute time:
    an override of a dimension the data lacks is never used)."""
    if not isinstance(dim, str) or not dim.strip() or dim.startswith("_"):
        return False
    if dim in DIMENSION_COLUMNS or dim in DERIVED_DIMENSIONS:
        return True
    if dim in TIME_GRAINS or dim in ("period", "interaction_id"):
        return False
    return dim not in INTERACTION_COLUMNS  # measures, flags and timestamps are not segments


def _family_id(seg, where_text: str) -> str:
    """A ``channel_family`` segment key as the family id (``Social`` -> ``social``)."""
    from .channels import FAMILY_IDS, UNKNOWN, fold, known_family

    folded = fold(seg)
    for fid in (*FAMILY_IDS, UNKNOWN):
        if folded == fold(fid):
            return fid
    found = known_family(seg)
    if found is None:
        raise TargetsError(
            f"{where_text}: {seg!r} is not a channel family; families: {', '.join(FAMILY_IDS)}."
        )
    return found


def load_targets(source: str | os.PathLike | Mapping | Targets | None = None) -> Targets:
    """Load and validate targets from a YAML file or a dict.

    Parameters
    ----------
    source : path, dict, Targets or None
        A YAML file (default: ``targets.yml`` at the project's top level), a dict of the same
        shape, or an already loaded :class:`Targets` (returned as is).

    Returns
    -------
    Targets

    Raises
    ------
    TargetsError
        Naming the file and line (for files) or the entry (for dicts): unknown KPI id, watch
        band on the wrong side of the target, a value that is not a number, an unknown key,
        a KPI listed twice, a missing file, invalid YAML.

    Examples
    --------
    >>> load_targets({"aht": {"target": 420, "watch": 480}}).status("aht", 450)
    'watch'
    """
    if isinstance(source, Targets):
        return source
    if source is None:
        source = TARGETS_FILE
    if isinstance(source, Mapping):
        return _parse(_from_dict(source), _Where("targets", from_file=False))
    if not isinstance(source, (str, os.PathLike)):
        raise TargetsError(
            f"`targets` must be a path to a YAML file, a dict or a Targets object, got "
            f"{type(source).__name__}."
        )
    path = Path(source)
    if not path.is_file():
        raise TargetsError(f"`targets`: the file {str(path)!r} does not exist.")
    text = path.read_text(encoding="utf-8")
    name = path.name
    loader = yaml.SafeLoader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return Targets(source=name)
        if not isinstance(node, yaml.MappingNode):
            raise TargetsError(
                f"{name}, line {_node_line(node)}: the file must map KPI ids to targets, e.g. "
                "`csat: {target: 0.85, watch: 0.80}`."
            )
        root = _plain(node, loader)
    except _Duplicate as dup:
        raise TargetsError(
            f"{name}, line {dup.second}: {dup.key!r} is listed twice (first on line {dup.first})."
        ) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f", line {mark.line + 1}" if mark is not None else ""
        raise TargetsError(
            f"{name}{line}: not valid YAML ({getattr(exc, 'problem', exc)})."
        ) from None
    finally:
        loader.dispose()
    return _parse(root, _Where(name, from_file=True))
