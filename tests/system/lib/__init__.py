"""Helpers for egress system tests: network namespaces, processes, peer
drivers (one module per BGP implementation) and the tshark oracle.

Everything here runs as root and touches only namespaces it created
itself; nothing is ever attached to the host's own network.
"""
