"""`python -m monitor.cli`: the govwatch command with every command registered."""

from monitor.cli.main import main

if __name__ == "__main__":
    main()
