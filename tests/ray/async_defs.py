"""py-defs part for the concurrency tests (imported by defs.py): Python async actors."""
import goray  # noqa: F401
