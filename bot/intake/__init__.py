"""confbot intake adapter."""
