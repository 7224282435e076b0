"""How often each offer comes first when the weights vary: SMAA-2.

Stochastic multicriteria acceptability analysis (Lahdelma & Salminen,
Operations Research 49(3), 2001) treats the weights as uncertain: it draws many
weight vectors, ranks the offers under each, and reports per offer the share of
draws that put it at each rank (its rank acceptability indices) and the mean
weight vector of the draws in which it came first (its central weights).

Two ways to draw the weights:

- ``around`` (default): every weight above 0 times its own uniform draw in
  [1 − spread, 1 + spread]: weightings near the person's own.
- ``uniform``: uniformly over the simplex of the factors with weight above 0
  (normalised exponential draws): no preference at all.

Under one draw an offer scores Σ w·s / Σ w over the factors' normalised values
s, and ties are broken as the ranking breaks them (annual comp, then offer id).
The draws come from ``numpy.random.default_rng(seed)``: a run repeats exactly.
"""
from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any, Iterable, Mapping, Sequence

import numpy as np

from .scoring import ScoringError

MODES = ("around", "uniform", "off")
DEFAULT_MODE = "around"
DEFAULT_SPREAD = 0.5
DEFAULT_SAMPLES = 10_000
MAX_SAMPLES = 100_000
DEFAULT_SEED = 0
MAX_SEED = 2**32 - 1
# Over more offers than this, the analysis works on the best ones by score.
MAX_OFFERS = 50
PARAMS = ("robustness", "spread", "samples", "seed")


@dataclass(frozen=True)
class Settings:
    """How to draw the weights: ``mode`` one of MODES; ``spread`` is used by ``around``."""

    mode: str = DEFAULT_MODE
    spread: float = DEFAULT_SPREAD
    samples: int = DEFAULT_SAMPLES
    seed: int = DEFAULT_SEED

    @property
    def off(self) -> bool:
        return self.mode == "off"


def _whole(name: str, text: Any, low: int, high: int) -> int:
    raw = str(text).strip()
    if not raw.isascii() or not raw.isdigit() or not low <= int(raw) <= high:
        raise ScoringError(f"{name} must be a whole number from {low:,} to {high:,}, got {text!r}")
    return int(raw)


def parse(pairs: Iterable[tuple[str, str]]) -> Settings:
    """Settings from query-string pairs (``robustness``, ``spread``, ``samples``,
    ``seed``); other keys are ignored, an empty value means the default."""
    given = {key: value.strip() for key, value in pairs if key in PARAMS and value.strip()}
    mode = given.get("robustness", DEFAULT_MODE)
    if mode not in MODES:
        raise ScoringError(
            f"robustness must be around (weightings near yours), uniform (any weighting) or "
            f"off, got {mode!r}"
        )
    spread = DEFAULT_SPREAD
    if "spread" in given:
        try:
            spread = float(given["spread"])
        except ValueError:
            spread = float("nan")
        if not 0 <= spread <= 1:
            raise ScoringError(f"spread must be a number from 0 to 1, got {given['spread']!r}")
    samples = DEFAULT_SAMPLES
    if "samples" in given:
        samples = _whole("samples", given["samples"], 1, MAX_SAMPLES)
    seed = DEFAULT_SEED
    if "seed" in given:
        seed = _whole("seed", given["seed"], 0, MAX_SEED)
    return Settings(mode, spread, samples, seed)


@dataclass(frozen=True)
class Result:
    """The analysis of one comparison.

    ``considered`` holds the offers' indexes in ranking order; for each,
    ``acceptability`` its shares of draws at rank 1, 2, … and
    ``central`` its mean normalised weights over the draws it won (None if none).
    """

    settings: Settings
    considered: list[int]
    factors: list[str]  # the factors with weight above 0, the ones drawn
    acceptability: list[list[float]]
    central: list[dict[str, float] | None]

    def header(self) -> dict:
        """compare.json's top-level "robustness"."""
        s = self.settings
        return {
            "mode": s.mode,
            "spread": s.spread if s.mode == "around" else None,
            "samples": s.samples,
            "seed": s.seed,
            "offers_considered": len(self.considered),
        }

    def by_index(self) -> dict[int, dict]:
        """Each considered offer's "robustness", by its index in the compared set."""
        return {
            i: {
                "first": shares[0],
                "rank_acceptability": shares,
                "central_weights": central,
            }
            for i, shares, central in zip(self.considered, self.acceptability, self.central)
        }


def draw_weights(settings: Settings, weights: Sequence[float]) -> np.ndarray:
    """``samples`` weight vectors over the given (positive) weights, each summing to 1."""
    rng = np.random.default_rng(settings.seed)
    k = len(weights)
    if settings.mode == "uniform":
        drawn = rng.exponential(size=(settings.samples, k))
    else:
        low, high = 1 - settings.spread, 1 + settings.spread
        drawn = np.asarray(weights, dtype=float) * rng.uniform(low, high, size=(settings.samples, k))
    totals = drawn.sum(axis=1, keepdims=True)
    # A draw of all zeros (spread 1, a chance of 2^-53 per weight) keeps the person's weights.
    fallback = np.asarray(weights, dtype=float) / max(float(sum(weights)), 1e-300)
    zero = totals[:, 0] <= 0
    if zero.any():
        drawn[zero] = fallback
        totals[zero] = 1.0
    return drawn / totals


