"""The Microsoft Graph boundary: domain-shaped calls over msgraph-sdk, and the sandbox tenant."""
