"""``polaris images``: tags and labels for a build, registry listing, retention, promotion, pins."""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.markup import escape

from polaris.cli._lazy import lazy_import
from polaris.cli._options import DryRunOption, JsonOption, ProjectOption
from polaris.cli._render import console, emit, print_json, table
from polaris.core.errors import InvalidInput

if TYPE_CHECKING:
    from polaris.images import policy as policy_mod
    from polaris.images import registry as registry_mod
    from polaris.images import service
else:
    service = lazy_import("polaris.images.service")
    registry_mod = lazy_import("polaris.images.registry")
    policy_mod = lazy_import("polaris.images.policy")

__all__ = ["app"]

app = typer.Typer(
    help="Container images: tags, retention and promotion on an OCI registry (seed 9.2).",
    no_args_is_help=True,
)

ImageArg = Annotated[
    str,
    typer.Argument(
        help="HOST[:PORT]/REPOSITORY (the registry may come from --registry or POLARIS_REGISTRY)."
    ),
]
RegistryOption = Annotated[
    str | None,
    typer.Option(
        "--registry",
        help="Registry host[:port] for references without one.",
        envvar="POLARIS_REGISTRY",
        show_default=False,
    ),
]
PolicyOption = Annotated[
    Path | None, typer.Option("--policy", help="Registry policy (default: docker-registry.yml).")
]


def _root(project: Path | None) -> Path:
    if project is None:
        return Path.cwd()
    return project.parent if project.is_file() else project


def _open(ref: registry_mod.ImageRef) -> registry_mod.DistributionRegistry:
    return registry_mod.DistributionRegistry(ref.base_url)


def _current_version(root: Path, component: str | None) -> str:
    """The component's current version from the project's version files (the platform's for a
    component that follows it, and without a component)."""
    from polaris.cli._project import open_project
    from polaris.versions import service as versions_service

    project = open_project(root)
    follows = any(c.name == component and c.follows_platform for c in project.components)
    return str(versions_service.current_version(project, None if follows else component))


@app.command("tags")
def tags(
    image: Annotated[
        str | None,
        typer.Option(
            "--image", help="Image name (default: docker-registry.yml primary[/component])."
        ),
    ] = None,
    component: Annotated[str | None, typer.Option("--component", "-c", help="Component.")] = None,
    version: Annotated[
        str | None, typer.Option("--version", help="Default: the current one.")
    ] = None,
    branch: Annotated[str | None, typer.Option("--branch", help="Default: git's branch.")] = None,
    commit: Annotated[str | None, typer.Option("--commit", help="Default: git's HEAD.")] = None,
    release: Annotated[
        bool | None,
        typer.Option("--release/--no-release", help="Default: HEAD carries the version's tag."),
    ] = None,
    prefix: Annotated[
        list[str] | None, typer.Option("--prefix", help="Version tag prefixes (default v and '').")
    ] = None,
    fmt: Annotated[str, typer.Option("--format", help="text, json, build-arg or label.")] = "text",
    project: ProjectOption = None,
    as_json: JsonOption = False,
) -> None:
    """The tags and OCI labels of the current build, for CI (like docker/metadata-action)."""
    root = _root(project)
    pol = policy_mod.load_registry_policy(root)
    name = image or (pol.primary and (f"{pol.primary}/{component}" if component else pol.primary))
    if not name:
        raise InvalidInput("no image name", hint="pass --image or set image_registry.primary")
    env_branch = (
        os.environ.get("GITHUB_REF_NAME") if os.environ.get("GITHUB_REF_TYPE") == "branch" else None
    )
    result = service.build_tags(
        root=root,
        image=name,
        version=version or _current_version(root, component),
        now=datetime.now(UTC).replace(microsecond=0),
        branch=branch or env_branch,
        commit=commit,
        release=release,
        title=component,
        prefixes=tuple(prefix) if prefix else ("v", ""),
    )
    if as_json or fmt == "json":
        print_json(
            {
                "image": result.image,
                "tags": result.tags,
                "refs": result.refs,
                "labels": result.labels,
                "build_args": result.build_args,
            }
        )
    elif fmt == "build-arg":
        typer.echo(" ".join(f"--build-arg {k}={v}" for k, v in result.build_args.items()))
    elif fmt == "label":
        typer.echo(" ".join(f"--label {k}={v}" for k, v in result.labels.items()))
    elif fmt == "text":
        typer.echo("\n".join(result.refs))
    else:
        raise InvalidInput(f"--format must be text, json, build-arg or label, got {fmt!r}")


@app.command("list")
def list_(image: ImageArg, registry: RegistryOption = None, as_json: JsonOption = False) -> None:
    """Tags of a repository with their digests and creation times (from the image config)."""
    ref = registry_mod.parse_ref(image, default_registry=registry)
    reg = _open(ref)
    try:
        records = service.list_tags(reg, ref.repository)
    finally:
        reg.close()

    def human(out: Console) -> None:
        out.print(
            table(
                f"{escape(str(ref))}",
                ["tag", "digest", "created"],
                ((escape(r.tag), r.digest[:19], r.created or "?") for r in records),
            )
        )

    emit({"image": str(ref), "tags": records}, as_json=as_json, human=human)


