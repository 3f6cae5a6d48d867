"""What goes into a submission to Ray. Importing this package imports nothing.

- ``options``: Ray options from a call's JSON, and goray's environment for tasks;
- ``submit``: prepared submissions and their caches;
- ``features``: EnableFeatures, the protocol features turned on in the library.
"""
