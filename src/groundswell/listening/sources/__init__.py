"""Source plug-ins: one module per kind of source, each registering a :class:`SourcePlugin`."""
