from __future__ import annotations

GREETING = "hello from the layer"
