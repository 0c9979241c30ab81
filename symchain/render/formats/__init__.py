"""The output formats and detail levels, named once for render and the command line."""

from __future__ import annotations

from typing import Literal, get_args

Format = Literal["rich", "plain", "markdown", "latex", "json", "jsonl"]
TextFormat = Literal["plain", "markdown", "latex"]
Detail = Literal["brief", "normal", "full"]

FORMATS: tuple[Format, ...] = get_args(Format)
DETAILS: tuple[Detail, ...] = get_args(Detail)
