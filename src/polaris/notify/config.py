"""Where notifications go: ``notifications.yml`` next to the governance files.

::

    webhooks:
      - url: https://hooks.slack.com/services/...
        format: slack            # or json (default)
        secret_env: POLARIS_WEBHOOK_SECRET   # the HMAC key is read from this variable
    email:
      host: smtp.example.com
      port: 587
      from: polaris@example.com
      to: [releases@example.com]
      starttls: true

Secrets are referenced by environment-variable name, never written in the file.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Final

from polaris.core.errors import ConfigError, Location
from polaris.notify.adapters import EmailTarget, Target, WebhookTarget
from polaris.project.yaml_doc import parse_yaml

__all__ = ["NOTIFY_NAME", "load_targets", "parse_targets"]

NOTIFY_NAME: Final = "notifications.yml"


def _hook(doc: Any, i: int, raw: Any) -> WebhookTarget:
    path = f"webhooks.{i}"
    if not isinstance(raw, dict) or not isinstance(raw.get("url"), str):
        raise doc.error(path, "expected a mapping with a url")
    url: str = raw["url"]
    if not url.startswith(("http://", "https://")):
        raise doc.error(f"{path}.url", f"{url!r} is not an http(s) URL")
    fmt = raw.get("format", "json")
    if fmt not in ("json", "slack"):
        raise doc.error(f"{path}.format", f"unknown format {fmt!r}", hint="json or slack")
    secret = raw.get("secret_env")
    if secret is not None and not isinstance(secret, str):
        raise doc.error(f"{path}.secret_env", "expected the name of an environment variable")
    return WebhookTarget(url, fmt, secret)


def parse_targets(text: str, file: str = NOTIFY_NAME) -> list[Target]:
    """The targets a ``notifications.yml`` names."""
    doc = parse_yaml(text, file)
    data = doc.data or {}
    if not isinstance(data, dict):
        raise ConfigError("expected a mapping", location=Location(file=file, line=1))
    targets: list[Target] = []
    hooks = data.get("webhooks") or []
    if not isinstance(hooks, list):
        raise doc.error("webhooks", "expected a list")
    targets.extend(_hook(doc, i, h) for i, h in enumerate(hooks))
    mail = data.get("email")
    if mail is not None:
        if not isinstance(mail, dict):
            raise doc.error("email", "expected a mapping (host, port, from, to)")
        to = mail.get("to") or []
        if not isinstance(to, list) or not to:
            raise doc.error("email.to", "expected a list of addresses")
        port = mail.get("port", 25)
        if not isinstance(port, int):
            raise doc.error("email.port", "expected a port number")
        if not isinstance(mail.get("host"), str) or not isinstance(mail.get("from"), str):
            raise doc.error("email", "expected host and from")
        targets.append(
            EmailTarget(mail["host"], port, mail["from"], tuple(to), bool(mail.get("starttls")))
        )
    return targets


def load_targets(directory: Path | None) -> list[Target]:
    """The targets of ``directory/notifications.yml`` (none when absent)."""
    if directory is None:
        return []
    path = directory / NOTIFY_NAME
    if not path.is_file():
        return []
    return parse_targets(path.read_text(encoding="utf-8"), str(path))
