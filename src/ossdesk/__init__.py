"""ossdesk: the platform a vendor of commercial open-source support runs on."""

__version__ = "0.1.0"
