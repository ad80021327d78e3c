"""Builders for small platform repositories on disk, used by service and CLI tests."""

from __future__ import annotations

from pathlib import Path

POLARIS_TOML = """\
[platform]
name = "demo"
version_source = { path = "VERSION", format = "version-file" }
files = [{ path = "helm/Chart.yaml", format = "yaml", key = "appVersion" }]

[components.api]
kind = "service"
group = "Application Services"
description = "API Service"
follows_platform = true
files = [
  { path = "src/api/__init__.py", format = "python" },
  { path = "docker-compose.yml", format = "image", image = "aiops/api" },
]

[components.web]
kind = "service"
group = "Application Services"
description = "Web UI"
files = [
  { path = "web/package.json", format = "json" },
  { path = "docker-compose.yml", format = "image", image = "aiops/web" },
]

[components.ner]
kind = "model"
group = "AI/ML Models"
description = "NER Model"
files = [{ path = "models/ner/VERSION", format = "plain" }]

[components.terraform]
kind = "infra"
group = "Infrastructure"
files = [{ path = "infra/main.tf", format = "pattern", pattern = 'version = "{version}"' }]
"""

FILES = {
    "VERSION": "MAJOR_VERSION=2\nMINOR_VERSION=1\nPATCH_VERSION=0\nPRERELEASE=\nBUILD_METADATA=\n",
    "helm/Chart.yaml": (
        "apiVersion: v2\n# the platform chart\nname: aiops\nversion: 0.4.0\n"
        'appVersion: "2.1.0"  # kept in sync by polaris\n'
    ),
    "src/api/__init__.py": '"""API service."""\n\n__version__ = "2.1.0"\n',
    "docker-compose.yml": (
        "services:\n"
        "  api:\n    image: aiops/api:2.1.0   # ours\n"
        "  web:\n    image: aiops/web:1.4.2\n"
        "  gateway:\n    image: aiops/api-gateway:2.1.0\n"
        "  db:\n    image: mysql:8.0\n"
    ),
    "web/package.json": '{\n  "name": "web",\n  "version": "1.4.2",\n  "private": true\n}\n',
    "models/ner/VERSION": "1.1.0\n",
    "infra/main.tf": 'module "net" {\n  source  = "aiops/net"\n  version = "1.4.0"\n}\n',
}


def make_platform(root: Path, files: dict[str, str] | None = None) -> Path:
    """Write the demo platform under ``root`` and return ``root``."""
    (root / "polaris.toml").write_text(POLARIS_TOML)
    for rel, text in (files or FILES).items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(text.encode())
    return root


def snapshot(root: Path) -> dict[str, bytes]:
    """Every file under ``root`` with its bytes."""
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }
