"""Read the parties of a scenario file: a persona, the customer, the agent and the company.

A persona gives the customer and the opening facts their defaults; the company's policy
book is an example book's name, a policy file next to the scenario, or the book itself as
a table, read by the policy loaders with its problems placed in the scenario file.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import attrs

from stool._datafile import SUFFIXES
from stool.errors import PolicyError, ValidationError
from stool.parties import Agent, Company, Customer
from stool.scenario._fileerrors import from_policy_error
from stool.scenario._filekeys import COMPANY_KEYS
from stool.scenario._filevalues import construct, read_fields
from stool.scenario._locate import Path_, field_name
from stool.scenario._personas import PERSONAS, Persona

if TYPE_CHECKING:
    from stool.scenario._fileproblems import Problems

__all__ = ["read_company", "read_person", "read_persona"]


def _policies(  # noqa: PLR0911 - one return per way of naming a book
    value: Any, path: Path_, problems: Problems, base: Path | None
) -> Any:
    """Read the company's book: an example's name, a policy file's path, or the book's table."""
    from stool.policy import (  # noqa: PLC0415 - loaded on first use, to keep import stool light
        EXAMPLES,
        PolicyDefinitionError,
        PolicyValidationError,
        load_example,
    )
    from stool.policy._loaders import build, load_file  # noqa: PLC0415 - loaded on first use, to keep import stool light

    try:
        if isinstance(value, Mapping):
            locate = problems.locate
            inner = None if locate is None else (lambda p: locate((*path, *p)))
            return build(value, file=problems.file, locate=inner)
        if isinstance(value, str) and value in EXAMPLES:
            return load_example(value)
        if isinstance(value, str) and Path(value).suffix.lower() in SUFFIXES:
            where = Path(value) if base is None else base / value
            return load_file(where)
    except PolicyValidationError as error:
        found = tuple(from_policy_error(p, field=field_name(path)) for p in error.problems)
        problems.extend(found, error.omitted)
        return None
    except PolicyDefinitionError as error:
        problems.extend((from_policy_error(error, field=field_name(path)),))
        return None
    except PolicyError as error:
        problems.add(path, str(error), value=value)
        return None
    problems.add(
        path,
        "the name of an example book ("
        + ", ".join(EXAMPLES)
        + "), a policy file (.toml, .json, .yaml) next to the scenario, or a table holding "
        "the book",
        value=value,
        choices=list(EXAMPLES),
    )
    return None


def read_persona(value: Any, problems: Problems) -> Persona | None:
    found = PERSONAS.get(value) if isinstance(value, str) else None
    if found is None:
        names = list(PERSONAS)
        problems.add(
            ("persona",),
            "the name of a persona: " + ", ".join(names),
            value=value,
            choices=names,
        )
    return found


def read_person(
    data: Mapping[str, Any],
    key: str,
    cls: type[Customer | Agent],
    chosen: Persona | None,
    problems: Problems,
) -> Customer | Agent | None:
    """Read the customer or the agent; a persona gives the customer's defaults."""
    preset = chosen.customer if chosen is not None and key == "customer" else None
    if key not in data:
        return preset
    table = problems.table((key,), data[key], f"{cls.__name__} fields")
    fields = read_fields(cls, table, (key,), problems) if table is not None else None
    if fields is None:
        return None
    if preset is None and "id" not in fields:
        problems.add((key,), f"a {key} table has an 'id'")
        return None
    try:
        return attrs.evolve(preset, **fields) if preset is not None else cls(**fields)
    except ValidationError as error:
        problems.error((key,), error)
        return None


def read_company(data: Mapping[str, Any], problems: Problems, base: Path | None) -> Company | None:
    table = problems.table(("company",), data["company"], "Company fields")
    if table is None:
        return None
    plain = {k: v for k, v in table.items() if k != "policies"}
    fields = read_fields(Company, plain, ("company",), problems, keys=COMPANY_KEYS)
    book = None
    if "policies" in table:
        book = _policies(table["policies"], ("company", "policies"), problems, base)
    if fields is None:
        return None
    if "name" not in fields:
        problems.add(("company",), "a company table has a 'name'")
        return None
    company: Company | None = construct(
        Company, {**fields, "policies": book}, ("company",), problems
    )
    return company
