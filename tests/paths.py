"""Where the shared material lies: ../shared beside the checkout (as in CI), or GOVWATCH_SHARED."""

import os
from pathlib import Path

SHARED = Path(os.environ.get("GOVWATCH_SHARED") or Path(__file__).resolve().parents[2] / "shared")
