#!/usr/bin/env python
import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ejournal.settings")
    # A developer's shell: with neither DEBUG nor SECRET_KEY set, management commands use the development
    # defaults. The web processes (wsgi.py) never do, and DEBUG=false still fails loudly without a secret.
    if "DEBUG" not in os.environ and "SECRET_KEY" not in os.environ:
        os.environ["DEBUG"] = "true"
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
