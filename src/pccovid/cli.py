"""`pccovid`: the one console script. Configures Django itself; every management command runs through it."""

import os
import sys


def main(argv: list[str] | None = None) -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pccovid.settings")
    from django.conf import settings

    settings.VAR_DIR.mkdir(parents=True, exist_ok=True)
    from django.core.management import execute_from_command_line

    args = list(sys.argv if argv is None else ["pccovid", *argv])
    execute_from_command_line(_expand_subcommands(args))
    return 0


# Spoken forms of commands: `pccovid geo load-units` runs `geo_load_units`.
_GROUPS = {"geo", "register", "legacy", "linkage"}


def _expand_subcommands(args: list[str]) -> list[str]:
    """`geo load-units` -> `geo_load_units`, `verify-qr` -> `verify_qr`."""
    if len(args) >= 2 and not args[1].startswith("-"):
        args = [args[0], args[1].replace("-", "_"), *args[2:]]
    if len(args) >= 3 and args[1] in _GROUPS and not args[2].startswith("-"):
        return [args[0], f"{args[1]}_{args[2].replace('-', '_')}", *args[3:]]
    return args


if __name__ == "__main__":
    sys.exit(main())
