"""A local tenant that speaks Microsoft Graph's JSON, for a fresh machine and for tests."""
