"""``python -m generator.cli``: the ``rota`` command."""

from generator.cli import main

main()
