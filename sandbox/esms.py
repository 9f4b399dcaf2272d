"""Imitation of esms (placeholder until the gateway module lands)."""

from __future__ import annotations

from aiohttp import web


def setup(app: web.Application) -> None:
    """Add this gateway's routes."""
