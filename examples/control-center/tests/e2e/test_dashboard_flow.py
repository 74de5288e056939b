import pytest

pytestmark = pytest.mark.skip(reason="Dashboard E2E not implemented")


def test_login_then_dashboard():
    assert False, "needs a browser"


def test_job_appears_on_dashboard():
    assert False, "needs a browser"
