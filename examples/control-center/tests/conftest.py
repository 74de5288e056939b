import pytest


@pytest.fixture
def app():
    try:
        from backend.app.main import queue
    except ImportError:
        pytest.skip("FastAPI app not imported")
    return queue
