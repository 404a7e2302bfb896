"""Load the shared fixtures (src/pccovid/testing.py) for every test directory."""

pytest_plugins = ["pccovid.testing"]
