"""The catalog of SaaS applications: its CSV format and its host-matching rule.

Pure functions, no database. The catalog ships as discovery/data/applications.csv
with four columns: name, vendor, category and domains (separated by spaces).
A visited host matches the application of the most specific of its catalog
domains, the same rule as contracts (url_visits/matching.py): a registrable
domain such as `slack.com` covers its subdomains, and `drive.google.com`
wins over a catalog entry on `google.com`.
"""

import csv
import io
from collections.abc import Iterable
from pathlib import Path
from typing import NamedTuple

from contracts.hosts import (
    InvalidHost,
    is_bare_domain,
    is_public_suffix,
    normalize_host,
    registrable_domain,
)

CATALOG_CSV = Path(__file__).resolve().parent / "data" / "applications.csv"
COLUMNS = ("name", "vendor", "category", "domains")

CATEGORIES = {
    "collaboration": "Collaboration",
    "engineering": "Engineering",
    "design": "Design",
    "crm_sales": "CRM and sales",
    "support": "Customer support",
    "marketing": "Marketing",
    "analytics": "Analytics",
    "finance": "Finance",
    "hr": "HR",
    "security": "Security",
    "ai": "AI tools",
    "storage": "Storage",
    "productivity": "Productivity",
    "legal": "Legal",
}

ApplicationTable = dict[str, int]


class CatalogEntry(NamedTuple):
    name: str
    vendor: str
    category: str
    domains: list[str]


class CatalogError(ValueError):
    """A catalog CSV that cannot be loaded; `rows` says what is wrong where."""

    def __init__(self, message: str, rows: list[str] | None = None) -> None:
        super().__init__(message)
        self.rows = rows or []


def catalog_domain(domain: str) -> str:
    """A catalog domain as matching uses it: a bare domain (with or without
    `www.`) becomes its registrable domain, any other host stays itself."""
    host = normalize_host(domain)
    return registrable_domain(host) if is_bare_domain(host) else host


def catalog_parse(text: str) -> list[CatalogEntry]:
    """The entries of a catalog CSV, all valid, or CatalogError listing every
    bad row: a missing column, an unknown category, a domain that is not a
    host name, a name or domain that an earlier row already has."""
    reader = csv.DictReader(io.StringIO(text))
    missing = [column for column in COLUMNS if column not in (reader.fieldnames or [])]
    if missing:
        raise CatalogError(
            f"The catalog CSV needs the columns {', '.join(COLUMNS)}; "
            f"it lacks {', '.join(missing)}."
        )
    entries: list[CatalogEntry] = []
    problems: list[str] = []
    names: set[str] = set()
    owners: dict[str, str] = {}
    for line, row in enumerate(reader, start=2):
        name = (row.get("name") or "").strip()
        vendor = (row.get("vendor") or "").strip()
        category = (row.get("category") or "").strip()
        raw_domains = (row.get("domains") or "").split()
        if not name or not vendor or not raw_domains:
            problems.append(f"Row {line}: name, vendor and domains are required.")
            continue
        if len(name) > 200 or len(vendor) > 200:
            problems.append(f"Row {line}: name and vendor are 200 characters at most.")
            continue
        if category not in CATEGORIES:
            problems.append(
                f"Row {line}: unknown category {category!r}; use one of "
                f"{', '.join(CATEGORIES)}."
            )
            continue
        if name.lower() in names:
            problems.append(f"Row {line}: {name} is already in the catalog.")
            continue
        domains: list[str] = []
        for raw in raw_domains:
            try:
                domain = catalog_domain(raw)
            except InvalidHost:
                problems.append(f"Row {line}: {raw!r} is not a host name.")
                continue
            if is_public_suffix(domain):
                problems.append(
                    f"Row {line}: {domain} is a public suffix under which anyone "
                    "can register sites: the application would count visits to "
                    "all of them, and every extension would report them. Use "
                    "the application's own domain."
                )
                continue
            if domain in owners:
                problems.append(
                    f"Row {line}: {domain} already belongs to {owners[domain]}."
                )
                continue
            if domain not in domains:
                owners[domain] = name
                domains.append(domain)
        names.add(name.lower())
        entries.append(CatalogEntry(name, vendor, category, domains))
    if problems:
        raise CatalogError(
            f"The catalog CSV has {len(problems)} bad rows; nothing was imported.",
            rows=problems,
        )
    return entries


def catalog_read(path: Path = CATALOG_CSV) -> list[CatalogEntry]:
    """The catalog bundled with proCure (or the CSV at `path`)."""
    return catalog_parse(path.read_text(encoding="utf-8"))


def application_table_build(
    applications: Iterable[tuple[int, list[str]]],
) -> ApplicationTable:
    """The domain → application id table of (id, domains) pairs.

    Domains are normalized when saved, but the column is JSON the Django admin
    can edit, so anything unusable is ignored here; when two applications
    claim a domain, the lower id keeps it.
    """
    table: ApplicationTable = {}
    for application_id, domains in sorted(applications):
        for domain in domains if isinstance(domains, list) else []:
            try:
                host = catalog_domain(str(domain))
            except InvalidHost:
                continue
            # A public suffix typed in the admin would match every site
            # registered under it; it never matches.
            if not is_public_suffix(host):
                table.setdefault(host, application_id)
    return table


def application_match(table: ApplicationTable, host: str) -> int | None:
    """The id of the application a normalized host belongs to, or None.

    Tries the host and then each parent domain, in the order of
    contracts.hosts.host_and_parents, cutting one label at a time rather
    than building the list: it runs for every host of a batch that matched
    no contract.
    """
    candidate = host
    while True:
        application_id = table.get(candidate)
        if application_id is not None:
            return application_id
        dot = candidate.find(".")
        if dot < 0:
            return None
        candidate = candidate[dot + 1 :]
