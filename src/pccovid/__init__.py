"""pccovid: one national epidemic platform (Vietnam, 2021 order), as a Django modular monolith."""
