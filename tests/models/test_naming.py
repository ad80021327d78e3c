"""Model version strings of seed 4.1.1 (``{MODEL_NAME}-v{MAJOR}.{MINOR}.{PATCH}...``)."""

from __future__ import annotations

import dataclasses
import pickle

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from polaris.core.errors import InvalidVersion, Location
from polaris.core.semver import Version
from polaris.models.naming import ModelVersionName

VALID = [
    # text, name, version, stage, metadata
    ("rag-search-v1.2.0", "rag-search", "1.2.0", None, None),
    ("rag-search-v1.3.0-candidate", "rag-search", "1.3.0-candidate", "candidate", None),
    ("rag-search-v1.2.1-experimental", "rag-search", "1.2.1-experimental", "experimental", None),
    (
        "rag-search-v1.2.0+training.20250901",
        "rag-search",
        "1.2.0+training.20250901",
        None,
        "training.20250901",
    ),
    (
        "rag-search-v1.3.0-candidate+training.20250901",
        "rag-search",
        "1.3.0-candidate+training.20250901",
        "candidate",
        "training.20250901",
    ),
    ("classification-v1.2.1", "classification", "1.2.1", None, None),
    ("ner-v1.1.0-rc.2", "ner", "1.1.0-rc.2", "rc.2", None),
    ("x-v0.0.0", "x", "0.0.0", None, None),
    ("7-v10.20.30", "7", "10.20.30", None, None),
    # Names may hold '-v<digits>' themselves: the version starts at the first '-v<digits>.'.
    ("bert-v2-ner-v1.0.0", "bert-v2-ner", "1.0.0", None, None),
    ("gpt-v3-v2.0.0-candidate", "gpt-v3", "2.0.0-candidate", "candidate", None),
    ("model-v-v1.0.0", "model-v", "1.0.0", None, None),
    # ... and a stage or metadata may too, without confusing the split.
    ("rag-v1.0.0-exp-v2.1", "rag", "1.0.0-exp-v2.1", "exp-v2.1", None),
    ("rag-v1.0.0+data-v1.2", "rag", "1.0.0+data-v1.2", None, "data-v1.2"),
    ("rag-v1.0.0+Run.A7", "rag", "1.0.0+Run.A7", None, "Run.A7"),  # metadata may be any case
]

INVALID = [
    # text, message, hint or None
    (
        "rag-search",
        "'rag-search': no '-v<MAJOR>.<MINOR>.<PATCH>' after the model name",
        "expected {MODEL_NAME}-v{MAJOR}.{MINOR}.{PATCH}[-{STAGE}][+{METADATA}], "
        "e.g. rag-search-v1.3.0-candidate+training.20250901",
    ),
    (
        "rag-search-1.2.0",
        "'rag-search-1.2.0': no '-v<MAJOR>.<MINOR>.<PATCH>' after the model name",
        ...,
    ),
    (
        "rag-search-V1.2.0",
        "'rag-search-V1.2.0': no '-v<MAJOR>.<MINOR>.<PATCH>' after the model name",
        ...,
    ),
    (
        "rag-searchv1.2.0",
        "'rag-searchv1.2.0': no '-v<MAJOR>.<MINOR>.<PATCH>' after the model name",
        ...,
    ),
    ("v1.2.0", "'v1.2.0': no '-v<MAJOR>.<MINOR>.<PATCH>' after the model name", ...),
    ("rag-v1", "'rag-v1': no '-v<MAJOR>.<MINOR>.<PATCH>' after the model name", ...),
    ("rag+x-v1.0.0", "'rag+x-v1.0.0': no '-v<MAJOR>.<MINOR>.<PATCH>' after the model name", ...),
    ("", "'': no '-v<MAJOR>.<MINOR>.<PATCH>' after the model name", ...),
    (
        "-v1.2.0",
        "'-v1.2.0': model name is missing before '-v'",
        "model names are lowercase letters, digits and inner '.', '_', '-', e.g. rag-search",
    ),
    ("RAG-search-v1.2.0", "'RAG-search-v1.2.0': model name 'RAG-search' must be lowercase", ...),
    ("Rag_X-v1.2.0", "'Rag_X-v1.2.0': model name 'Rag_X' must be lowercase", ...),
    (
        "rag--v1.2.0",
        "'rag--v1.2.0': model name 'rag-' must start and end with a letter or digit",
        ...,
    ),
    (
        "-rag-v1.2.0",
        "'-rag-v1.2.0': model name '-rag' must start and end with a letter or digit",
        ...,
    ),
    (
        "rag search-v1.2.0",
        "'rag search-v1.2.0': model name 'rag search' has ' '; only a-z, 0-9, '.', '_' and '-' are"
        " allowed",
        ...,
    ),
    (
        "ragé-v1.2.0",
        "'ragé-v1.2.0': model name 'ragé' has 'é'; only a-z, 0-9, '.', '_' and '-' are allowed",
        ...,
    ),
    (
        "rag-v1.02.0",
        "'rag-v1.02.0': version '1.02.0': numeric identifier '02' has a leading zero",
        "expected {MODEL_NAME}-v{MAJOR}.{MINOR}.{PATCH}[-{STAGE}][+{METADATA}], "
        "e.g. rag-search-v1.3.0-candidate+training.20250901",
    ),
    ("rag-v1.2", "'rag-v1.2': version '1.2': patch is missing (expected MAJOR.MINOR.PATCH)", ...),
    ("rag-v1.2.0-", "'rag-v1.2.0-': version '1.2.0-': empty prerelease after '-'", ...),
    ("rag-v1.2.0+", "'rag-v1.2.0+': version '1.2.0+': empty build metadata after '+'", ...),
    (
        "rag-v1.2.0+a+b",
        "'rag-v1.2.0+a+b': version '1.2.0+a+b': "
        "'+' may appear only once, before the build metadata",
        ...,
    ),
    (
        "rag-v1.2.0-cand_idate",
        "'rag-v1.2.0-cand_idate': version '1.2.0-cand_idate': "
        "prerelease identifier 'cand_idate' has characters outside [0-9A-Za-z-]",
        ...,
    ),
    ("rag-v1.2.0 ", "'rag-v1.2.0 ': version '1.2.0 ': leading or trailing whitespace", ...),
    ("rag-v1.2.0-Candidate", "'rag-v1.2.0-Candidate': stage 'Candidate' must be lowercase", None),
    ("rag-v1.2.0-rc.RC", "'rag-v1.2.0-rc.RC': stage 'rc.RC' must be lowercase", None),
]


