"""Hardening: property-based tests over every front end and a standard-library smoke run."""

import os
import tempfile

from hypothesis.configuration import set_hypothesis_home_dir

# No example database is kept (`database=None`), but Hypothesis also caches Unicode tables and literals it
# harvests: keep those out of the checkout too.
set_hypothesis_home_dir(os.path.join(tempfile.gettempdir(), "fastapi-lint-hypothesis"))