def acceptability(values: np.ndarray, drawn: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Rank counts and first-place weight sums.

    ``values`` is (factors × offers), the offers in the tie-break order (a
    better tie-break first); ``drawn`` is (samples × factors). Returns counts
    (offers × ranks) and sums (offers × factors) of the draws each offer won.
    """
    k, m = values.shape
    samples = drawn.shape[0]
    # One column at a time, not a matrix product: offers with equal values get
    # exactly equal scores, so their tie is broken by the order, never by rounding.
    scores = np.zeros((samples, m))
    for j in range(k):
        scores += drawn[:, j : j + 1] * values[j]
    # A stable sort keeps tied offers in the given order.
    order = np.argsort(-scores, axis=1, kind="stable")
    slots = order * m + np.arange(m)
    counts = np.bincount(slots.ravel(), minlength=m * m).reshape(m, m)
    winners = order[:, 0]
    sums = np.stack(
        [np.bincount(winners, weights=drawn[:, j], minlength=m) for j in range(k)], axis=1
    ) if k else np.zeros((m, 0))
    return counts, sums


_CACHE_SIZE = 16
_cache: "OrderedDict[tuple, Result]" = OrderedDict()
_cache_lock = threading.Lock()


def analyse(
    settings: Settings,
    names: Sequence[str],
    norm: Mapping[str, Sequence[float]],
    weights: Mapping[str, float],
    best: Sequence[int],
    tails: Sequence[tuple],
) -> Result | None:
    """SMAA-2 over the offers ``best`` (indexes into the columns of ``norm``, in
    ranking order, at most MAX_OFFERS of them); None when ``settings`` is off.

    ``tails`` is each offer's tie-break key (see ``scoring.tail``). The result
    depends only on the arguments, so it is kept for repeated requests.
    """
    if settings.off:
        return None
    best = list(best)[:MAX_OFFERS]
    active = [name for name in names if weights.get(name, 0.0) > 0]
    tie_order = sorted(range(len(best)), key=lambda p: tails[best[p]])
    columns = [best[p] for p in tie_order]
    values = np.array(
        [[float(norm[name][i]) for i in columns] for name in active], dtype=float
    ).reshape(len(active), len(columns))
    key = (settings, tuple(active), tuple(float(weights[n]) for n in active), tuple(best),
           values.tobytes(), tuple(tails[i] for i in columns))
    with _cache_lock:
        found = _cache.get(key)
        if found is not None:
            _cache.move_to_end(key)
            return found
    if not best:
        return Result(settings, [], active, [], [])
    drawn = draw_weights(settings, [float(weights[n]) for n in active])
    counts, sums = acceptability(values, drawn)
    acceptability_rows, central = [], []
    # Back from the tie-break order to the ranking order.
    position = {p: c for c, p in enumerate(tie_order)}
    for p in range(len(best)):
        c = position[p]
        acceptability_rows.append([float(x) / settings.samples for x in counts[c]])
        wins = int(counts[c][0])
        central.append(
            {name: float(sums[c][j]) / wins for j, name in enumerate(active)} if wins else None
        )
    result = Result(settings, best, active, acceptability_rows, central)
    with _cache_lock:
        _cache[key] = result
        while len(_cache) > _CACHE_SIZE:
            _cache.popitem(last=False)
    return result


# --- the words -------------------------------------------------------------------

_PLACES = 3


def percent_text(share: float) -> str:
    """A share as a whole percentage that never says 0% or 100% when it is not."""
    if 0 < share < 0.005:
        return "under 1%"
    if 0.995 <= share < 1:
        return "over 99%"
    return f"{share:.0%}"


def sentence(
    header: Mapping[str, Any] | None,
    offers: Sequence[Mapping[str, Any]],
    count: int,
) -> str | None:
    """"Northwind comes first in 83% of weightings near yours; Bluefin in 17%."

    ``offers`` are the listed offers of compare.json in ranking order (a
    company with two offers listed is named with its role), ``count`` how many
    offers were compared. Offers that came first but are not listed are
    summed up as the others.
    """
    if header is None or not header["offers_considered"]:
        return None
    companies = [o["company"] for o in offers]
    winners = []
    for o in offers:
        r = o.get("robustness")
        if r and r["first"] > 0:
            name = f"{o['company']} ({o['role']})" if companies.count(o["company"]) > 1 else o["company"]
            winners.append((r["first"], name))
    winners.sort(key=lambda w: -w[0])  # stable: ties stay in ranking order
    named = winners[:_PLACES]
    rest = 1.0 - sum(share for share, _ in named)
    where = "weightings near yours" if header["mode"] == "around" else "all weightings"
    if named:
        parts = [f"{named[0][1]} comes first in {percent_text(named[0][0])} of {where}"]
        parts += [f"{name} in {percent_text(share)}" for share, name in named[1:]]
        if rest > 1e-9:
            parts.append(f"the others in {percent_text(rest)}")
    else:
        parts = [f"Offers not listed here come first in every one of the {where}"]
    text = "; ".join(parts)
    considered = header["offers_considered"]
    if considered < count:
        text += f" (among the {considered} best-scoring of {count:,} offers)"
    return text + "."
