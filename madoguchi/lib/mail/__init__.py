"""Mail decoding, parsing and loop classification: pure functions over raw RFC 5322 bytes."""
