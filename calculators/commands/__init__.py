"""Sub-commands of ``python -m calculators`` (see ``calculators.cli.COMMAND_MODULES``)."""
