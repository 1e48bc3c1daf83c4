"""Answers checked against the campaign's questionnaire version and normalised into answer rows.

Every problem is named by its field (`body.answers.2.value`), all of them at once; a response with
any problem stores nothing.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from api.errors import ValidationFailed
from api.models import Question, QuestionType
from api.surveys.schemas import AnswerIn

RANGES = {QuestionType.likert_5: (1, 5), QuestionType.scale_0_10: (0, 10)}
TOP_BOX = {QuestionType.likert_5: 4, QuestionType.scale_0_10: 9}


@dataclass(frozen=True)
class NormalisedAnswer:
    question: Question
    value_num: float | None
    texts: tuple[str, ...]
    top_box: bool | None

    def canonical(self) -> Any:
        return [self.question.concept_code, self.value_num, list(self.texts)]


@dataclass(frozen=True)
class Normalised:
    answers: list[NormalisedAnswer]
    digest: str


def _error(field: str, message: str, code: str) -> dict[str, str]:
    return {"field": field, "message": message, "code": code}


def _is_number(value: Any) -> bool:
    if not isinstance(value, int | float) or isinstance(value, bool):
        return False
    try:
        return math.isfinite(float(value))
    except OverflowError:  # an integer beyond any float
        return False


def _one(question: Question, value: Any, field: str) -> tuple[NormalisedAnswer | None, dict[str, str] | None]:
    kind = QuestionType(question.type)
    if kind in RANGES:
        if not _is_number(value) or float(value) != int(value):
            return None, _error(field, f"{question.concept_code} ({kind}) takes a whole number.", "wrong_type")
        low, high = RANGES[kind]
        if not low <= value <= high:
            return None, _error(field, f"{question.concept_code} takes {low}-{high}; got {value}.", "out_of_range")
        return NormalisedAnswer(question, float(value), (), int(value) >= TOP_BOX[kind]), None
    if kind is QuestionType.yes_no:
        if not isinstance(value, bool):
            return None, _error(field, f"{question.concept_code} (yes_no) takes true or false.", "wrong_type")
        return NormalisedAnswer(question, 1.0 if value else 0.0, (), value), None
    if kind is QuestionType.number:
        if not _is_number(value):
            return None, _error(field, f"{question.concept_code} (number) takes a number.", "wrong_type")
        if (question.min_value is not None and value < question.min_value) or (
            question.max_value is not None and value > question.max_value
        ):
            return None, _error(
                field,
                f"{question.concept_code} takes {question.min_value}-{question.max_value}; got {value}.",
                "out_of_range",
            )
        return NormalisedAnswer(question, float(value), (), None), None
    codes = [o["code"] for o in question.options or []]
    if kind is QuestionType.single_choice:
        if not isinstance(value, str):
            return None, _error(field, f"{question.concept_code} (single_choice) takes an option code.", "wrong_type")
        if value not in codes:
            return None, _error(field, f"{value!r} is not an option of {question.concept_code}.", "out_of_range")
        return NormalisedAnswer(question, None, (value,), None), None
    if kind is QuestionType.multi_choice:
        if not isinstance(value, list):
            return None, _error(
                field, f"{question.concept_code} (multi_choice) takes a list of option codes.", "wrong_type"
            )
        unknown = [v for v in value if v not in codes]
        if unknown:
            return None, _error(field, f"{unknown[0]!r} is not an option of {question.concept_code}.", "out_of_range")
        if len(set(value)) != len(value):
            return None, _error(field, "An option is chosen twice.", "duplicate")
        return NormalisedAnswer(question, None, tuple(sorted(value)), None), None
    if not isinstance(value, str):
        return None, _error(field, f"{question.concept_code} (text) takes text.", "wrong_type")
    return NormalisedAnswer(question, None, (value,) if value else (), None), None


def normalise(questions: Sequence[Question], answers: Sequence[AnswerIn], *, prefix: str = "body") -> Normalised:
    by_code = {q.concept_code: q for q in questions}
    errors: list[dict[str, str]] = []
    out: list[NormalisedAnswer] = []
    answered: set[str] = set()
    failed: set[str] = set()
    for i, answer in enumerate(answers):
        field = f"{prefix}.answers.{i}"
        question = by_code.get(answer.concept_code)
        if question is None:
            errors.append(
                _error(
                    f"{field}.concept_code", f"The questionnaire asks no {answer.concept_code!r}.", "unknown_question"
                )
            )
            continue
        if answer.concept_code in answered:
            errors.append(_error(f"{field}.concept_code", f"{answer.concept_code} is answered twice.", "duplicate"))
            continue
        answered.add(answer.concept_code)
        normalised, error = _one(question, answer.value, f"{field}.value")
        if error:
            errors.append(error)
            failed.add(answer.concept_code)
        elif normalised is not None and (normalised.value_num is not None or normalised.texts):
            out.append(normalised)
    given = {a.question.concept_code for a in out}
    for q in questions:
        if q.required and q.concept_code not in given and q.concept_code not in failed:
            errors.append(
                _error(f"{prefix}.answers", f"The required question {q.concept_code} is not answered.", "missing")
            )
    if errors:
        raise ValidationFailed("; ".join(e["message"] for e in errors[:5]), errors=errors)
    out.sort(key=lambda a: a.question.position)
    canonical = json.dumps([a.canonical() for a in out], separators=(",", ":"), ensure_ascii=False)
    return Normalised(answers=out, digest=hashlib.sha256(canonical.encode()).hexdigest())
