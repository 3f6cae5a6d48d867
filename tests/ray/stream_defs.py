"""py-defs part for the streaming tests (imported by defs.py): Python generator tasks."""
import goray  # noqa: F401
