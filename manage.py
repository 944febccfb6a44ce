#!/usr/bin/env python
"""Django's manage.py for development; `palier` is the same command, installed."""

from palier.cli import main

if __name__ == "__main__":
    main()
