"""Command-line interface: one module per command group; rich output, no logic."""
