"""The ``limner`` command."""
