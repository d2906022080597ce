"""Private implementation of pytest_lambda.events."""
