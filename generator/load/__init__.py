"""Reading the organisation from disk: YAML that remembers where each value came from."""
