"""One redactor at the boundary every output crosses: no secret leaves a scan.

Rules mask the secret they report, but a snippet is a whole line, and a line can
hold a second secret, or a secret that another rule quotes for another reason (a
dependency URL with a token, shown by the pinning rule; an `Authorization` header,
shown by the timeout rule). So every text a report carries (snippets, messages,
evidence, warnings) goes through `redact` twice: when a file's analysis is made,
before it is cached, and when the report is assembled, before fingerprints are
computed and anything is rendered or written to a baseline. What it masks:

* strings in a known token format: cloud keys, forge and CI tokens, chat and
  payment keys, model-hub and LLM-provider keys, JSON web tokens, private key
  blocks (a one-line PEM body included);
* the password or token in a URL's user part (`https://user:PASS@host`,
  `git+https://TOKEN@github.com/...`) and the value of an `Authorization` header;
* the value given to a name that says it is a secret (`DB_PASSWORD=...`,
  `token="..."`, `wandb.login(key=...)`), unless it is a reference (`${VAR}`,
  `os.environ[...]`), a placeholder or a path;
* any other long token that mixes upper case, lower case and digits with the
  entropy of a generated key.

Masking keeps the first four characters of a long secret, enough to recognise it,
never enough to use it. It cannot be turned off: the scanned repository's config
has no say in it. Text that is already masked stays as it is, so redacting twice
is the same as redacting once.
"""

from __future__ import annotations

import dataclasses
import hashlib
import math
import re
from collections import Counter
from functools import lru_cache

from readycheck.model import Evidence, Finding, RuleResult, ScanWarning
from readycheck.workspace import mask_secret

#: Secrets with a recognisable shape, whatever name they are given.
_TOKEN_FORMATS = re.compile(
    r"""
      \b(?:AKIA|ASIA|AGPA|AIDA|AROA|ANPA)[0-9A-Z]{16}\b          # AWS access key ids
    | \bgh[pousr]_[A-Za-z0-9]{30,}\b                          # GitHub tokens
    | \bgithub_pat_[A-Za-z0-9_]{40,}\b
    | \bglpat-[0-9A-Za-z_-]{20,}\b                            # GitLab
    | \bglrt-[0-9A-Za-z_-]{20,}\b
    | \bxox[abposr]-[A-Za-z0-9-]{10,}\b                       # Slack
    | hooks\.slack\.com/services/[A-Za-z0-9/]{20,}
    | \bhf_[A-Za-z0-9]{30,}\b                                 # Hugging Face
    | \bsk-ant-[A-Za-z0-9_-]{20,}                             # Anthropic
    | \bsk-(?:proj-|svcacct-|admin-)?[A-Za-z0-9_-]{20,}       # OpenAI and alike
    | \b(?:sk|rk|pk)_(?:live|test)_[0-9A-Za-z]{16,}\b         # Stripe
    | \bAIza[0-9A-Za-z_-]{35}\b                               # Google API keys
    | \bya29\.[0-9A-Za-z_-]{20,}                              # Google OAuth access tokens
    | \bGOCSPX-[A-Za-z0-9_-]{20,}\b
    | \bdapi[0-9a-f]{32}\b                                    # Databricks
    | \bSG\.[A-Za-z0-9_-]{16,}\.[A-Za-z0-9_-]{16,}\b          # SendGrid
    | \bnpm_[A-Za-z0-9]{30,}\b                                # npm
    | \bpypi-[A-Za-z0-9_-]{50,}                               # PyPI
    | \bgsk_[A-Za-z0-9]{40,}\b                                # Groq
    | \br8_[A-Za-z0-9]{30,}\b                                 # Replicate
    | \bnvapi-[A-Za-z0-9_-]{40,}                              # NVIDIA
    | \bAccountKey=[A-Za-z0-9+/]{40,}={0,2}                   # Azure storage
    | \bSharedAccessSignature=[^;\s"']{20,}
    | \beyJ[A-Za-z0-9_-]{10,}\.eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}   # JSON web tokens
    """,
    re.VERBOSE,
)
#: A private key: its header, its body (on the same line when a key is pasted on one
#: line, with `\n` escapes or spaces) and its footer.
_PRIVATE_KEY = re.compile(
    r"-----BEGIN (?:[A-Z]+ )*PRIVATE KEY(?: BLOCK)?-----(?:(?!-----END).){0,8000}?(?:-----END (?:[A-Z]+ )*PRIVATE KEY(?: BLOCK)?-----|$)"
)
#: The user part of a URL: `scheme://user:password@`, or a token alone (`https://ghp_...@`).
_URL_USER = re.compile(
    r"(?P<scheme>\b[A-Za-z][A-Za-z0-9+.-]*://)(?P<user>[^/\s:@\"'`]*)(?::(?P<password>[^/\s@\"'`]+))?@"
)
#: `Authorization: Bearer <token>` in any syntax (a header dict, curl -H, an HTTP log).
_AUTH_HEADER = re.compile(
    r"(?i)(?P<lead>\b(?:proxy-)?authorization[\"']?\s*[:=,]\s*[\"']?(?:bearer|basic|token|digest|apikey|key)?\s*)(?P<value>[A-Za-z0-9._~+/=-]{8,})"
    r"|(?P<lead2>\bbearer\s+)(?P<value2>[A-Za-z0-9._~+/=-]{16,})"
)
#: A value given to a name that says it is a secret: `DB_PASSWORD=x`, `"api_key": "x"`,
#: `token='x'`, `--password x`, `login(key="x")`.
_NAMED = re.compile(
    r"""(?ix)
    (?P<lead>
      (?:\b|_)(?:[a-z0-9]+[_.-])*
      (?:password|passwd|pwd|passphrase|secret|secret[_-]?key|token|api[_-]?key|apikey|access[_-]?key
         |private[_-]?key|auth[_-]?key|client[_-]?secret|credentials?|key)
      ["']?\s*(?::=|=|:)\s*[rbuf]{0,2}["']?
    | --(?:[a-z0-9]+-)*(?:password|passwd|secret|token|api-key|apikey|access-key|private-key|client-secret)[ ]+["']?
    )
    (?P<value>[^\s"'`,;)\]}]{6,})
    """
)
#: Every name _NAMED knows holds one of these.
_NAMED_WORDS = ("pass", "pwd", "secret", "token", "key", "credential")


