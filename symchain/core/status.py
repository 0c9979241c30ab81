"""Verified, failed or unconfirmed: how the verdicts on a result's parts add up, in one place.

A step's verdict says how it was checked (symbolically, at random points) or
that it could not be (unconfirmed) or was refuted (failed).  A result is
verified when every part is confirmed, failed when any part is refuted, and
unconfirmed otherwise.  A step whose own check passed but which rests on a
refuted part is unconfirmed: the rule was applied rightly to a wrong input.
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import Enum

from .steps import CONFIRMED, FAILED, SYMBOLIC, UNCONFIRMED


class Status(str, Enum):
    """A result's verdict; a str, so that it prints and serialises as its value."""

    VERIFIED = "verified"
    FAILED = "failed"
    UNCONFIRMED = "unconfirmed"

    def __str__(self) -> str:
        return self.value

    @property
    def verdict(self) -> str:
        """The status as a step verdict, for a line that stands for a whole part."""
        return {Status.VERIFIED: SYMBOLIC, Status.FAILED: FAILED}.get(self, UNCONFIRMED)


def combine(verdicts: Iterable[str | None]) -> Status:
    """The status of a result made of parts with these verdicts: step or check verdicts,
    or the statuses of whole parts."""
    seen = list(verdicts)
    if all(v in CONFIRMED or v == Status.VERIFIED for v in seen):
        return Status.VERIFIED
    if any(v == FAILED for v in seen):
        return Status.FAILED
    return Status.UNCONFIRMED


def step_verdict(own: str, substep_verdicts: Iterable[str | None]) -> str:
    """A step's verdict from its own check and its substeps': a refuted part leaves the
    step unproven, never verified."""
    if own != FAILED and any(v == FAILED for v in substep_verdicts):
        return UNCONFIRMED
    return own
