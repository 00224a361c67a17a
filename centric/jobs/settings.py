"""Options of background jobs, outreach and webhooks: part of :class:`centric.config.Settings`."""

from __future__ import annotations

from centric.config import Settings

ListeningSettings = Settings


def listening(settings: object | None = None) -> Settings:
    """``settings`` itself when it is the Settings object, else the settings read from the environment."""
    if isinstance(settings, Settings):
        return settings
    known = {name: getattr(settings, name) for name in Settings.model_fields
             if settings is not None and hasattr(settings, name)}
    return Settings(**known)
