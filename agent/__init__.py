"""puffle-agent: carries out plain-language goals through the documented Puffle API."""
