#!/usr/bin/env python
"""Django's command-line utility for administrative tasks. For the demo, `./og <command>` runs this with
the project's virtualenv and the demo profile."""

import os
import sys

# One line instead of a traceback: what is missing, and the command that works for the demo.
HINT = "OrderGuard is not configured: {error} For the demo run `./og {command}`; for production see README.md, Production.\n"


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "orderguard.settings")
    from django.conf import settings
    from django.core.exceptions import ImproperlyConfigured
    from django.core.management import execute_from_command_line

    try:
        settings.INSTALLED_APPS  # noqa: B018 - loads the settings, where a missing variable is found
    except ImproperlyConfigured as error:
        sys.stderr.write(HINT.format(error=error, command=" ".join(sys.argv[1:]) or "help"))
        sys.exit(2)
    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
