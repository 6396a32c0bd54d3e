"""`python -m yagona` runs the CLI."""

from yagona.app.cli import main

if __name__ == "__main__":
    main()
