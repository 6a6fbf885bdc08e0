"""vdrm-protocol generator: spec XML -> model -> lint -> C headers, codecs and docs."""