def _folded(text: str) -> str:
    """The text as the case-insensitive patterns see it, for `in` tests: casefolded, with
    the two letters a case-insensitive `i` also matches (the dotless i, U+0131, and the
    dotted capital I, U+0130, which folds to i and a combining dot) read as `i`."""
    if text.isascii():
        return text.lower()
    return text.casefold().replace("\u0131", "i").replace("\u0307", "")


#: Values that are not secrets: a reference to one, a placeholder, a path, a flag.
_NOT_A_VALUE = re.compile(
    r"""(?ix)^(?:
        [$%{<(\[]          # ${VAR}, $(cmd), {{ template }}, <your key>, (..., [...
      | os\.|env\.|environ|getenv|settings\.|config\.|secrets\.|self\.|args\.|params\.
      | /|\./|~/|file:|https?://[^@]*$
      | true$|false$|none$|null$|yes$|no$|required$|optional$|string$|str$|bytes$|int$
      | \*+$|x+$|\.\.\.
      | [a-z_]+\($        # a call: password=get_password(
    )"""
)
_LONG_TOKEN = re.compile(r"[A-Za-z0-9+/_=-]{24,}")
_ALREADY_MASKED = re.compile(r"^[^*]{0,4}\*{8}$")


def _mask(value: str) -> str:
    return value if _ALREADY_MASKED.match(value) or "****" in value else mask_secret(value)


def _entropy(text: str) -> float:
    counts = Counter(text)
    return -sum(n / len(text) * math.log2(n / len(text)) for n in counts.values())


#: A path segment that is a word or a file name, not random text.
_WORD = re.compile(r"[A-Z]?[a-z]{2,}|[a-z][a-z0-9_.-]*")


def _generated(token: str) -> bool:
    """A token with the look of a generated key: all three character classes and the
    entropy of random text. Identifiers, hex digests and words do not pass."""
    core = token.strip("=")
    words = [part for part in core.split("/") if _WORD.fullmatch(part)]
    if len(words) >= 2:
        return False  # a path (`/Users/maria/Downloads/export_2023`), made of words
    return (
        len(core) >= 24
        and any(c.isupper() for c in core)
        and any(c.islower() for c in core)
        and sum(c.isdigit() for c in core) >= 2
        and _entropy(core) >= 4.2
    )


def _named_value(match: re.Match[str], prose: bool = False) -> str:
    value = match.group("value")
    lead = match.group("lead")
    if _NOT_A_VALUE.match(value) or "*" * 4 in value:
        return match.group(0)
    if prose and value.isalpha() and value.islower():
        return match.group(0)  # "PASSWORD: secret set to a literal value" is our own words
    # `key` alone names too many things (a dict's key, a sort key): only a value that
    # looks generated is a secret then.
    bare_key = re.search(r"(?i)(?:^|[^a-z])key[\"']?\s*(?::=|=|:)", lead) and not _keyish(lead)
    if bare_key and not _looks_generated(value):
        return match.group(0)
    return lead + _mask(value)


