"""What an answer comes with: a caveat has a stable ``code`` that code can test and a ``text`` a reader can read.

Surfaces decide what to show by code (a widget that draws the vLLM pool itself drops ``kv_pool_too_small``),
never by matching the English text, which may be reworded at any time.
"""

import dataclasses


@dataclasses.dataclass(frozen=True)
class Caveat:
    code: str
    text: str

    def __str__(self) -> str:
        return self.text
