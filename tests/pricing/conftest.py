import pytest


@pytest.fixture
def _uses_database(app):
    """The repricing tests need the open pools and empty tables (the root conftest's clean_tables)."""
