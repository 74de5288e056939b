import pytest

from backend.app import main


def test_broadcast_reaches_clients():
    try:
        main.broadcast("hello")
    except NotImplementedError:
        pytest.skip("WebSocket not implemented")
    assert True


def test_broadcast_order():
    try:
        main.broadcast("first")
    except NotImplementedError:
        pytest.skip("WebSocket not implemented")


@pytest.mark.skip(reason="metrics export not ready")
def test_metrics_export():
    assert main.export_metrics().startswith("# HELP")
