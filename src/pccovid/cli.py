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


# Spoken forms of commands, e.g. `pccovid geo load-units` -> `geo_load_units`.
_GROUPS = {"geo", "register"}


def _expand_subcommands(args: list[str]) -> list[str]:
    if len(args) >= 3 and args[1] in _GROUPS and not args[2].startswith("-"):
        return [args[0], f"{args[1]}_{args[2].replace('-', '_')}", *args[3:]]
    return args


if __name__ == "__main__":
    sys.exit(main())
