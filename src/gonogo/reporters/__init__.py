"""One pure renderer per format: ``render(report) -> str``, same report in, same bytes out."""
