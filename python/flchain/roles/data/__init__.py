"""flchain.roles.data: datasets of a task, publishing them on chain, shard draws and fetches
(see README, "Architecture")."""
