"""confbot runtime adapter."""
