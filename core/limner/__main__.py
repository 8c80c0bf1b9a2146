"""``python -m limner``: the ``limner`` command."""

from limner.cli import run

if __name__ == "__main__":
    raise SystemExit(run())
