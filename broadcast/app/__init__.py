"""The application layer: one plain function per user action, shared by the CLI and the web console."""
