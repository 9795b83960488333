#!/usr/bin/env python
import os
import sys

# Commands that read only the code, never the database or a secret: they may run in a bare
# checkout (an editor, a git hook) without the variables that `make run`/`make test` set.
CODE_ONLY_COMMANDS = {"makemigrations"}


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ramtid.settings")
    if sys.argv[1:2] and sys.argv[1] in CODE_ONLY_COMMANDS:
        os.environ.setdefault("DJANGO_DEBUG", "1")
        os.environ.setdefault("DATABASE_URL", "postgres://ramtid@/ramtid?host=/nonexistent")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