def _looks_generated(value: str) -> bool:
    return len(value) >= 16 and any(c.isdigit() for c in value) and any(c.isalpha() for c in value)


def _keyish(lead: str) -> bool:
    return bool(re.search(r"(?i)(api|access|secret|private|auth)[_-]?key", lead))


def _url_user(match: re.Match[str]) -> str:
    user, password = match.group("user"), match.group("password")
    if password is not None:
        if _NOT_A_VALUE.match(password):
            return match.group(0)
        return f"{match.group('scheme')}{user}:{_mask(password)}@"
    if len(user) >= 16 or _TOKEN_FORMATS.fullmatch(user):
        return f"{match.group('scheme')}{_mask(user)}@"
    return match.group(0)


def _auth_header(match: re.Match[str]) -> str:
    if match.group("value") is not None:
        return match.group("lead") + _mask(match.group("value"))
    return match.group("lead2") + _mask(match.group("value2"))


#: A stretch of text that could be a value on its own: what `known` digests are tried on.
_CANDIDATE = re.compile(r"[^\s\"'`=:,;()\[\]{}<>]{6,}")


def digest(value: str) -> str:
    """How a recognised secret is remembered (in the cache too): never the value itself."""
    return hashlib.sha256(value.encode("utf-8", "surrogatepass")).hexdigest()[:32]


@lru_cache(maxsize=1 << 16)
def redact(text: str, prose: bool = False, known: frozenset[str] = frozenset()) -> str:
    """`text` with every secret it holds masked (see the module's docstring).

    `prose` is for the messages readycheck writes: a lower-case word after a secret's
    name is then taken for a word ("DB_PASSWORD: secret set to a literal value"); in a
    snippet of the repository's own text it is taken for the value it looks like.

    Remembered per (text, prose, known): the same snippet is quoted by several rules, and
    a trend scans the same files' evidence again at every commit."""
    if not text:
        return text
    # Each pattern below runs only on a text holding the strings all its matches hold:
    # a scan redacts tens of thousands of snippets and almost none has a secret in it.
    # Masking only shortens values, so it never adds such a string to the text.
    folded = _folded(text)
    if "PRIVATE KEY" in text:
        text = _PRIVATE_KEY.sub(lambda m: m.group(0)[:31] + "********", text)
    text = _TOKEN_FORMATS.sub(lambda m: _mask(m.group(0)), text)
    if "://" in text and "@" in text:
        text = _URL_USER.sub(_url_user, text)
    if "authorization" in folded or "bearer" in folded:
        text = _AUTH_HEADER.sub(_auth_header, text)
    if any(word in folded for word in _NAMED_WORDS):
        text = _NAMED.sub(lambda m: _named_value(m, prose), text)
    if known:
        # values the scan recognised as secrets anywhere, wherever else they are quoted
        text = _CANDIDATE.sub(
            lambda m: _mask(m.group(0)) if digest(m.group(0)) in known else m.group(0), text
        )
    return _LONG_TOKEN.sub(
        lambda m: _mask(m.group(0)) if _generated(m.group(0)) else m.group(0), text
    )


def redact_evidence(evidence: Evidence, known: frozenset[str] = frozenset()) -> Evidence:
    detail = redact(evidence.detail, prose=True, known=known)
    snippet = redact(evidence.snippet, known=known)
    if (detail, snippet) == (evidence.detail, evidence.snippet):
        return evidence
    return dataclasses.replace(evidence, detail=detail, snippet=snippet)


def redact_finding(finding: Finding, known: frozenset[str] = frozenset()) -> Finding:
    message = redact(finding.message, prose=True, known=known)
    snippet = redact(finding.snippet, known=known)
    if (message, snippet) == (finding.message, finding.snippet):
        return finding
    return dataclasses.replace(finding, message=message, snippet=snippet)


def redact_warning(warning: ScanWarning, known: frozenset[str] = frozenset()) -> ScanWarning:
    message = redact(warning.message, prose=True, known=known)
    return warning if message == warning.message else dataclasses.replace(warning, message=message)


def redact_result(result: RuleResult, known: frozenset[str] = frozenset()) -> RuleResult:
    """A rule's verdict with its findings, evidence and reason redacted."""
    return dataclasses.replace(
        result,
        findings=tuple(redact_finding(f, known) for f in result.findings),
        evidence=tuple(redact_evidence(e, known) for e in result.evidence),
        applies_because=tuple(redact_evidence(e, known) for e in result.applies_because),
        reason=redact(result.reason, prose=True, known=known) if result.reason else result.reason,
    )
