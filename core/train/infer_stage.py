"""Placeholder until this stage lands: it takes no flags of its own and says so when run."""

from core.errors import UserError


def add_arguments(parser) -> None:
    pass


def run(ctx, args) -> dict:
    raise UserError("this stage is not built yet")
