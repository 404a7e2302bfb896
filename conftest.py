"""Load the shared fixtures (src/pccovid/testkit.py) for every test directory."""

pytest_plugins = ["pccovid.testkit"]
