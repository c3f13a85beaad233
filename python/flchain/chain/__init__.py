"""flchain.chain layer (see DESIGN.md)."""
