"""A local Graph-compatible tenant: the embedded default and the test double."""
