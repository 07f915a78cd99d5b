"""Who a git identity is: people, not e-mail addresses, and never bots.

One person commits from a laptop, a work account and GitHub's web editor, under
three addresses and two spellings of a name; bots and a machine's default account
(root@laptop.lan) are nobody. Every detector that counts people (ownership, review,
one-person repositories) merges identities here, so they all count the same people.
"""

from __future__ import annotations

import re

#: Machine accounts: a commit made as root@laptop.lan or ubuntu@ip-10-0-0-1 is the
#: machine's default identity, not a second person.
MACHINE_ACCOUNT = re.compile(
    r"(?i)^(root|ubuntu|ec2-user|admin|administrator|user|vagrant|jovyan|pi|docker)@"
    r"|@[^@]*\.(lan|local|localdomain|internal|home)$|@(localhost|\(none\))$"
)

_BOT_NAMES = re.compile(
    r"(?i)\[bot\]|-bot$|^bot[-_ ]|(^|[-_ ])bot$|^(github-actions|dependabot|renovate|pre-commit-ci"
    r"|copilot|snyk|allcontributors|all-contributors|greenkeeper|codecov|semantic-release"
    r"|web-flow|github|gitlab|actions-user|mergify|imgbot|pyup|deepsource|sourcery-ai"
    r"|github enterprise|azure pipelines)\b"
)
_BOT_EMAILS = re.compile(
    r"(?i)\[bot\]@|^(noreply|no-reply|action|actions|bot|ci|builds?|jenkins|web-flow)@"
)
#: Names and address parts that several people may share: they merge nobody.
_GENERIC = frozenset(
    {"root", "ubuntu", "admin", "user", "unknown", "yourname", "none", "dev", "developer",
     "info", "contact", "mail", "git", "support", "team", "hello", "github", "local",
     "localhost", "noreply", "test", "ec2user", "vagrant", "pi", "me", "owner"}
)  # fmt: skip
GITHUB_NOREPLY = re.compile(
    r"(?i)^(?:\d+\+)?([a-z0-9](?:[a-z0-9-]*[a-z0-9])?)@users\.noreply\.github\.com$"
)
_WORD = re.compile(r"[^a-z0-9]")


def normalise_name(text: str) -> str:
    """A name or address part reduced to letters and digits: "Goku Mohandas" -> gokumohandas."""
    return _WORD.sub("", text.lower())


def is_bot(name: str, email: str) -> bool:
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
#: Automation that signs its commits with a human-looking name.
_AGENT_NAMES = re.compile(
    r"(?:^|\s)(?:AI|Agent|Assistant|Bot|BOT|Automation|Code Review)$|^(?i:claude|codex|devin|copilot)\b"
)


class People:
    """Identities (a name and an address) merged into people by union-find: the same
    address, the same name, a GitHub login or address that is another identity's name;
    then a first name alone that is the start of exactly one full name, and a personal
    domain (`roger@ch3rry-pi3.com`) that is another identity's login or name."""

    def __init__(self) -> None:
        self.identities: list[tuple[str, str]] = []

    def add(self, name: str, email: str = "") -> None:
        name, email = name.strip(), email.strip().lower()
        if not (name or email) or is_bot(name, email) or _AGENT_NAMES.search(name):
            return
        self.identities.append((name, email))

    def people(self) -> list[tuple[str, int]]:
        """(a name for the person, how many addresses) for each person."""
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
                login = GITHUB_NOREPLY.match(email)
                local = normalise_name(login.group(1) if login else email.split("@")[0])
                if (login or len(local) >= 5) and local not in _GENERIC:
                    union(me, f"n:{local}")
            normal = normalise_name(name)
            if len(normal) >= 3 and normal not in _GENERIC:
                union(me, f"n:{normal}")
                label.setdefault(f"n:{normal}", name)
        names = {key for key in parent if key.startswith("n:")}
        full_names: dict[str, list[str]] = {}
        for name, _email in self.identities:
            words = name.split()
            if len(words) > 1:
                full_names.setdefault(normalise_name(words[0]), []).append(normalise_name(name))
        for name, _email in self.identities:
            alone = normalise_name(name)
            if len(name.split()) == 1 and len(set(full_names.get(alone, []))) == 1:
                union(f"n:{alone}", f"n:{full_names[alone][0]}")
        domains: dict[str, set[str]] = {}
        for _name, email in self.identities:
            if "@" in email and not GITHUB_NOREPLY.match(email):
                domain = email.split("@", 1)[1]
                domains.setdefault(normalise_name(domain.split(".")[0]), set()).add(email)
        for domain, emails in domains.items():
            if len(emails) == 1 and domain not in _PUBLIC_MAIL and f"n:{domain}" in names:
                union(f"n:{domain}", f"e:{next(iter(emails))}")
        groups: dict[str, list[int]] = {}
        for index in range(len(self.identities)):
            groups.setdefault(find(f"i:{index}"), []).append(index)
        found = []
        for members in groups.values():
            identities = [self.identities[i] for i in members]
            addresses = {email for _name, email in identities if email}
            spelled = [name for name, _email in identities if name] or sorted(addresses)
            found.append((max(spelled, key=len), len(addresses)))
        return sorted(found)


def people_in_log(log: str) -> list[tuple[str, int]]:
    """The people among `git log --format=%ae%x00%an` lines: (a name, how many addresses)."""
    found = People()
    for line in log.splitlines():
        email, _, name = line.partition("\x00")
        found.add(name, email)
    return found.people()
