"""Builders shared by the search tests. None yet: these tests build what they need from the other apps'
builders (tests/<app>/factories.py of accounts, customers, plans, products); a builder that two test
modules share goes here."""
