"""Who works on a repository: people, not e-mail addresses.

One person commits from a laptop, a work account and GitHub's web editor, under
three addresses and two spellings of a name; a team that squashes a project into
one public commit leaves a single author behind. So identities are merged into
people (the same address, the same name, a GitHub login that is another identity's
name or address), bots are left out, and the people a history names besides its
authors count too: co-authors and reviewers in commit trailers, and a committer
who applied someone else's patch. Where history says little, the project's own
declaration of its authors counts: an AUTHORS, CONTRIBUTORS or MAINTAINERS file,
CITATION.cff, the authors of pyproject.toml, or a README section that names its
authors or team.
"""

from __future__ import annotations

import itertools
import re
import tomllib
from dataclasses import dataclass
from pathlib import PurePosixPath

import regex

from readycheck.detectors.base import repo_detector
from readycheck.detectors.common import MACHINE_ACCOUNT, NOT_A_REPOSITORY, SHALLOW
from readycheck.model import Detection, Evidence, Location
from readycheck.parsers.git import GitInfo
from readycheck.workspace import Repository

_BOT_NAMES = re.compile(
    r"(?i)\[bot\]|-bot$|^bot[-_ ]|(^|[-_ ])bot$|^(github-actions|dependabot|renovate|pre-commit-ci"
    r"|copilot|snyk|allcontributors|all-contributors|greenkeeper|codecov|semantic-release"
    r"|web-flow|github|gitlab|actions-user|mergify|imgbot|pyup|deepsource|sourcery-ai"
    r"|github enterprise|azure pipelines)\b"
)
_BOT_EMAILS = re.compile(
    r"(?i)\[bot\]@|^(noreply|no-reply|action|actions|bot|ci|builds?|jenkins|web-flow|agent"
    r"|cursoragent)@|@(warp\.dev|aider\.chat)$"
)
#: Names and address parts that several people may share: they merge nobody.
_GENERIC = frozenset(
    {"root", "ubuntu", "admin", "user", "unknown", "yourname", "none", "dev", "developer",
     "info", "contact", "mail", "git", "support", "team", "hello", "github", "local",
     "localhost", "noreply", "test", "ec2user", "vagrant", "pi", "me", "owner"}
)  # fmt: skip
_NOREPLY = re.compile(
    r"(?i)^(?:\d+\+)?([a-z0-9](?:[a-z0-9-]*[a-z0-9])?)@users\.noreply\.github\.com$"
)
_TRAILER = re.compile(
    r"(?im)^\s*(co-authored-by|reviewed-by|acked-by|approved-by|tested-by|helped-by)\s*:\s*(.+?)\s*<([^>]*)>\s*$"
)
_WORD = re.compile(r"[^a-z0-9]")


def _normal(text: str) -> str:
    return _WORD.sub("", text.lower())


def _is_bot(name: str, email: str) -> bool:
    """Automation, or a machine's default identity (root@laptop.lan): not a person."""
    return bool(
        _BOT_NAMES.search(name.strip())
        or _BOT_EMAILS.search(email.strip())
        or MACHINE_ACCOUNT.search(email.strip())
    )


#: Free mail providers: their domain says nothing about who owns an address.
_PUBLIC_MAIL = frozenset(
    {"gmail", "googlemail", "hotmail", "outlook", "live", "yahoo", "icloud", "me", "mac",
     "protonmail", "proton", "pm", "gmx", "web", "aol", "mail", "yandex", "qq", "163", "126",
     "users", "fastmail", "zoho", "posteo", "tutanota", "hey", "msn"}
)  # fmt: skip
#: Automation that signs its commits with a human-looking name, coding agents included
#: (`Co-Authored-By: Warp <agent@warp.dev>`).
_AGENT_NAMES = re.compile(
    r"(?:^|\s)(?:AI|Agent|Assistant|Bot|BOT|Automation|Code Review)$"
    r"|^(?i:claude|codex|devin|copilot|warp|cursor|aider|jules|openhands|gemini)\b"
)


