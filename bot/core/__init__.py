"""The pure domain: no I/O, no asyncio, no SDKs. Everything else depends on this package."""
