"""What the checks cannot see in each isolation mode (the seam where the Backend protocol
of issue 16 goes; until then, the runtime mode's blind spots)."""

from __future__ import annotations

from typing import Final

__all__ = ["BLIND_SPOTS"]


BLIND_SPOTS: Final = (
    "isolation='runtime': the handler runs in a child process, so module globals, logging "
    "handlers, threads and botocore calls inside it are not visible to this check; only "
    "responses, errors, logs, the scratch dir (/tmp) and the start environment were compared",
)
