"""repnet's exceptions. The CLI turns each into a message and an exit code; no traceback.

    RepnetError                  base; carries a message that says what to do next
    ├── SourceError              a source file cannot be read or breaks the source format
    │     (holds every Problem found, each with file, line, record and fix)
    ├── ValidationFailed         the built RDF breaks a SHACL shape (holds the report)
    ├── StoreError               the store cannot be opened, read or swapped
    ├── QueryError               a SPARQL query cannot be parsed or run
    ├── UnknownName              a name matches no entity, or several (with the candidates)
    └── UsageError               a function or command was called with arguments that cannot work
                                 (exit code 2 in the CLI)

Messages name a function's arguments (``param 'date'``, ``by='court'``); the CLI, which knows its
own flags, says which flag to change.
"""

from __future__ import annotations

from dataclasses import dataclass


class RepnetError(Exception):
    """Base class of every error repnet raises on purpose."""

    exit_code = 1


@dataclass(frozen=True)
class Problem:
    """One thing wrong in a source: where it is, what is wrong, how to fix it."""

    file: str
    line: int | None
    record: str | None
    message: str
    fix: str

    def __str__(self) -> str:
        where = self.file + (f", line {self.line}" if self.line else "")
        rec = f", record {self.record}" if self.record else ""
        return f"{where}{rec}: {self.message}\n    fix: {self.fix}"


@dataclass(frozen=True)
class RowProblem(Problem):
    """One thing wrong in a row of a list being imported (``repnet import list``): ``line`` is the
    row as a spreadsheet numbers it (the header is row 1), with the column and the value."""

    column: str | None = None
    value: str = ""

    def __init__(self, file: str, row: int | None, column: str | None, value: str, message: str, fix: str):
        object.__setattr__(self, "file", file)
        object.__setattr__(self, "line", row)
        object.__setattr__(self, "record", None)
        object.__setattr__(self, "message", message)
        object.__setattr__(self, "fix", fix)
        object.__setattr__(self, "column", column)
        object.__setattr__(self, "value", value)

    def __str__(self) -> str:
        where = self.file + (f", row {self.line}" if self.line else "")
        col = f", column '{self.column}'" if self.column else ""
        shown = self.value if len(self.value) <= 60 else self.value[:57] + "..."
        val = f", value {shown!r}" if self.value else ""
        return f"{where}{col}{val}: {self.message}\n    fix: {self.fix}"


class SourceError(RepnetError):
    """One or more source files break the source format."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        n = len(problems)
        head = f"{n} problem{'s' if n != 1 else ''} in the sources:"
        super().__init__(head + "\n" + "\n".join(str(p) for p in problems))


class ValidationFailed(RepnetError):
    """The RDF built from the sources does not conform to the SHACL shapes."""

    def __init__(self, report: object, text: str):
        self.report = report
        super().__init__(text)


class StoreError(RepnetError):
    """The store cannot be opened, read or replaced."""


class UsageError(RepnetError):
    """The command was called with arguments that cannot work.

    The message names the function argument at fault as the library calls it (``param 'date'``,
    ``format 'csv'``), never a command-line flag; ``argument`` says which argument that is
    ("params", "fmt", ...), so the CLI can name its own option instead (see cli.py).
    """

    exit_code = 2

    def __init__(self, message: str = "", argument: str | None = None):
        super().__init__(message)
        self.argument = argument


class QueryError(RepnetError):
    """A query cannot be parsed or run."""


class UnknownName(RepnetError):
    """A name matches no entity, or several."""
