"""One request end to end: prefill (time to first token), then decode steps at the average context."""

import dataclasses

from calculators.architectures import Architecture
from calculators.core import validate
from calculators.speed.decode import DecodeStep, decode_step
from calculators.speed.prefill import Prefill, prefill


@dataclasses.dataclass(frozen=True)
class Request:
    """``batch`` requests of ``prompt_tokens`` in and ``output_tokens`` out, served together.

    The prefill gives the first token; each later token costs one decode step, modelled at the
    average context over the generation (prompt plus half the output).
    """
    batch: int
    prompt_tokens: int
    output_tokens: int
    tensor_parallel: int
    mean_context_tokens: int
    prefill: Prefill
    decode: DecodeStep

    @property
    def ttft_seconds(self) -> float:
        return self.prefill.ttft_seconds

    @property
    def time_per_output_token_seconds(self) -> float:
        return self.decode.step_seconds

    @property
    def decode_seconds(self) -> float:
        """The output tokens after the first, one decode step each."""
        return (self.output_tokens - 1) * self.decode.step_seconds

    @property
    def total_seconds(self) -> float:
        return self.ttft_seconds + self.decode_seconds

    @property
    def tokens_per_s_per_user(self) -> float:
        """Streaming speed once the first token is out."""
        return self.decode.tokens_per_s_per_user

    @property
    def tokens_per_s_total(self) -> float:
        return self.decode.tokens_per_s_total

    @property
    def prefill_share(self) -> float:
        """Fraction of the request's time spent before the first token."""
        return self.ttft_seconds / self.total_seconds


def mean_decode_context(prompt_tokens: int, output_tokens: int) -> int:
    """Tokens in the KV cache at an average decode step: the prompt plus half the output."""
    return prompt_tokens + output_tokens // 2


def request(arch: Architecture, gpu, *, prompt_tokens: int, output_tokens: int, batch: int = 1,
            weight_format: str = "bf16", kv_format: str | None = None, tensor_parallel: int = 1) -> Request:
    """Prefill of ``batch`` prompts, then ``output_tokens - 1`` decode steps (see :class:`Request`)."""
    prompt = validate.integer("prompt_tokens", prompt_tokens, minimum=1, maximum=validate.MAX_CONTEXT_TOKENS)
    output = validate.integer("output_tokens", output_tokens, minimum=1, maximum=validate.MAX_CONTEXT_TOKENS)
    context = mean_decode_context(prompt, output)
    first = prefill(arch, gpu, prompt_tokens=prompt, batch=batch, weight_format=weight_format,
                    tensor_parallel=tensor_parallel)
    step = decode_step(arch, gpu, batch=batch, context_tokens=context, weight_format=weight_format,
                       kv_format=kv_format, tensor_parallel=tensor_parallel)
    return Request(batch=step.batch, prompt_tokens=prompt, output_tokens=output, tensor_parallel=step.tensor_parallel,
                   mean_context_tokens=context, prefill=first, decode=step)
