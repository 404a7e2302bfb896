"""`pccovid keys_rotate --purpose personal-qr [--grace-days 30]`: a new signing key; prints its key id."""

from django.core.management.base import BaseCommand, CommandError, CommandParser

from pccovid.core import keys


class Command(BaseCommand):
    help = (
        "Add a new active signing key for a purpose and retire the current one, which keeps verifying "
        "for the grace period. Prints the new key id."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--purpose", required=True, help="personal-qr (or release-certificate).")
        parser.add_argument(
            "--grace-days", type=int, default=30, help="Days the retired key still verifies (default 30)."
        )

    def handle(self, *args, purpose: str, grace_days: int, **options) -> None:
        if grace_days < 0:
            raise CommandError("--grace-days cannot be negative.")
        try:
            kid = keys.key_rotate(purpose, grace_days=grace_days)
        except ValueError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(kid)
