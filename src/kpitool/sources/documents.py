"""Plan and actuals documents: a YAML file validated into the model, kept lazily, cached.

:func:`load_document` reads one file within :data:`~kpitool.sources.safe_read.MAX_FILE_BYTES`,
parses it strictly (:mod:`kpitool.sources.yaml_strict`) and validates it into a
:class:`~kpitool.model.plan.Plan` or :class:`~kpitool.model.actuals.ActualsFile`, every
problem located at file:line:column. With a cache, a file whose bytes were validated before
is taken from it, still pickled, and unpickled only when used; a loaded file keeps its
bytes, not its YAML values, and is parsed again only when a problem needs a line.
"""

from __future__ import annotations

import pickle
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from pydantic import BaseModel, ValidationError

from kpitool.model.actuals import ActualsFile
from kpitool.model.actuals_built import built_actuals_file
from kpitool.model.plan import Plan, PlanPeriod
from kpitool.problems import DataError, Problem
from kpitool.sources.safe_read import MAX_FILE_MIB, FileRefused, Refusal, read_bounded
from kpitool.sources.yaml_fast import FALLBACK, fast_values
from kpitool.sources.yaml_strict import Document, SourceMap, parse_yaml_bytes
from kpitool.support.memory import paused_gc

if TYPE_CHECKING:
    from kpitool.support.cache import Cache

__all__ = [
    "ActualsDocument",
    "CachedModel",
    "OpenedFile",
    "PlanDocument",
    "finish_document",
    "is_actuals",
    "load_document",
    "open_file",
    "read_document",
    "validate_document",
]


@dataclass(frozen=True)
class CachedModel:
    """A validated file as the cache keeps it: what a run needs to know first, and the pickled model.

    The model is unpickled only when it is used: a warm ``evaluate`` whose
    evaluations are cached too never needs the 870,000 actuals of the nation.
    """

    is_actuals: bool
    plan_id: str
    """The plan's ``id`` (plan file) or ``plan`` (actuals file)."""
    count: int
    """KPIs of a plan, recorded actuals of an actuals file."""
    payload: bytes
    period: PlanPeriod | None = None
    """A plan's 計画期間: which plans a run grades in a year is decided before any is unpickled."""

    @classmethod
    def of(cls, model: Plan | ActualsFile) -> CachedModel:
        """The entry of a validated model."""
        payload = pickle.dumps(model, protocol=pickle.HIGHEST_PROTOCOL)
        if isinstance(model, ActualsFile):
            return cls(True, model.plan, model.count(), payload)
        return cls(False, model.id, model.kpi_count(), payload, model.period)

    def model(self) -> Plan | ActualsFile:
        """The model, unpickled (with the garbage collector paused, as for any bulk load)."""
        with paused_gc():
            model = pickle.loads(self.payload)  # noqa: S301 - our own cache entry, checksummed
        if not isinstance(model, ActualsFile if self.is_actuals else Plan):  # pragma: no cover
            raise TypeError(f"cache entry of {self.plan_id!r} holds a {type(model).__name__}")
        return model


class _ModelDocument:
    """A validated model and where it came from; a model from the cache is unpickled on first use."""

    __slots__ = ("_model", "document")

    def __init__(self, document: Document, model: Plan | ActualsFile | CachedModel) -> None:
        self.document = document
        self._model = model

    def _loaded(self) -> Plan | ActualsFile:
        if isinstance(self._model, CachedModel):
            self._model = self._model.model()
        return self._model

    def _count(self) -> int:
        model = self._model
        if isinstance(model, CachedModel):
            return model.count
        return model.count() if isinstance(model, ActualsFile) else model.kpi_count()


