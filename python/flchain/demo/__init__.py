"""flchain.demo: the `flchain demo` application, composed of the roles: devnet, deployment,
participants as processes, a conductor that moves the clock, and the run's summary (see README,
"Architecture")."""
