"""Annotation guidelines: what to accept and what to reject, per task type and sample kind.

They live in a YAML file in the project (`docs/guidelines.yaml`) so a team
edits them in its repository, reviews changes to them like code, and every
curator reads the same rules; `--guidelines FILE` (app) or
$ACDP_GUIDELINES points elsewhere. The file is checked when read: a typo
in a key is an error that names the file and the place, not a silently
missing section.
"""

from __future__ import annotations

import os
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, ValidationError

from core.errors import UserError

DEFAULT_PATH = Path(__file__).resolve().parent.parent / "docs" / "guidelines.yaml"
ENV = "ACDP_GUIDELINES"
TASK_TYPES = ("qa", "design")


class Example(BaseModel):
    model_config = ConfigDict(extra="forbid")
    question: str
    answer: str
    why: str


class Section(BaseModel):
    """The rules for one task type (its general section) or one kind of sample."""

    model_config = ConfigDict(extra="forbid")
    title: str
    about: str = ""
    accept: list[str] = []
    reject: list[str] = []
    example_accept: Example | None = None
    example_reject: Example | None = None


class TaskGuidelines(BaseModel):
    model_config = ConfigDict(extra="forbid")
    general: Section
    kinds: dict[str, Section] = {}


class Guidelines(BaseModel):
    model_config = ConfigDict(extra="forbid")
    qa: TaskGuidelines
    design: TaskGuidelines

    def for_sample(self, task_type: str, kind: str | None) -> tuple[Section, Section | None]:
        """The general section of the task type and the section of the sample's kind (None if not written)."""
        task = getattr(self, task_type)
        return task.general, task.kinds.get(kind or "")


def path() -> Path:
    """The file in use: $ACDP_GUIDELINES when set, else the project's docs/guidelines.yaml."""
    return Path(os.environ.get(ENV) or DEFAULT_PATH).expanduser()


def load(file: Path | None = None) -> Guidelines:
    file = file or path()
    try:
        data = yaml.safe_load(file.read_text(encoding="utf-8"))
    except OSError as exc:
        raise UserError(f"cannot read the guidelines file {file}: {exc.strerror or exc}") from None
    except yaml.YAMLError as exc:
        raise UserError(f"the guidelines file {file} is not valid YAML: {exc}") from None
    try:
        return Guidelines.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(map(str, first["loc"]))
        raise UserError(f"the guidelines file {file} has a mistake at {where}: {first['msg']}") from None


def kind_of(task_type: str, source_kind: str | None, rule_kind: str | None, question_kind: str | None) -> str:
    """The guideline kind of a sample: a QA sample's rule kind ("flow" for flow questions),
    a design sample's requirement kind."""
    if task_type == "design":
        return question_kind or ""
    return rule_kind or source_kind or ""
