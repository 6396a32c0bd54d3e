"""`python -m yagona` runs the CLI."""

from yagona.app.entry import main

if __name__ == "__main__":
    main()
