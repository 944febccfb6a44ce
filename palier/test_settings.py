"""Settings for the test suite: `PALIER_ENV=test` plus whatever DATABASE_URL says."""

import os

os.environ["PALIER_ENV"] = "test"

from palier.settings import *  # noqa: E402, F403