#: Names of an organisation, a project or a collective rather than a person ("Microsoft
#: Open Source", "Data Science Project", "The TensorFlow Authors"): nobody to answer.
_COLLECTIVE = re.compile(
    r"(?i)(^|\s)(open source|github user|project|organi[sz]ation|inc\.?|corp(oration)?\.?"
    r"|llc|ltd\.?|gmbh|foundation|contributors|developers|authors|maintainers)$"
)


class _People:
    """Identities (a name and an address) merged into people by union-find: the same
    address, the same name, a GitHub login or address that is another identity's name;
    then a first name alone that is the start of exactly one full name, a name that is
    the first part of a hyphenated GitHub login, and a personal
    domain (`roger@ch3rry-pi3.com`) that is another identity's login or name."""

    def __init__(self) -> None:
        self.identities: list[tuple[str, str]] = []
        #: Identities that stand for a person however often they appear: a declared author.
        self.declared: set[int] = set()

    def add(self, name: str, email: str = "", declared: bool = False) -> None:
        """One appearance of an identity: a commit, a merge, a trailer, a declaration
        (`declared`: named on purpose as an author, co-author or reviewer)."""
        name, email = name.strip(), email.strip().lower()
        if not (name or email) or _is_bot(name, email) or _AGENT_NAMES.search(name):
            return
        if _COLLECTIVE.search(name):
            return  # an organisation's or a project's account, not a person
        if declared:
            self.declared.add(len(self.identities))
        self.identities.append((name, email))

    def people(self, min_appearances: int = 1) -> list[tuple[str, int]]:
        """(a name for the person, how many addresses) for each person who appears at
        least `min_appearances` times in history, is declared or named in a trailer, or
        appears most: one drive-by commit (a typo fixed, a dependency added) does not make
        someone answer for the code."""
        parent: dict[str, str] = {}

        def find(key: str) -> str:
            parent.setdefault(key, key)
            while parent[key] != key:
                parent[key] = parent[parent[key]]
                key = parent[key]
            return key

        def union(a: str, b: str) -> None:
            parent[find(b)] = find(a)

        label: dict[str, str] = {}
        for index, (name, email) in enumerate(self.identities):
            me = f"i:{index}"
            find(me)
            if email and "@" in email:
                union(me, f"e:{email}")
                login = _NOREPLY.match(email)
                local = _normal(login.group(1) if login else email.split("@")[0])
                if (login or len(local) >= 5) and local not in _GENERIC:
                    union(me, f"n:{local}")
            normal = _normal(name)
            if len(normal) >= 3 and normal not in _GENERIC:
                union(me, f"n:{normal}")
                label.setdefault(f"n:{normal}", name)
        names = {key for key in parent if key.startswith("n:")}
        full_names: dict[str, list[str]] = {}
        for name, _email in self.identities:
            words = name.split()
            if len(words) > 1:
                full_names.setdefault(_normal(words[0]), []).append(_normal(name))
        for name, _email in self.identities:
            alone = _normal(name)
            if len(name.split()) == 1 and len(set(full_names.get(alone, []))) == 1:
                union(f"n:{alone}", f"n:{full_names[alone][0]}")
        # a surname shortened in one place (`Steffen Lau` in commits, `Steffen Lauterbach`
        # in the README, `Sean B` beside `Sean Burt`): the same first name, and one last
        # name begins the other (three letters at least, or a lone initial)
        spelled = sorted({n for n, _e in self.identities if len(n.split()) > 1})
        for short, long in itertools.permutations(spelled, 2):
            a, b = short.split(), long.split()
            last, longer = _normal(a[-1]), _normal(b[-1])
            if (
                _normal(a[0]) == _normal(b[0])
                and (len(last) >= 3 or (len(last) == 1 and len(a) == 2))
                and longer.startswith(last)
                and last != longer
            ):
                union(f"n:{_normal(short)}", f"n:{_normal(long)}")
        # a login made of the name (`sdburt`, `seandburt` for Sean Burt): the first name or
        # its initial, at most one more letter (a middle initial), then the last name; or
        # two or more of its words run together (`vijaypratap3364` for Vijay Pratap Singh)
        for full in spelled:
            words = [_normal(w) for w in full.split()]
            if len(words) < 2 or len(words[-1]) < 3 or not words[0]:
                continue
            first, last = re.escape(words[0]), re.escape(words[-1])
            shape = re.compile(rf"^({first}|{first[0]})[a-z]?{last}$")
            for key in sorted(names):
                handle = key[2:]
                if handle != _normal(full) and (shape.match(handle) or _spells_name(handle, words)):
                    union(key, f"n:{_normal(full)}")
        # a name that is the first part of a GitHub login (`HAI` for `hAI-FA001`): the
        # account's owner under the handle they also sign with
        for _name, email in self.identities:
            login = _NOREPLY.match(email)
            if login and "-" in login.group(1):
                head = _normal(login.group(1).split("-")[0])
                if len(head) >= 3 and head not in _GENERIC and f"n:{head}" in names:
                    union(f"n:{head}", f"e:{email}")
        domains: dict[str, set[str]] = {}
        for _name, email in self.identities:
            if "@" in email and not _NOREPLY.match(email):
                domain = email.split("@", 1)[1]
                domains.setdefault(_normal(domain.split(".")[0]), set()).add(email)
        for domain, emails in domains.items():
            if len(emails) == 1 and domain not in _PUBLIC_MAIL and f"n:{domain}" in names:
                union(f"n:{domain}", f"e:{next(iter(emails))}")
        groups: dict[str, list[int]] = {}
        for index in range(len(self.identities)):
            groups.setdefault(find(f"i:{index}"), []).append(index)
        found = []
        busiest = max(groups.values(), key=len, default=[])
        # beside someone who wrote hundreds of commits, two typo fixes are a drive-by too
        enough = max(min_appearances, len(busiest) // 20)
        for members in groups.values():
            if (
                len(members) < enough
                and members is not busiest
                and not self.declared.intersection(members)
            ):
                continue
            identities = [self.identities[i] for i in members]
            addresses = {email for _name, email in identities if email}
            spelled = [name for name, _email in identities if name] or sorted(addresses)
            found.append((max(spelled, key=len), len(addresses)))
        return sorted(found)


def _spells_name(login: str, words: list[str]) -> bool:
    """Whether a login or address is two or more of a full name's words run together, in
    any order, then perhaps digits (`vijaypratap3364`, `singhvijaypratap1011` for Vijay
    Pratap Singh): the same person under their account name."""
    stem = login.rstrip("0123456789")
    usable = [w for w in words[:4] if len(w) >= 2]
    return any(
        "".join(order) == stem
        for size in range(2, len(usable) + 1)
        for order in itertools.permutations(usable, size)
    )


def _from_history(git: GitInfo, commits: int, people: _People) -> list[str]:
    """Add the people of recent commits; return what else history says (co-authors...)."""
    scope = [git.subpath] if git.subpath else []
    log = git.repo.git.log(
        f"-n{commits}", "--format=%x1e%aN%x1f%aE%x1f%cN%x1f%cE%x1f%B", git.revision, "--", *scope
    )
    notes = []
    for record in log.split("\x1e"):
        parts = record.split("\x1f")
        if len(parts) < 5:
            continue
        author, author_email, committer, committer_email, body = parts[:5]
        people.add(author, author_email)
        if (
            _normal(committer) != _normal(author)
            and committer_email.strip().lower() != author_email.strip().lower()
        ):
            people.add(committer, committer_email)
        for role, name, email in _TRAILER.findall(body):
            people.add(name, email, declared=True)  # named as co-author or reviewer
            notes.append(f"{role.lower()}: {name.strip()}")
    return notes


#: Files in which a project names its authors or maintainers.
_DECLARATIONS = ("AUTHORS", "CONTRIBUTORS", "MAINTAINERS", "CREDITS", "OWNERS")
_SECTION = re.compile(
    r"(?i)^(#{1,6})\s*(?:the\s+|core\s+|project\s+)?(authors?|team|contributors|maintainers|credits"
    r"|people|developers|creators|made by|written by|who we are)\b\s*:?\s*$"
)
_HEADING = re.compile(r"^(#{1,6})\s")
_PERSON = regex.compile(r"\p{Lu}[\p{L}'’.-]*(?:\s+(?:\p{Ll}{1,3}\s+)?\p{Lu}[\p{L}'’.-]*){1,3}")
#: A GitHub handle (`@octocat`), not the domain of an e-mail address (`me@gmail.com`).
_HANDLE = re.compile(r"(?<![\w.+-])@[A-Za-z0-9][A-Za-z0-9-]{1,38}")
#: What people write under their name: a role or a title is not a second person
#: ("Jane Doe, MLOps Engineer").
_ROLE = regex.compile(
    r"(?i)\b(engineer|scientist|developer|architect|analyst|student|researcher|lead|manager|"
    r"maintainer|author|contributor|owner|team|mlops|devops|intern|professor|phd|candidate)s?\b"
)
_MARKUP = [
    (re.compile(r"!\[[^\]]*\]\([^)]*\)"), ""),  # images
    (re.compile(r"\[([^\]]*)\]\([^)]*\)"), r"\1"),  # links keep their text
    (re.compile(r"<[^>]+>"), " "),  # html tags, and <email> addresses
    (re.compile(r"[*_`]+"), ""),
    (re.compile(r"^\s*(?:[-+*]|\d+[.)])\s+"), ""),  # list markers
    (re.compile(r"\([^)]*\)"), ""),  # (affiliations), (@handles)
]
_SPLIT = re.compile(r"\s*(?:,|;|\||\band\b|&|\bwith\b)\s*")


def _names_in(line: str) -> list[str]:
    """The people a line of an authors section or file names: `Jane Doe, John Roe and
    Ann Poe`, `**Mentor**: Jane Doe`, `- [Jane Doe](https://github.com/jdoe)`, `@jdoe`."""
    handles = _HANDLE.findall(line)
    text = line
    for pattern, replacement in _MARKUP:
        text = pattern.sub(replacement, text)
    if ":" in text:
        text = text.rsplit(":", 1)[1]
    names = [
        item.strip(" .\t")
        for item in _SPLIT.split(text)
        if _PERSON.fullmatch(item.strip(" .\t")) and not _ROLE.search(item)
    ]
    return names or handles


def _readme_people(text: str) -> list[str]:
    names: list[str] = []
    level = 0
    for line in text.splitlines():
        heading = _HEADING.match(line)
        section = _SECTION.match(line.strip())
        if section:
            level = len(section.group(1))
            continue
        if heading and level and len(heading.group(1)) <= level:
            level = 0
        if level:
            names.extend(_names_in(line))
    return names


#: An owner in a CODEOWNERS line: a user (`@ana`), a team (`@acme/ml-platform`), an address.
_OWNER = re.compile(r"(?<!\S)@([\w.-]+(?:/[\w.-]+)?)|(?<!\S)([\w.+-]+@[\w-]+\.[\w.]+)")


def _codeowners_people(text: str) -> list[str]:
    """The owners a CODEOWNERS file names, each once: they review the code they own. A
    team (`@acme/ml-platform`) stands for its members; a file naming only the author
    names nobody else."""
    owners: list[str] = []
    for line in text.splitlines():
        line = line.split("#", 1)[0].strip()
        if not line or line.startswith("["):
            continue  # a comment, or a GitLab section header
        for user, address in _OWNER.findall(line.split(None, 1)[1] if " " in line else ""):
            owner = user or address
            if owner not in owners:
                owners.append(owner)
    return owners


def _citation_people(text: str) -> list[str]:
    names: list[str] = []
    in_authors = False
    for line in text.splitlines():
        if re.match(r"^authors\s*:", line):
            in_authors = True
            continue
        if in_authors and re.match(r"^\S", line):
            in_authors = False
        found = re.match(r"^\s*-?\s*(family-names|name)\s*:\s*[\"']?([^\"'#]+)", line)
        if in_authors and found:
            names.append(found.group(2).strip())
    return names


def _pyproject_people(text: str) -> list[str]:
    try:
        project = tomllib.loads(text).get("project", {})
    except (tomllib.TOMLDecodeError, ValueError, RecursionError):
        return []  # not TOML, or nested deeper than the parser's stack: no people declared
    names: list[str] = []
    for field_name in ("authors", "maintainers"):
        for person in project.get(field_name, []) if isinstance(project, dict) else []:
            if isinstance(person, dict) and isinstance(person.get("name"), str):
                names.extend(n.strip() for n in _SPLIT.split(person["name"]) if n.strip())
    return names


def _declared(repo: Repository) -> list[tuple[str, list[str]]]:
    """(file, the people it names) for each file that declares the project's people."""
    found = []
    for entry in repo.files:
        path = PurePosixPath(entry.path)
        if len(path.parts) > 2 or not entry.readable:
            continue
        stem = path.stem.upper()
        name = path.name.lower()
        reader = None
        if name == "codeowners":
            reader = _codeowners_people
        elif name == "citation.cff":
            reader = _citation_people
        elif name == "pyproject.toml" and len(path.parts) == 1:
            reader = _pyproject_people
        elif stem in _DECLARATIONS:
            reader = _declaration_file_people
        elif stem == "README" and len(path.parts) == 1:
            reader = _readme_people
        if reader is None:
            continue
        try:
            text = (repo.root / entry.path).read_text(encoding="utf-8", errors="replace")[:200_000]
        except OSError:
            continue
        names = reader(text)
        if names:
            found.append((entry.path, names))
    return found


def _declaration_file_people(text: str) -> list[str]:
    names = []
    for line in text.splitlines():
        if not line.strip() or (line.lstrip().startswith("#") and not _HEADING.match(line)):
            continue
        names.extend(_names_in(line))
        names.extend(e for e in re.findall(r"<([^<>@\s]+@[^<>\s]+)>", line) if not names)
    return names


@dataclass(frozen=True)
class TeamParams:
    #: How many recent commits to look at.
    commits: int = 500
    #: Fewer people than this is reported as nothing found.
    min_people: int = 2
    #: A person counts after this many appearances in history (commits, merges, trailers);
    #: declared authors always count.
    min_appearances: int = 2


@repo_detector(params=TeamParams)
def team_members(repo: Repository, params: TeamParams) -> Detection:
    """The people who work on the repository (one match per person): commit authors
    merged by name and address, bots left out, co-authors and reviewers in commit
    trailers, and the authors the project declares (AUTHORS, CITATION.cff, pyproject,
    a README's authors or team section)."""
    people = _People()
    git = repo.git if isinstance(repo.git, GitInfo) and repo.git.commit is not None else None
    if git is not None:
        _from_history(git, params.commits, people)
    declared = _declared(repo)
    for _path, names in declared:
        for name in names:
            people.add(name, name if "@" in name else "", declared=True)
    found = people.people(params.min_appearances)
    # a team a CODEOWNERS file names (`@acme/ml-platform`) is people, not one person
    teams = sum(1 for _path, names in declared for name in names if "/" in name)
    if len(found) + teams >= params.min_people:
        evidence = [
            Evidence(None, f"{name} ({count} addresses)" if count > 1 else name)
            for name, count in found[:20]
        ]
        evidence += [
            Evidence(Location(path), f"{path} names {len(names)}: {', '.join(names[:6])}")
            for path, names in declared
        ]
        return Detection(tuple(evidence))
    if git is None:
        return Detection(inapplicable=NOT_A_REPOSITORY)
    if git.shallow:
        return Detection(inapplicable=SHALLOW)
    return Detection()
