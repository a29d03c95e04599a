"""The failures a user can fix, in one family: the command line prints the message as ONE line and
exits with status 2 (``python -m resnet_book``); a notebook shows the same line.

Each class also derives from the built-in exception it refines (``ValueError``, ``OSError``...), so
code that catches those keeps working.
"""

from __future__ import annotations


class UserError(Exception):
    """Bad input or an environment fault the user can fix; the message says what and how."""


class ConfigError(UserError, ValueError):
    """An experiment, scale, model, run, config field or value that does not exist or is out of range."""


class DataError(UserError, RuntimeError):
    """The data is missing, unreadable or not in the expected format (the message says how to fix it)."""


class RecordError(UserError, ValueError):
    """A results record or checkpoint is missing, has wrong fields or types, or cannot be parsed."""


class StorageError(UserError, OSError):
    """A file could not be written: a full disk, a read-only or missing folder, a path that is a file."""
