"""Fixtures for the groups tests."""

from tests.cms.conftest import home_page  # noqa: F401
