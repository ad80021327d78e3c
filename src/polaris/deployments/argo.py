"""``polaris deploy --render argo``: an Argo Rollouts manifest from an environment's thresholds.

Pure: the environment and the release in, YAML text out. Blue-green renders the document's
section 10.1.2 (preview service, pre- and post-promotion analysis, ``scaleDownDelaySeconds``);
recreate renders a one-step canary with the same analysis in the background. The analysis
templates query Prometheus with the environment's thresholds as ``successCondition`` and the
analysis interval and failure limit as Argo's ``interval`` and ``failureLimit``.
"""

from __future__ import annotations

from collections.abc import Mapping
from string import Template
from typing import Any

import yaml

from polaris.deployments.config import Environment
from polaris.deployments.health import DEFAULT_QUERIES

__all__ = ["render_argo"]


def _template(name: str, query: str, condition: str, env: Environment, prom: str) -> dict[str, Any]:
    q = Template(query).safe_substitute(
        env=env.name, version="{{args.version}}", window=f"{max(int(env.interval) * 3, 30)}s"
    )
    return {
        "apiVersion": "argoproj.io/v1alpha1",
        "kind": "AnalysisTemplate",
        "metadata": {"name": name},
        "spec": {
            "args": [{"name": "version"}],
            "metrics": [
                {
                    "name": name,
                    "interval": f"{int(env.interval)}s",
                    "count": max(1, int(env.watch_window // env.interval)),
                    "failureLimit": max(0, env.thresholds.failure_limit - 1),
                    "inconclusiveLimit": 3,
                    "successCondition": condition,
                    "provider": {"prometheus": {"address": prom, "query": q}},
                }
            ],
        },
    }


def render_argo(
    env: Environment, release: str, versions: Mapping[str, str], *, app: str = "aiops-api"
) -> str:
    """The Rollout and its AnalysisTemplates for ``release`` in ``env``, as multi-document YAML."""
    t = env.thresholds
    prom = (
        next(
            (str(h.options.get("url", "")) for h in env.health if h.type == "prometheus"),
            "http://prometheus.monitoring:9090",
        )
        or "http://prometheus.monitoring:9090"
    )
    stat = t.latency_stat
    templates = [
        _template(
            f"{app}-error-rate",
            DEFAULT_QUERIES["error_rate"],
            f"len(result) == 0 || result[0] <= {t.error_rate}",
            env,
            prom,
        ),
        _template(
            f"{app}-latency",
            DEFAULT_QUERIES[f"latency_{stat}"],
            f"len(result) == 0 || isNaN(result[0]) || result[0] <= {t.latency_ms:g}",
            env,
            prom,
        ),
    ]
    version = versions.get("api", release)
    analysis = {
        "templates": [{"templateName": x["metadata"]["name"]} for x in templates],
        "args": [{"name": "version", "value": version}],
    }
    if env.strategy == "blue-green":
        strategy: dict[str, Any] = {
            "blueGreen": {
                "activeService": f"{app}-active",
                "previewService": f"{app}-preview",
                "autoPromotionEnabled": True,
                "prePromotionAnalysis": analysis,
                "postPromotionAnalysis": analysis,
                "scaleDownDelaySeconds": int(env.scale_down_delay),
            }
        }
    else:
        strategy = {"canary": {"steps": [{"setWeight": 100}], "analysis": analysis}}
    rollout = {
        "apiVersion": "argoproj.io/v1alpha1",
        "kind": "Rollout",
        "metadata": {
            "name": app,
            "labels": {"polaris/environment": env.name, "polaris/release": release},
        },
        "spec": {
            "replicas": 2,
            "revisionHistoryLimit": 3,
            "selector": {"matchLabels": {"app": app}},
            "template": {
                "metadata": {"labels": {"app": app, "version": version}},
                "spec": {
                    "containers": [
                        {
                            "name": "api",
                            "image": f"aiops/api:{version}",
                            "ports": [{"containerPort": 8000}],
                            "readinessProbe": {"httpGet": {"path": "/ready", "port": 8000}},
                            "livenessProbe": {
                                "httpGet": {"path": "/health", "port": 8000},
                                "failureThreshold": t.health_failures,
                            },
                        }
                    ]
                },
            },
            "strategy": strategy,
        },
    }
    return yaml.safe_dump_all([rollout, *templates], sort_keys=False)
