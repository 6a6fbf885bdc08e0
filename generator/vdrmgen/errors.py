"""Errors that point at a place in a spec file."""


class SpecError(Exception):
    """A fatal problem in a spec, reported as file:line: message."""

    def __init__(self, file, line, message):
        super().__init__(f"{file}:{line}: {message}")
        self.file = file
        self.line = line
        self.message = message
