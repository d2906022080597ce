"""The booking API's handlers (written for pytest_lambda's tests)."""
