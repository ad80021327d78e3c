"""Send steady traffic to the example service (what users would do), for demos and tests.

python traffic.py http://127.0.0.1:18080 --rps 20 --seconds 60
"""

from __future__ import annotations

import argparse
import time

import httpx


def run(url: str, rps: float, seconds: float) -> dict[int, int]:
    """GET ``url``/api/incidents ``rps`` times a second for ``seconds``; counts per status."""
    counts: dict[int, int] = {}
    end = time.monotonic() + seconds
    gap = 1.0 / rps
    with httpx.Client(timeout=5) as client:
        while time.monotonic() < end:
            t = time.monotonic()
            try:
                code = client.get(f"{url}/api/incidents").status_code
            except httpx.HTTPError:
                code = 0
            counts[code] = counts.get(code, 0) + 1
            time.sleep(max(0.0, gap - (time.monotonic() - t)))
    return counts


if __name__ == "__main__":
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("url")
    p.add_argument("--rps", type=float, default=20)
    p.add_argument("--seconds", type=float, default=60)
    a = p.parse_args()
    print(run(a.url, a.rps, a.seconds))
