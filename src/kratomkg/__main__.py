"""Allow ``python -m kratomkg``."""

from kratomkg.cli import main

main()
