#!/usr/bin/env python
"""Django's command-line utility for proCure's operators."""

import os
import shlex
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "procure_site.settings")
    from django.conf import settings
    from django.core.exceptions import ImproperlyConfigured
    from django.core.management import execute_from_command_line

    try:
        # Reading a setting loads procure_site/settings.py, which names a
        # missing or malformed variable; say that in one line, not at the
        # end of Django's traceback.
        settings.INSTALLED_APPS  # noqa: B018
    except ImproperlyConfigured as exc:
        command = shlex.join(sys.argv[1:]) or "help"
        sys.exit(
            f"proCure cannot start: {exc} Set it in the environment or in .env "
            f'beside manage.py, or run the command as `make manage CMD="{command}"`, '
            "which sets local defaults (DEBUG on, a throw-away SECRET_KEY)."
        )
    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
