"""The local runtime: moto in server mode, resources from template.yaml, the event sources played by hand.

A development harness, not a second product: the code it runs is the code Lambda runs.
"""
