"""The server side of convkit: what a shared public server needs beyond the pages."""
