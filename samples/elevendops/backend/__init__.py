"""ElevenDops backend."""
