"""Small helpers shared by the benchmark scripts."""

import importlib.metadata


def package_version(package: str) -> str:
    """The installed version of a package, for the header of a benchmark's report."""
    try:
        return importlib.metadata.version(package)
    except importlib.metadata.PackageNotFoundError:
        return "not installed"
