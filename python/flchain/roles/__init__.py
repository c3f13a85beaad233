"""flchain.roles layer (see DESIGN.md)."""