class TestParse:
    """ModelVersionName.parse and str() on the seed's examples and their near misses."""

    @pytest.mark.parametrize(("text", "name", "version", "stage", "metadata"), VALID)
    def test_parse(
        self, text: str, name: str, version: str, stage: str | None, metadata: str | None
    ) -> None:
        """Name, version, stage and metadata are read as written, and str() gives the text back."""
        m = ModelVersionName.parse(text)
        assert m.name == name
        assert isinstance(m.version, Version)
        assert str(m.version) == version
        assert m.stage == stage
        assert m.metadata == metadata
        assert str(m) == text
        assert ModelVersionName.is_valid(text)

    @pytest.mark.parametrize(("text", "message", "hint"), INVALID)
    def test_invalid(self, text: str, message: str, hint: object) -> None:
        """Each refusal names the string and the first thing wrong with it."""
        with pytest.raises(InvalidVersion) as info:
            ModelVersionName.parse(text)
        assert info.value.message == message
        if hint is None:
            assert info.value.hint is None
        elif isinstance(hint, str):
            assert info.value.hint == hint
        assert not ModelVersionName.is_valid(text)

    def test_location_is_reported(self) -> None:
        """A caller's file/line/field appear in the one-line error."""
        where = Location(file="models.toml", line=3, field="models.rag.version")
        with pytest.raises(InvalidVersion) as info:
            ModelVersionName.parse("rag-v1.02.0", location=where)
        assert info.value.location == where
        assert str(info.value).startswith(
            "models.toml:3: models.rag.version: 'rag-v1.02.0': version '1.02.0': "
            "numeric identifier '02' has a leading zero"
        )

    def test_non_string(self) -> None:
        """parse() is typed to str."""
        with pytest.raises(TypeError, match="takes a str"):
            ModelVersionName.parse(b"rag-v1.0.0")  # type: ignore[arg-type]
        assert not ModelVersionName.is_valid(None)  # type: ignore[arg-type]


