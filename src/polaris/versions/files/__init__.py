"""Version files: one module per format, all behind :class:`VersionFormat`.

>>> from polaris.core.project import FileSpec
>>> fmt = format_for(FileSpec("infrastructure/helm/Chart.yaml", "yaml", key="appVersion"))
>>> fmt.replace('appVersion: "2.1.0"  # app\\n', "2.2.0")
'appVersion: "2.2.0"  # app\\n'

Formats are pure text transforms; :mod:`polaris.atomic` reads files keeping their newlines and
writes a set of files all-or-nothing.
"""

from __future__ import annotations

from typing import Final

from polaris.atomic import read_text, write_all
from polaris.core.errors import Location, VersionFileError
from polaris.core.project import FILE_FORMATS, FileFormat, FileSpec
from polaris.versions.files.dockerfile import DockerfileLabels
from polaris.versions.files.image import ImageReferences
from polaris.versions.files.interface import Found, VersionFormat
from polaris.versions.files.json_file import JsonVersionFile
from polaris.versions.files.pattern import PatternVersionFile
from polaris.versions.files.plain import PlainVersionFile
from polaris.versions.files.python_file import PythonVersionFile
from polaris.versions.files.toml_file import TomlVersionFile
from polaris.versions.files.version_file import KeyValueVersionFile
from polaris.versions.files.yaml_file import YamlVersionFile

__all__ = [
    "FORMATS",
    "DockerfileLabels",
    "Found",
    "ImageReferences",
    "JsonVersionFile",
    "KeyValueVersionFile",
    "PatternVersionFile",
    "PlainVersionFile",
    "PythonVersionFile",
    "TomlVersionFile",
    "VersionFormat",
    "YamlVersionFile",
    "format_for",
    "read_text",
    "write_all",
]

#: The implementation of each ``format`` value of a file spec.
FORMATS: Final[dict[FileFormat, type[VersionFormat]]] = {
    "version-file": KeyValueVersionFile,
    "plain": PlainVersionFile,
    "toml": TomlVersionFile,
    "python": PythonVersionFile,
    "yaml": YamlVersionFile,
    "json": JsonVersionFile,
    "image": ImageReferences,
    "pattern": PatternVersionFile,
    "dockerfile": DockerfileLabels,
}


def format_for(spec: FileSpec) -> VersionFormat:
    """The format object that reads and rewrites ``spec``.

    :raises VersionFileError: ``spec.format`` is not a known format.
    """
    try:
        cls = FORMATS[spec.format]
    except KeyError:
        raise VersionFileError(
            f"unknown format {spec.format!r}; expected one of {', '.join(FILE_FORMATS)}",
            location=Location(file=spec.path, field="format"),
        ) from None
    return cls(spec)
