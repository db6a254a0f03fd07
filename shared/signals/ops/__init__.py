"""Operations: pipeline figures (stats), health probes, source health, SVG charts, DLQ redrive."""
