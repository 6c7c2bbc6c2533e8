"""``python -m kpitool``."""

from kpitool.cli import main

main()