class TestValue:
    """The frozen value: construction, ordering, equality, hashing, pickling."""

    def test_of(self) -> None:
        """of() builds from parts; stage and metadata replace the version's own."""
        m = ModelVersionName.of(
            "rag-search", "1.3.0", stage="candidate", metadata="training.20250901"
        )
        assert str(m) == "rag-search-v1.3.0-candidate+training.20250901"
        assert m == ModelVersionName.parse("rag-search-v1.3.0-candidate+training.20250901")
        assert (
            str(ModelVersionName.of("ner", Version.parse("1.1.0-rc.1"), stage="")) == "ner-v1.1.0"
        )
        assert str(ModelVersionName.of("ner", "1.1.0-rc.1+x", metadata="")) == "ner-v1.1.0-rc.1"
        assert str(ModelVersionName.of("ner", "1.1.0")) == "ner-v1.1.0"

    def test_constructor_validates(self) -> None:
        """Direct construction checks the name, the type of version and the stage."""
        with pytest.raises(InvalidVersion, match="model name 'Rag' must be lowercase"):
            ModelVersionName("Rag", Version.parse("1.0.0"))
        with pytest.raises(InvalidVersion, match="model name is missing"):
            ModelVersionName("", Version.parse("1.0.0"))
        with pytest.raises(InvalidVersion, match="model name must be a str, not int"):
            ModelVersionName(7, Version.parse("1.0.0"))  # type: ignore[arg-type]
        with pytest.raises(TypeError, match="version must be a Version, not str"):
            ModelVersionName("rag", "1.0.0")  # type: ignore[arg-type]
        with pytest.raises(InvalidVersion, match="stage 'RC' must be lowercase"):
            ModelVersionName.of("rag", "1.0.0", stage="RC")
        with pytest.raises(InvalidVersion, match="leading zero"):
            ModelVersionName.of("rag", "1.0.0", stage="rc.01")

    def test_frozen(self) -> None:
        """Fields cannot be reassigned."""
        m = ModelVersionName.parse("rag-v1.0.0")
        with pytest.raises(dataclasses.FrozenInstanceError):
            m.name = "other"  # type: ignore[misc]

    def test_ordering_by_name_then_precedence(self) -> None:
        """Sorted by name, then SemVer precedence: a candidate comes before its release."""
        texts = [
            "rag-search-v1.3.0",
            "ner-v1.1.0",
            "rag-search-v1.3.0-candidate",
            "rag-search-v1.2.1-experimental",
            "rag-search-v1.2.0+training.20250901",
            "rag-search-v1.10.0",
        ]
        ordered = sorted(ModelVersionName.parse(t) for t in texts)
        assert [str(m) for m in ordered] == [
            "ner-v1.1.0",
            "rag-search-v1.2.0+training.20250901",
            "rag-search-v1.2.1-experimental",
            "rag-search-v1.3.0-candidate",
            "rag-search-v1.3.0",
            "rag-search-v1.10.0",
        ]

    def test_metadata_ignored_for_equality_and_hash(self) -> None:
        """Like SemVer build metadata, the metadata does not make a different model version."""
        a = ModelVersionName.parse("rag-search-v1.2.0")
        b = ModelVersionName.parse("rag-search-v1.2.0+training.20250901")
        assert a == b
        assert hash(a) == hash(b)
        assert str(a) != str(b)
        assert a != ModelVersionName.parse("rag-search-v1.2.0-candidate")
        assert a != ModelVersionName.parse("rag-v1.2.0")

    @pytest.mark.parametrize("protocol", range(pickle.HIGHEST_PROTOCOL + 1))
    def test_pickle(self, protocol: int) -> None:
        """Pickling keeps every part."""
        m = ModelVersionName.parse("rag-search-v1.3.0-candidate+training.20250901")
        back = pickle.loads(pickle.dumps(m, protocol=protocol))  # noqa: S301 - our own data
        assert str(back) == str(m)
        assert back.stage == "candidate"
        assert back.version.is_prerelease


names = st.from_regex(r"[a-z0-9]([a-z0-9-]{0,12}[a-z0-9])?", fullmatch=True)
stages = st.lists(
    st.one_of(
        st.integers(0, 99).map(str),
        st.from_regex(r"[a-z-]*[a-z-][a-z0-9-]{0,6}", fullmatch=True).filter(bool),
    ),
    max_size=3,
)
metadata = st.lists(st.from_regex(r"[0-9A-Za-z-]{1,8}", fullmatch=True), max_size=3)


@settings(max_examples=200, deadline=None, database=None)
@given(names, st.integers(0, 30), st.integers(0, 30), st.integers(0, 30), stages, metadata)
def test_round_trip_property(
    name: str, major: int, minor: int, patch: int, stage: list[str], meta: list[str]
) -> None:
    """Any well-formed model version string parses into its parts and prints back unchanged."""
    version = Version(major, minor, patch, stage, meta)
    text = f"{name}-v{version}"
    m = ModelVersionName.parse(text)
    assert str(m) == text
    assert m.name == name
    assert str(m.version) == str(version)
    assert m.stage == (".".join(stage) or None)
    assert m.metadata == (".".join(meta) or None)
