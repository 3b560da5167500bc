"""First run and every run after: migrate, load the demo agency once, then serve."""

from __future__ import annotations

from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Migrate the database, load demo data if it is empty, and serve the web app and worker."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--no-demo", action="store_true", help="do not load demo data into an empty database")
        parser.add_argument("--accounts", type=int, default=2000, help="demo size when loading it")
        parser.add_argument("--bind", default="127.0.0.1:8000")

    def handle(self, *args: Any, no_demo: bool, accounts: int, bind: str, **options: Any) -> None:
        from acuerda.core.demo import demo_database_state

        call_command("migrate", interactive=False, verbosity=1)
        if not no_demo and not any(demo_database_state().values()):
            call_command("demo", accounts=accounts)
        elif not no_demo:
            self.stdout.write("The database already has data; demo not loaded again (see `acuerda demo --help`).")
        call_command("serve", bind=bind)
