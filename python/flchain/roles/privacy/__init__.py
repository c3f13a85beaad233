"""flchain.roles.privacy: private tasks seen from the roles: privacy terms, round keys,
keyrings, secure aggregation and differentially private training (see README, "Architecture")."""
