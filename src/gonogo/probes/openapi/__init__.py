"""The OpenAPI smoke probe: ``document`` reads the document, ``examples`` fills each request,
``smoke`` calls the operations and judges the answers."""

from gonogo.probes.openapi.document import OpenApiError, Operation, load_document, operations, parse_document
from gonogo.probes.openapi.examples import build_request, example_value
from gonogo.probes.openapi.smoke import NotCalled, OpenApiResult, OperationOutcome, Problem, judge, smoke

__all__ = [
    "NotCalled",
    "OpenApiError",
    "OpenApiResult",
    "Operation",
    "OperationOutcome",
    "Problem",
    "build_request",
    "example_value",
    "judge",
    "load_document",
    "operations",
    "parse_document",
    "smoke",
]
