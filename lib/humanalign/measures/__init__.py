"""The paper's measures, each on plain arrays."""

__all__: list[str] = []
