"""readycheck: is this ML repository ready for production?"""

__version__ = "0.1.0"

#: The distribution name on the package index: `pip install readycheck-ml`. The command
#: and the import stay `readycheck`; `readycheck` on PyPI is an unrelated project.
DISTRIBUTION = "readycheck-ml"

#: Where the project lives: its README, releases and the generated rule docs. Every
#: output that links to readycheck (SARIF's informationUri and helpUri) uses this.
PROJECT_URL = "https://github.com/your-org/readycheck"
#: The rulebook's documentation (docs/rules.md), one anchor per rule.
RULES_URL = f"{PROJECT_URL}/blob/main/docs/rules.md"
