"""confbot web adapter."""
