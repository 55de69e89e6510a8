"""Errors a user can act on: the CLI prints the message on one line and exits."""


class UserError(Exception):
    """Bad input or a state the user must change; `exit_code` 2 like argparse."""

    def __init__(self, message: str, exit_code: int = 2):
        super().__init__(message)
        self.exit_code = exit_code