class PlanDocument(_ModelDocument):
    """A validated plan and where it came from."""

    __slots__ = ("id",)

    def __init__(self, document: Document, plan: Plan | CachedModel) -> None:
        super().__init__(document, plan)
        self.id = plan.plan_id if isinstance(plan, CachedModel) else plan.id
        """The plan's id (計画ID)."""

    @property
    def plan(self) -> Plan:
        """The plan."""
        model = self._loaded()
        assert isinstance(model, Plan)
        return model

    def kpi_count(self) -> int:
        """Number of KPIs (without unpickling a cached plan)."""
        return self._count()

    @property
    def period(self) -> PlanPeriod | None:
        """The plan's 計画期間 (without unpickling a cached plan)."""
        model = self._model
        return model.period if isinstance(model, CachedModel | Plan) else None


class ActualsDocument(_ModelDocument):
    """A validated actuals file and where it came from."""

    __slots__ = ("plan_id",)

    def __init__(self, document: Document, actuals: ActualsFile | CachedModel) -> None:
        super().__init__(document, actuals)
        self.plan_id = actuals.plan_id if isinstance(actuals, CachedModel) else actuals.plan
        """The id of the plan these actuals belong to."""

    @property
    def actuals(self) -> ActualsFile:
        """The actuals file."""
        model = self._loaded()
        assert isinstance(model, ActualsFile)
        return model

    def count(self) -> int:
        """Number of recorded actuals (without unpickling a cached file)."""
        return self._count()


def _refusal(name: str, refused: FileRefused) -> DataError:
    """The problem of a file :func:`~kpitool.sources.safe_read.read_bounded` did not read."""
    if refused.reason is Refusal.TOO_LARGE:
        message = (
            f"file is {refused.size / 1048576:.1f} MiB, over the {MAX_FILE_MIB} MiB limit "
            "for a plan data file (plans are well under 1 MiB)"
        )
        return DataError([Problem(name, None, None, "", message, code="size")])
    return DataError([Problem(name, None, None, "", refused.describe(), code="io")])


def _read(path: Path) -> bytes:
    """The file's bytes; :class:`DataError` if it is not a readable regular file within the cap."""
    try:
        return read_bounded(path)
    except FileRefused as refused:
        raise _refusal(str(path), refused) from None


def read_document(path: Path) -> Document:
    """Read and parse one YAML file; raise :class:`DataError` for any problem with it."""
    return parse_yaml_bytes(_read(path), str(path))


ModelT = TypeVar("ModelT", bound=BaseModel)


def _message(error: Any) -> str:
    msg = str(error["msg"])
    for prefix in ("Value error, ", "Assertion failed, "):
        if msg.startswith(prefix):
            msg = msg[len(prefix) :]
    if error["type"] == "extra_forbidden":
        return "unknown field (not in the format; check the spelling)"
    if error["type"] == "missing":
        return "required field is missing"
    return msg


def validate_document(document: Document, model: type[ModelT]) -> ModelT:
    """Validate a document against a model; raise :class:`DataError` with located problems."""
    if not isinstance(document.data, dict):
        kind = "a list" if isinstance(document.data, list) else "a single value"
        problem = document.problem((), f"expected a mapping of fields, got {kind}", code="schema")
        raise DataError([*document.problems, problem])
    problems = list(document.problems)
    try:
        validated = model.model_validate(document.data)
    except ValidationError as exc:
        for error in exc.errors(include_url=False, include_input=False):
            loc = tuple(error["loc"])
            if loc and loc[-1] == "[key]":  # an invalid dict key: point at the key itself
                loc = loc[:-1]
            problems.append(document.problem(loc, _message(error), code="schema"))
    if problems:
        raise DataError(sorted(problems, key=lambda p: (p.line or 0, p.column or 0))) from None
    return validated


def is_actuals(data: Any) -> bool:
    """An actuals file names its plan under ``plan:``; a plan file has an ``id:``."""
    return isinstance(data, dict) and "plan" in data and "id" not in data


