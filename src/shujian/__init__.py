"""数检 shujian."""
