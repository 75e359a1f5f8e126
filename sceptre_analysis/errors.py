"""The one base class for mistakes a user can fix (bad data, parameters, paths, plans).

The CLI prints a ``SceptreError`` as a message with no traceback; anything else is a bug and
keeps its traceback. Every module's user-error class subclasses this one.
"""

from __future__ import annotations

__all__ = ["SceptreError"]


class SceptreError(Exception):
    """A user error: the message says what is wrong and what to do."""
