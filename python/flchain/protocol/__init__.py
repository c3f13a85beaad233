"""flchain.protocol layer (see DESIGN.md)."""
