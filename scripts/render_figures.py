"""Show what every figure placeholder in the given Markdown files renders to, and any errors.

    python scripts/render_figures.py glossary/memory-bandwidth.md

Authors run it while writing worked examples; the build fails on the same errors.
"""

import pathlib
import re
import sys

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))

from hooks.markdown import catalog_figures  # noqa: E402

PLACEHOLDER = re.compile(r"\{\{.*?\}\}")


def main(paths: list[str]) -> int:
    failed = False
    for path in paths:
        text = pathlib.Path(path).read_text(encoding="utf-8")
        print(f"# {path}")
        for match in PLACEHOLDER.finditer(text):
            rendered, errors = catalog_figures.replace(match.group(0))
            failed |= bool(errors)
            print(f"  {match.group(0)}  →  {errors[0] if errors else rendered}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