class _ParsedOnDemand(Document):
    """A loaded file kept as its bytes: its values and source map are parsed again on first use.

    Once a file is validated, the loader keeps the model, not the YAML values and
    marks it came from: at national scale those take more memory than the models,
    and a file taken from the cache was never parsed at all. A cross-file check that
    reports a problem in the file asks for a line; parsing the same bytes again
    gives the same marks.
    """

    def __init__(self, path: Path, raw: bytes, content_key: str | None = None) -> None:
        # no dataclass __init__: data and source_map are lazy
        self.path = path
        self.content_key = content_key
        self._raw = raw
        self._parsed: Document | None = None

    def _document(self) -> Document:
        if self._parsed is None:
            try:
                self._parsed = parse_yaml_bytes(self._raw, self.name)
            except DataError:  # pragma: no cover - these bytes parsed (or were cached) cleanly before
                self._parsed = Document(self.path, None, SourceMap())
            self._raw = b""
        return self._parsed

    @property
    def data(self) -> Any:
        """The YAML values of the file."""
        return self._document().data

    @data.setter
    def data(self, value: Any) -> None:
        self._document().data = value

    @property
    def source_map(self) -> SourceMap:
        """Where each value was written."""
        return self._document().source_map

    @source_map.setter
    def source_map(self, value: SourceMap) -> None:
        self._document().source_map = value


def _validated(document: Document) -> Plan | ActualsFile:
    if is_actuals(document.data):
        return validate_document(document, ActualsFile)
    return validate_document(document, Plan)


def _validated_fast(values: Any) -> Plan | ActualsFile | None:
    """The model of a clean file from its fast-path values (no source map); None when it has a problem.

    A file the fast path could not build (:data:`~kpitool.sources.yaml_fast.FALLBACK`), or
    whose values do not validate, is read again by the full builder, which locates every
    problem (:mod:`kpitool.sources.yaml_fast`).
    """
    if not isinstance(values, dict):  # FALLBACK, or a file that is not a mapping
        return None
    try:
        if is_actuals(values):  # most actuals are built without pydantic's per-actual work, same models
            built = built_actuals_file(values)
            return built if built is not None else ActualsFile.model_validate(values)
        return Plan.model_validate(values)
    except ValidationError:
        return None


@dataclass(frozen=True)
class OpenedFile:
    """A data file read within its size cap, with its cache key and cache entry (if any)."""

    path: Path
    raw: bytes
    key: str | None
    entry: CachedModel | None
    """The validated model from the cache; None when the file must be parsed."""


def open_file(path: Path, cache: Cache | None) -> OpenedFile:
    """Read one file and look it up in the cache; raise :class:`DataError` if it cannot be read."""
    raw = _read(path)
    key = cache.key(raw) if cache is not None else None
    entry = cache.get(key) if cache is not None and key is not None else None
    return OpenedFile(path, raw, key, entry if isinstance(entry, CachedModel) else None)


def finish_document(
    opened: OpenedFile, cache: Cache | None, values: Any = FALLBACK
) -> tuple[Document, Plan | ActualsFile | CachedModel]:
    """An opened file's document and validated model, from the cache entry or from ``values``.

    ``values`` are what :func:`~kpitool.sources.yaml_fast.fast_values` made of the bytes;
    when the fast path gave up, or they do not validate, the file is parsed by the full
    builder. Raises :class:`DataError` with every problem of the file.
    """
    path, raw, key = opened.path, opened.raw, opened.key
    if opened.entry is not None:
        return _ParsedOnDemand(path, raw, key), opened.entry
    model = _validated_fast(values) or _validated(parse_yaml_bytes(raw, str(path), keep_duplicates=True))
    if cache is not None and key is not None:  # only a file that validated cleanly
        cache.put(key, CachedModel.of(model))
    return _ParsedOnDemand(path, raw, key), model


def load_document(path: Path, cache: Cache | None) -> tuple[Document, Plan | ActualsFile | CachedModel]:
    """One file's document and validated model: from the cache (still pickled) when its bytes are known.

    Raises :class:`DataError` with every problem of the file.
    """
    opened = open_file(path, cache)
    return finish_document(opened, cache, fast_values(opened.raw) if opened.entry is None else FALLBACK)
