"""Addresses shared by the tests of /api/v1/contracts."""

from contracts.models import Contract

LIST_URL = "/api/v1/contracts"


def detail_url(contract: Contract) -> str:
    return f"/api/v1/contracts/{contract.id}"
