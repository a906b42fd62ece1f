class HarnessError(RuntimeError):
    """The benchmark could not do what it was asked (not: the service is slow)."""
