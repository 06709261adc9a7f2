"""The security pages, by concern: the portfolio, advisories, deployments and their uploads, findings,
VEX, the vendor's advisories and notices. `urls` names each view by its module."""
