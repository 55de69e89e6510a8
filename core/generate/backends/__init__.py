"""Sample generators behind one interface (see base.Backend); `make_backend` picks one by name."""

from core.generate.backends.base import Backend, ResponseCache, make_backend

__all__ = ["Backend", "ResponseCache", "make_backend"]
