"""Errors shared by modules that must not import one another (config validates through budget)."""


class ConfigError(ValueError):
    """A config value is wrong; the message names the field, the value and what is allowed."""
