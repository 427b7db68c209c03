"""Persistence: models, a store per aggregate behind one Repository, the read side, migrations."""
