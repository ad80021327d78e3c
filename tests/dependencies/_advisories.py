"""OSV records written from the facts of real advisories (ids, aliases, packages, ranges, vectors).

Prose is left out; the summaries are short labels of ours.
"""

from __future__ import annotations

from typing import Any

__all__ = ["RECORDS", "record"]


def record(
    rid: str,
    aliases: list[str],
    ecosystem: str,
    name: str,
    events: list[dict[str, str]],
    *,
    vector: str | None = None,
    versions: list[str] | None = None,
    withdrawn: str | None = None,
    word: str | None = None,
    kind: str = "ECOSYSTEM",
) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "schema_version": "1.6.0",
        "id": rid,
        "modified": "2024-06-01T00:00:00Z",
        "aliases": aliases,
        "summary": f"{name} advisory",
        "affected": [
            {
                "package": {"ecosystem": ecosystem, "name": name},
                "ranges": [{"type": kind, "events": events}],
                "versions": versions or [],
            }
        ],
    }
    if vector:
        kind_v = "CVSS_V4" if vector.startswith("CVSS:4") else "CVSS_V3"
        doc["severity"] = [{"type": kind_v, "score": vector}]
    if word:
        doc["database_specific"] = {"severity": word}
    if withdrawn:
        doc["withdrawn"] = withdrawn
    return doc


# requests: Proxy-Authorization leak, CVE-2023-32681; fixed in 2.31.0 (introduced 2.3.0), 6.1.
REQUESTS_PYSEC = record(
    "PYSEC-2023-74",
    ["CVE-2023-32681", "GHSA-j8r2-6x86-q33q"],
    "PyPI",
    "requests",
    [{"introduced": "2.3.0"}, {"fixed": "2.31.0"}],
    vector="CVSS:3.1/AV:N/AC:H/PR:N/UI:R/S:C/C:H/I:N/A:N",
    versions=["2.30.0", "2.29.0"],
)
REQUESTS_GHSA = record(
    "GHSA-j8r2-6x86-q33q",
    ["CVE-2023-32681", "PYSEC-2023-74"],
    "PyPI",
    "requests",
    [{"introduced": "2.3.0"}, {"fixed": "2.31.0"}],
    vector="CVSS:3.1/AV:N/AC:H/PR:N/UI:R/S:C/C:H/I:N/A:N",
    versions=["2.30.0", "2.29.0"],
)
# fastapi: python-multipart ReDoS, CVE-2024-24762; fixed in fastapi 0.109.1, 7.5.
FASTAPI = record(
    "GHSA-qf9m-vfgh-m389",
    ["CVE-2024-24762", "PYSEC-2024-38"],
    "PyPI",
    "fastapi",
    [{"introduced": "0"}, {"fixed": "0.109.1"}],
    vector="CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H",
    versions=["0.104.1"],
)
# jinja2: xmlattr XSS, CVE-2024-22195; fixed in 3.1.3, 5.4.
JINJA2 = record(
    "GHSA-h5c8-rqwp-cp95",
    ["CVE-2024-22195"],
    "PyPI",
    "jinja2",
    [{"introduced": "0"}, {"fixed": "3.1.3"}],
    vector="CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:U/C:L/I:L/A:N",
    versions=["3.1.2"],
)
# lodash: command injection in template, CVE-2021-23337; fixed in 4.17.21, 7.2.
LODASH = record(
    "GHSA-35jh-r3h4-6jhm",
    ["CVE-2021-23337"],
    "npm",
    "lodash",
    [{"introduced": "0"}, {"fixed": "4.17.21"}],
    vector="CVSS:3.1/AV:N/AC:L/PR:H/UI:N/S:U/C:H/I:H/A:H",
    versions=["4.17.3", "4.17.20"],
)
# ip: isPublic SSRF, CVE-2024-29415; no fix, last_affected 2.0.1, 8.1.
IP = record(
    "GHSA-2p57-rm9w-gvfp",
    ["CVE-2024-29415"],
    "npm",
    "ip",
    [{"introduced": "0"}, {"last_affected": "2.0.1"}],
    vector="CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:H/I:H/A:H",
    versions=["2.0.1", "1.1.8"],
)
# A withdrawn record (withdrawn advisories must never be reported).
WITHDRAWN = record(
    "GHSA-xxxx-withdrawn-0001",
    [],
    "PyPI",
    "requests",
    [{"introduced": "0"}],
    word="HIGH",
    withdrawn="2024-02-01T00:00:00Z",
    versions=["2.30.0"],
)

RECORDS = [REQUESTS_PYSEC, REQUESTS_GHSA, FASTAPI, JINJA2, LODASH, IP, WITHDRAWN]