@app.command("retention")
def retention(
    image: ImageArg,
    apply: Annotated[bool, typer.Option("--apply", help="Delete what the plan deletes.")] = False,
    plan: Annotated[bool, typer.Option("--plan", help="Only show the plan (the default).")] = False,
    protect: Annotated[list[str] | None, typer.Option("--protect", help="Digest to keep.")] = None,
    registry: RegistryOption = None,
    policy: PolicyOption = None,
    project: ProjectOption = None,
    dry_run: DryRunOption = False,
    as_json: JsonOption = False,
) -> None:
    """Apply the retention policy by digest: production kept forever, development 30 days,
    feature branches 7 days; never a digest that a file pins or --protect names."""
    if apply and plan:
        raise InvalidInput("--plan and --apply exclude each other")
    root = _root(project)
    pol = policy_mod.load_registry_policy(root, policy)
    ref = registry_mod.parse_ref(image, default_registry=registry)
    protected = service.protected_digests(root if project is not None else None, protect or ())
    reg = _open(ref)
    try:
        the_plan, read = service.retention_plan(
            reg, ref.repository, now=datetime.now(UTC), policy=pol, protected=protected
        )
        deleted = []
        if apply and not dry_run:
            deleted = service.apply_retention(reg, ref.repository, the_plan, protected)
    finally:
        reg.close()
    data = {
        "image": str(ref),
        "tags_read": read,
        "applied": bool(deleted) or (apply and not dry_run),
        "delete": the_plan.delete,
        "keep": the_plan.keep,
    }

    def human(out: Console) -> None:
        verb = "deleted" if apply and not dry_run else "would delete"
        out.print(
            table(
                f"{escape(str(ref))}: {verb}",
                ["digest", "tags", "created", "reason"],
                (
                    (d.digest[:19], escape(", ".join(d.tags)), d.created or "?", escape(d.reason))
                    for d in the_plan.delete
                ),
            )
        )
        out.print(
            f"{read} tags read; {verb} {len(the_plan.delete)} digests "
            f"({the_plan.tags_deleted} tags); kept {len(the_plan.keep)}"
        )

    emit(data, as_json=as_json, human=human)


@app.command("promote")
def promote(
    source: Annotated[str, typer.Argument(help="HOST/REPOSITORY:TAG (or @DIGEST) to promote.")],
    target_tag: Annotated[str, typer.Argument(help="The new tag (same repository).")],
    environment: Annotated[
        str | None, typer.Option("--environment", "-e", help="development, staging or production.")
    ] = None,
    approved_by: Annotated[
        str | None, typer.Option("--approved-by", help="Who approved (production).")
    ] = None,
    registry: RegistryOption = None,
    project: ProjectOption = None,
    dry_run: DryRunOption = False,
    as_json: JsonOption = False,
) -> None:
    """Tag an image anew by copying its manifest: same digest, no rebuild."""
    pol = policy_mod.load_registry_policy(_root(project))
    ref = registry_mod.parse_ref(source, default_registry=registry)
    reg = _open(ref)
    try:
        result = service.promote(
            reg,
            ref,
            target_tag,
            policy=pol,
            environment=environment,
            approved_by=approved_by,
            dry_run=dry_run,
        )
    finally:
        reg.close()
    verb = "would promote" if dry_run else "promoted"
    emit(
        result,
        as_json=as_json,
        human=lambda out: out.print(
            f"{verb} {escape(result.source)} -> {escape(result.target)} ({result.digest})"
        ),
    )


@app.command("pin")
def pin(
    image: Annotated[str, typer.Argument(help="HOST/REPOSITORY:TAG to pin by its digest.")],
    files: Annotated[list[Path], typer.Argument(help="Files that reference the image.")],
    registry: RegistryOption = None,
    project: ProjectOption = None,
    dry_run: DryRunOption = False,
    as_json: JsonOption = False,
) -> None:
    """Rewrite ``repo:tag`` as ``repo:tag@sha256:...`` in k8s/compose files (all or none)."""
    ref = registry_mod.parse_ref(image, default_registry=registry)
    reg = _open(ref)
    try:
        digest = reg.manifest(ref.repository, ref.reference).digest
    finally:
        reg.close()
    plan = service.plan_pin(_root(project), files, ref, digest)
    written = [] if dry_run else plan.apply()
    data = {
        "image": str(ref),
        "digest": digest,
        "references": plan.counts,
        "written": written,
        "dry_run": dry_run,
        "diff": plan.diff,
    }
    if as_json:
        print_json(data)
        return
    if dry_run:
        console.out(plan.diff, highlight=False)
    console.print(
        f"{'would pin' if dry_run else 'pinned'} {escape(str(ref))} to {digest} in "
        + escape(", ".join(f"{k} ({v})" for k, v in plan.counts.items()))
    )
