"""The unsupervised paradigm (not implemented yet; see the project issues)."""

__all__: list[str] = []
