"""``python -m kpitool``."""

from kpitool.cli.app import main

main()
