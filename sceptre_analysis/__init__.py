"""sceptre-analysis: checked, cited tallies from knife-crime weeks of action, and reports."""

from importlib.metadata import PackageNotFoundError, version

from . import _lazy

_lazy.install()  # before anything imports nbformat: see _lazy's docstring

try:
    __version__ = version("sceptre-analysis")
except PackageNotFoundError:  # running from a source tree without an install
    __version__ = "0.0.0+unknown"

__all__ = ["__version__"]
