"""The egress namespace lab (issue 6): topology, scenarios, report."""
