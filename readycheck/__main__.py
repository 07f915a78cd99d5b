"""Let `python -m readycheck` behave exactly like the `readycheck` command."""

from readycheck.cli import main

if __name__ == "__main__":
    main()
