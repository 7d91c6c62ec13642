"""A slot's programme: which bulletins air, in which order, and what is held over when the minutes cap
is reached.

Order: bulletins whose air window covers the date, by priority (emergency, priority, normal), then
topic (the order of `broadcast.topics.TOPICS`), then id; the input order never matters. When they do
not all fit the cap, each priority class is taken in turn; a class that does not fit whole is rotated
by the slot's turn (`slots.slot_turn`), so an item held over today moves towards the front and airs
at a later session instead of the same items winning every time. What is held over is logged
`held_over` with the reason, in Vietnamese (it is evidence copied into the reports).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable, Mapping

from broadcast.asrun import reasons
from broadcast.content.bulletin import Bulletin
from broadcast.schedule.slots import Slot
from broadcast.topics import TOPICS


@dataclass(frozen=True)
class Duration:
    seconds: float
    source: str  # "built" (from an audio manifest) or "estimated" (from text length)


@dataclass(frozen=True)
class PlannedItem:
    bulletin: Bulletin
    duration: Duration


@dataclass(frozen=True)
class HeldOver:
    bulletin: Bulletin
    duration: Duration
    reason: str


@dataclass(frozen=True)
class SlotPlan:
    """What a slot will air: the wrapper (jingles, greeting, sign-off) around `items`."""

    slot: Slot
    items: tuple[PlannedItem, ...]
    held_over: tuple[HeldOver, ...]
    wrapper: Duration
    gap_s: float
    cap_s: float

    @property
    def total_s(self) -> float:
        return self.wrapper.seconds + sum(i.duration.seconds for i in self.items) + self.gap_s * max(0, len(self.items) - 1)

    @property
    def bulletins(self) -> list[Bulletin]:
        return [i.bulletin for i in self.items]


_TOPIC_ORDER = {t: i for i, t in enumerate(TOPICS)}


def programme_order(bulletin: Bulletin) -> tuple:
    return (bulletin.priority.rank, _TOPIC_ORDER.get(bulletin.topic, len(_TOPIC_ORDER)), bulletin.topic, bulletin.id)


def plan_programme(
    slot: Slot,
    bulletins: Iterable[Bulletin],
    durations: Mapping[str, Duration],
    wrapper: Duration,
    cap_s: float,
    gap_s: float = 0.0,
    turn: int = 0,
) -> SlotPlan:
    """The slot's programme: on-air bulletins in programme order; beyond the cap, chosen by rotation and held over.

    Everything fits: every bulletin, in programme order. Otherwise each priority class is taken in
    turn; a class that does not fit whole is rotated by `turn` (see `slot_turn`) and its items kept
    while they fit. The kept items air in programme order; the rest are held over with the reason."""
    eligible = sorted((b for b in bulletins if b.on_air(slot.when.date())), key=programme_order)
    total = wrapper.seconds + sum(durations[b.id].seconds for b in eligible) + gap_s * max(0, len(eligible) - 1)
    if total <= cap_s:
        return SlotPlan(slot, tuple(PlannedItem(b, durations[b.id]) for b in eligible), (), wrapper, gap_s, cap_s)
    used = wrapper.seconds
    kept: list[Bulletin] = []
    held: list[HeldOver] = []
    for rank in sorted({b.priority.rank for b in eligible}):
        group = [b for b in eligible if b.priority.rank == rank]
        free = cap_s - used - (gap_s if kept else 0.0)  # the most any item of this class can get
        whole = sum(durations[b.id].seconds + (gap_s if kept or k else 0.0) for k, b in enumerate(group))
        if used + whole > cap_s and len(group) > 1:
            shift = turn % len(group)
            group = group[shift:] + group[:shift]
        for b in group:
            d = durations[b.id]
            need = d.seconds + (gap_s if kept else 0.0)
            if used + need <= cap_s:
                kept.append(b)
                used += need
            else:
                held.append(HeldOver(b, d, _held_reason(d, need, used, free, wrapper, cap_s)))
    items = tuple(PlannedItem(b, durations[b.id]) for b in sorted(kept, key=programme_order))
    return SlotPlan(slot, items, tuple(sorted(held, key=lambda h: programme_order(h.bulletin))), wrapper, gap_s, cap_s)


def _held_reason(d: Duration, need: float, used: float, free: float, wrapper: Duration, cap_s: float) -> str:
    """Why an item is held over, in Vietnamese (it goes into the as-run log and the reports)."""
    if wrapper.seconds + d.seconds > cap_s:
        return reasons.never_fits(d.seconds, d.source, wrapper.seconds, cap_s)
    if d.seconds > free:
        return reasons.crowded_out(d.seconds, d.source, free, cap_s)
    return reasons.held_over(need, used, d.source, cap_s)
