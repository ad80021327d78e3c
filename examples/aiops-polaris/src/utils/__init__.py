"""Small helpers shared by the API and the agents."""
