"""One module per inference runtime, each a model of how that program allocates memory.

Every module defines ``estimate(arch, setup) -> MemoryEstimate`` for a checked
:class:`~calculators.memory.setup.InferenceSetup`; a new runtime is one module and one line in ``RUNTIMES``.
"""

from calculators.memory.runtimes import llama_cpp, transformers, vllm

#: Runtime name (as ``InferenceSetup.runtime`` spells it) -> its module.
RUNTIMES = {"transformers": transformers, "vllm": vllm, "llama.cpp": llama_cpp, "ik_llama.cpp": llama_cpp}
