"""Deployers: the plug-in point where a company's deployment system joins Polaris."""

from polaris.deployments.deployers.interface import (
    DeployContext,
    Deployer,
    DeployerError,
    load_deployer,
)

__all__ = ["DeployContext", "Deployer", "DeployerError", "load_deployer"]
