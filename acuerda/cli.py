"""``acuerda`` — the product's command line, fronting Django's management commands.

    acuerda start              migrate, load demo data if the database is empty, then serve
    acuerda demo --accounts N  build a demo agency
    acuerda serve              web server and background worker
    acuerda migrate / createsuperuser / ledger_check / ...  any management command
"""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    from django.core.management import execute_from_command_line

    args = list(sys.argv[1:] if argv is None else argv)
    execute_from_command_line(["acuerda", *args])


if __name__ == "__main__":
    main()
