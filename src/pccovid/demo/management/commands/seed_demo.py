"""`pccovid seed_demo`: a synthetic Ho Chi Minh City to try pccovid on, with one login per role.

Run twice, it refuses (exit 1) and changes nothing; with `--if-empty` it only prints the demo logins when
demo people exist, which is what `make run` does on every start.
"""

import io
import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.urls import reverse
from rich.console import Console
from rich.table import Table

from pccovid.core import clock
from pccovid.core.errors import ApplicationError
from pccovid.demo import services
from pccovid.demo.activity import demo_activity_seed
from pccovid.feedback.demo import demo_feedback_seed
from pccovid.geography import services as geography_services
from pccovid.geography.models import AdminUnit
from pccovid.maps.demo import demo_cells_build
from pccovid.reports.demo import demo_reports_seed
from pccovid.risk.demo import demo_risk_seed

MAX_PEOPLE = 1_000_000


class Command(BaseCommand):
    help = "Generate a deterministic synthetic population of Ho Chi Minh City and the demo logins."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--people", type=int, default=20_000, help="How many residents (1 to 1,000,000).")
        parser.add_argument("--seed", type=int, default=2021, help="The same seed gives the same people.")
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="Do nothing (but print the logins) when demo people exist.",
        )
        parser.add_argument(
            "--no-progress",
            action="store_true",
            help="Do not draw progress bars (never drawn off a terminal).",
        )

    def handle(self, *args, people: int, seed: int, if_empty: bool, no_progress: bool, **options) -> None:
        if not settings.DEBUG:
            raise CommandError(
                "seed_demo creates logins with published passwords: it runs only with DEBUG on."
            )
        if not 1 <= people <= MAX_PEOPLE:
            raise CommandError(f"--people must be between 1 and {MAX_PEOPLE:,}, not {people:,}.")
        progress = not no_progress and self.stderr.isatty()  # bars are drawn on stderr
        province = self._province(progress=progress)
        communes = services.demo_communes(province=province)
        if not communes:
            raise CommandError(f"{province.name} has no communes loaded: run `pccovid geo load-units` first.")
        commune = services.officials_commune(communes=communes)
        try:
            existing = services.demo_people_count()
            if if_empty and existing:
                self.stdout.write(f"Demo people already present ({existing:,}); nothing generated.")
                self._print_logins(services.demo_logins_ensure(province=province, commune=commune))
                self._print_citizen(services.demo_citizen())
                return
            started = time.perf_counter()
            if not existing:  # else the service refuses, saying why
                self.stdout.write(
                    f"Generating {people:,} people in {len(communes)} communes of {province.name} "
                    f"(seed {seed})..."
                )
            report = services.demo_city_seed(
                province=province,
                communes=communes,
                people=people,
                seed=seed,
                extract_path=settings.VAR_DIR / "demo" / "register.csv",
                progress=progress,
            )
        except ApplicationError as error:
            raise CommandError(error.message) from error
        activity = demo_activity_seed(seed=seed, focus=commune)
        self.stdout.write(
            f"Venues: {activity['venues']:,}, check-ins: {activity['checkins']:,}, "
            f"declarations: {activity['declarations']:,}, doses: {activity['doses']:,}, "
            f"test results: {activity['test_results']:,}, contacts of the demo case: "
            f"{activity['contacts']:,} ({activity['quarantine_orders']:,} in quarantine)."
        )
        self._operations_seed(province=province, commune=commune, citizen=report.citizen)
        self._print_report(report, seconds=time.perf_counter() - started)
        self._print_logins(report.logins)
        self._print_citizen(report.citizen)

    def _operations_seed(self, *, province: AdminUnit, commune: AdminUnit, citizen) -> None:
        """What the officials' map, levels and report queues show: the levels of the last 14 days (with
        the communes' declared capacity) and a few citizen reports in the officials' commune."""
        cells = demo_cells_build(province=province)
        levels = demo_risk_seed(province=province)
        feedback = demo_feedback_seed(commune=commune, citizen=citizen)
        report = demo_reports_seed(commune=commune, today=clock.today())
        self.stdout.write(
            f"Map: {cells.loaded:,} illustrative cells; epidemic levels: {levels['levels']:,} unit-days; "
            f"citizen reports: {feedback['reports']} "
            f"({feedback['replies']} answered); yesterday's daily report submitted: "
            f"{'yes' if report['report_version'] else 'no'}."
        )

    def _province(self, *, progress: bool) -> AdminUnit:
        """Ho Chi Minh City, loading the 2025 administrative units first when they are missing."""
        province = services.demo_province()
        if province is None:
            self.stdout.write("Loading the 2025 administrative units...")
            geography_services.units_load(edition="2025", progress=progress)
            province = services.demo_province()
        if province is None:
            raise CommandError(
                f"Province {services.PROVINCE_CODE} is not among the loaded administrative units."
            )
        return province

    def _print_report(self, report: services.SeedReport, *, seconds: float) -> None:
        self.stdout.write(
            f"Demo city: {report.people:,} people in {report.households:,} households and {report.groups:,} "
            f"residential groups; {report.identifiers:,} identifiers."
        )
        self.stdout.write(
            f"Register extract {report.register.path}: {report.register.created:,} rows loaded."
        )
        self.stdout.write(f"Done in {seconds:.1f} s.")

    def _print_logins(self, logins: list[services.DemoLogin]) -> None:
        table = Table(title="Demo logins (development only)")
        for column in ("role", "username", "password", "unit"):
            table.add_column(column)
        for login in logins:
            table.add_row(
                login.role, login.username, login.password, f"{login.unit.name} ({login.unit.code})"
            )
        self.stdout.write(self._render(table))
        self.stdout.write(
            f"Officials sign in at {reverse('web:official-login')}; the system administrator also at "
            f"{reverse('admin:index')}."
        )

    def _print_citizen(self, citizen) -> None:
        phone = services.DEMO_CITIZEN_PHONE
        who = f"{citizen.full_name}, born {citizen.birth_date:%d/%m/%Y}, " if citizen else ""
        self.stdout.write(
            f"Demo citizen: {who}phone 0{phone.removeprefix('+84')} ({phone}). Sign in at "
            f"{reverse('web:citizen-login')}: the one-time code is printed on the console and written to "
            f"{settings.PCCOVID_SMS_OUTBOX} in development."
        )

    @staticmethod
    def _render(table: Table) -> str:
        console = Console(file=io.StringIO(), width=120, color_system=None)
        console.print(table)
        return console.file.getvalue().rstrip("\n")
