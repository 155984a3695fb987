"""Great Expectations suites (defined in code) and the gate that runs them on the marts."""
