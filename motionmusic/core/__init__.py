"""Pure core: numpy, stdlib and pydantic only (enforced by import-linter and a test).

Everything here can be tested without a camera, a model or a sound card.
"""
