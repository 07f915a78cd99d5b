"""What goes into a prompt: personal data of customers sent to the model provider.

A prompt leaves the building: it is sent to a hosted provider, stored in its logs and
in the team's traces, and a system prompt can be talked out of the model. Putting a
customer's e-mail address, phone number or date of birth into one is sharing personal
data with a third party. The detector here reads where the code builds prompts (system
and user messages, prompt variables, the arguments of a model call) and reports the
values interpolated into them whose names say they hold personal data.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from readycheck.detectors.base import REGEX, file_detector
from readycheck.detectors.common import PYTHON_KINDS, matches_any
from readycheck.detectors.llm import dict_keys, is_built_text, system_prompts
from readycheck.model import Evidence
from readycheck.parsers.python import PythonCode
from readycheck.workspace import SourceFile

#: Names of values that hold a person's data: contact details, identifiers, dates of
#: birth, payment and health data, or a whole customer or patient record.
PERSONAL_DATA = (
    r"(.*_)?(e_?mail(_?address)?|phone(_?number)?|mobile(_?number)?|telephone|"
    r"((home|street|postal|billing|shipping|mailing|delivery)_)?address|post_?code|zip_?code|"
    r"ssn|social_security(_number)?|national_(id|insurance)(_number)?|passport(_number)?|"
    r"date_of_birth|dob|birth_?date|birthday|credit_card(_number)?|card_number|iban|"
    r"account_number|tax_id|medical_record(_number)?|diagnosis|"
    r"customer|customer_(record|profile|details|info|data)|user_profile|patient(_record)?|personal_(data|details|info))"
)
#: ... except the organisation's own addresses and machines' (`support_email`,
#: `ip_address`). Names about the data (`email_template`, `customer_id`) never match above.
_NOT_PERSONAL = re.compile(
    r"(?i)(sender|from|support|admin|company|shop|store|no_?reply|smtp|server|ip|mac|base|host|"
    r"web|url|return|reply_to|sales|team|service|bot|system|default|example|wallet|contract|node)_.*"
)
#: Variables that hold a prompt being built: `prompt = f"..."`, `system_instructions = ...`.
_PROMPT_VARIABLE = re.compile(r"(?i)(.*_)?(prompts?|instructions?)(_(text|template|str|message))?")
#: Keyword arguments that carry prompt text into an SDK or a framework.
_PROMPT_KEYWORDS = frozenset({"prompt", "user_prompt", "system", "system_prompt", "instructions"})
#: Message constructors whose first argument is the message's text.
_MESSAGES = ("*HumanMessage", "*UserMessage", "*SystemMessage", "*ChatMessage", "*AIMessage")


@dataclass(frozen=True)
class PersonalDataParams:
    #: Resolved names of the calls that ask a model (the rulebook's list).
    calls: tuple[str, ...]
    #: Regular expression matched against whole names: what holds personal data.
    pattern: str = field(default=PERSONAL_DATA, metadata=REGEX)
    label: str = "the prompt is built with"


def _named_values(node: ast.expr) -> Iterator[tuple[str, ast.expr]]:
    """The names an expression interpolates, each with its node: `customer.email`
    gives `email`, `order["phone"]` and `body.get("phone")` give `phone`,
    `{"customer": record}` gives `customer` and `record`, `.format(email=...)` gives
    `email`."""
    for inner in ast.walk(node):
        if isinstance(inner, ast.Name):
            yield inner.id, inner
        elif isinstance(inner, ast.Attribute):
            yield inner.attr, inner
        elif isinstance(inner, ast.Subscript):
            if isinstance(inner.slice, ast.Constant) and isinstance(inner.slice.value, str):
                yield inner.slice.value, inner
        elif isinstance(inner, ast.Dict):
            for name in dict_keys(inner):
                yield name, inner
        elif isinstance(inner, ast.Call):
            for keyword in inner.keywords:
                if keyword.arg is not None:
                    yield keyword.arg, keyword.value
            first = inner.args[0] if inner.args else None
            if (
                isinstance(inner.func, ast.Attribute)
                and inner.func.attr == "get"
                and isinstance(first, ast.Constant)
                and isinstance(first.value, str)
            ):
                yield first.value, inner


def _prompt_parts(code: PythonCode, calls: tuple[str, ...]) -> Iterator[ast.expr]:
    """Where the module builds what a model reads: message contents, text assigned to
    prompt variables, prompt keywords, and every argument of a model call."""
    for system in system_prompts(code):
        if is_built_text(system):
            yield system
    for node in code.bindings:
        if isinstance(node, ast.Dict):
            keys = dict_keys(node)
            role, content = keys.get("role"), keys.get("content")
            if (
                isinstance(role, ast.Constant)
                and role.value == "user"
                and content is not None
                and is_built_text(content)
            ):
                yield content
        elif isinstance(node, ast.Assign | ast.AnnAssign) and node.value is not None:
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            if is_built_text(node.value) and any(
                isinstance(t, ast.Name) and _PROMPT_VARIABLE.fullmatch(t.id) for t in targets
            ):
                yield node.value
    for name, refs in code.calls_by_name.items():
        asks_model = matches_any(name, calls)
        builds_message = matches_any(name, _MESSAGES)
        for ref in refs:
            if asks_model:
                yield from ref.node.args
                yield from (kw.value for kw in ref.node.keywords)
                continue
            if builds_message and ref.node.args and is_built_text(ref.node.args[0]):
                yield ref.node.args[0]
            for keyword in ref.node.keywords:
                if keyword.arg in _PROMPT_KEYWORDS and is_built_text(keyword.value):
                    yield keyword.value


@file_detector(*PYTHON_KINDS, params=PersonalDataParams)
def personal_data_in_prompt(source: SourceFile, params: PersonalDataParams) -> Iterator[Evidence]:
    """Prompts built with values whose names say they hold a person's data:
    `f"Customer {customer.email}, phone {customer.phone}"` in a message, or
    `inputs={"customer": customer}` handed to a model call."""
    code = source.python
    if code is None:
        return
    personal = re.compile(params.pattern, re.IGNORECASE)
    reported: set[int] = set()
    for part in _prompt_parts(code, params.calls):
        for name, node in _named_values(part):
            line = node.lineno
            if line in reported or not personal.fullmatch(name) or _NOT_PERSONAL.fullmatch(name):
                continue
            reported.add(line)
            yield Evidence(source.locate(line), f"{params.label} `{name}`", source.snippet(line))
