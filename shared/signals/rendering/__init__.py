"""How signals look to people and feed readers: display text, RSS/Atom/JSON Feed, HTML pages. Pure."""
