"""The coordinator's divergence map, similarity heatmap, exports and step search."""
